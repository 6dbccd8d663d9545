import { hkdfSync, randomUUID } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Clock } from '../clock.ts';
import type { SigningKey } from '../../entities/signing-key.entity.ts';
import type { SigningKeyRepository } from './signing-key.repository.ts';

const ALGS = ['ES256', 'RS256'] as const;
type Alg = (typeof ALGS)[number];

/**
 * Signing keys live in the database, each private JWK encrypted with a key derived from
 * KEY_ENCRYPTION_SECRET. Each algorithm has a current key (signs), a next key (already
 * published, so relying parties have it cached before it signs) and retired keys (still
 * published until every token they signed has expired).
 */
export class KeyService {
  private readonly repo: SigningKeyRepository;
  private readonly clock: Clock;
  private readonly kek: Uint8Array;
  private readonly retentionSeconds: number;

  constructor(repo: SigningKeyRepository, clock: Clock, secret: string, retentionSeconds: number) {
    this.repo = repo;
    this.clock = clock;
    this.kek = new Uint8Array(hkdfSync('sha256', secret, 'servicekonto', 'signing-key-encryption', 32));
    this.retentionSeconds = retentionSeconds;
  }

  /** Creates the first current and next key per algorithm when missing (first start). */
  async ensureKeys(): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const keys = await tx.lockAll();
      for (const alg of ALGS) {
        if (!keys.some((k) => k.alg === alg && k.state === 'current')) await tx.insert(await this.generate(alg, 'current'));
        if (!keys.some((k) => k.alg === alg && k.state === 'next')) await tx.insert(await this.generate(alg, 'next'));
      }
    });
  }

  /** next → current, current → retired, a new next; retired keys past retention are dropped. */
  async rotate(): Promise<{ current: string[]; retired: string[] }> {
    const now = this.clock.now();
    return this.repo.transaction(async (tx) => {
      const keys = await tx.lockAll();
      const current: string[] = [];
      const retired: string[] = [];
      for (const alg of ALGS) {
        for (const key of keys.filter((k) => k.alg === alg && k.state === 'current')) {
          await tx.setState(key.kid, 'retired', now);
          retired.push(key.kid);
        }
        const next = keys.find((k) => k.alg === alg && k.state === 'next');
        if (next) {
          await tx.setState(next.kid, 'current');
          current.push(next.kid);
        } else {
          const fresh = await this.generate(alg, 'current');
          await tx.insert(fresh);
          current.push(fresh.kid);
        }
        await tx.insert(await this.generate(alg, 'next'));
      }
      await tx.remove(keys.filter((k) => this.expired(k, now)).map((k) => k.kid));
      return { current, retired };
    });
  }

  /** The provider's private JWKS: current keys first (oidc-provider signs with the first match). */
  async jwks(): Promise<{ keys: JWK[] }> {
    const now = this.clock.now();
    const order = { current: 0, next: 1, retired: 2 } as const;
    const keys = (await this.repo.all())
      .filter((k) => !this.expired(k, now))
      .sort((a, b) => order[a.state] - order[b.state]);
    return { keys: await Promise.all(keys.map((k) => this.decrypt(k.encryptedJwk))) };
  }

  private expired(key: SigningKey, now: Date): boolean {
    return key.state === 'retired' && key.retiredAt !== null && now.getTime() - key.retiredAt.getTime() > this.retentionSeconds * 1000;
  }

  private async generate(alg: Alg, state: 'current' | 'next'): Promise<Omit<SigningKey, 'createdAt'>> {
    const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
    return { kid, alg, state, encryptedJwk: await this.encrypt(jwk), retiredAt: null };
  }

  private encrypt(jwk: JWK): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(jwk)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.kek);
  }

  private async decrypt(jwe: string): Promise<JWK> {
    const { plaintext } = await compactDecrypt(jwe, this.kek);
    return JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
  }
}
