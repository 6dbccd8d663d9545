import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, jwtVerify, SignJWT, importJWK, type JWK } from 'jose';
import { ManualClock } from '../../src/clock.ts';
import { KeyService } from '../../src/oidc/keys.ts';
import { SigningKeyRepository } from '../../src/oidc/signing-key.repository.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/infra.ts';

const publicOnly = (keys: JWK[]) => ({ keys: keys.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }) => pub) });

describe('signing keys', () => {
  let db: TestDatabase;
  const clock = new ManualClock();
  let keys: KeyService;

  beforeAll(async () => {
    db = await createTestDatabase('keys');
    keys = new KeyService(new SigningKeyRepository(db.dataSource), clock, 'k'.repeat(40), 1200);
    await keys.ensureKeys();
  });
  afterAll(async () => db.drop());

  it('OIDC-02 stores private keys encrypted, never as plain JWK', async () => {
    const rows: { encrypted_jwk: string }[] = await db.dataSource.query('SELECT encrypted_jwk FROM signing_key');
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.encrypted_jwk.split('.')).toHaveLength(5);
      expect(row.encrypted_jwk).not.toContain('"d"');
    }
  });

  it('OIDC-02 a token signed before rotation still verifies until the retired key has expired', async () => {
    const before = (await keys.jwks()).keys;
    const signer = before.find((k) => k.alg === 'ES256')!;
    const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: signer.kid! }).sign(await importJWK(signer, 'ES256'));

    await keys.rotate();
    const after = (await keys.jwks()).keys;
    // The former next key now signs (listed first); the old key is still published.
    expect(after.find((k) => k.alg === 'ES256')!.kid).toBe(before.filter((k) => k.alg === 'ES256')[1]!.kid);
    await expect(jwtVerify(token, createLocalJWKSet(publicOnly(after)))).resolves.toBeTruthy();

    clock.advance(1201 * 1000);
    await keys.rotate();
    const later = (await keys.jwks()).keys;
    expect(later.some((k) => k.kid === signer.kid)).toBe(false);
    await expect(jwtVerify(token, createLocalJWKSet(publicOnly(later)))).rejects.toThrow();
  });
});
