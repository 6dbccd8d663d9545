import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, createTestRedis } from '../helpers/infra.ts';
import { createRedisAdapter } from '../../src/oidc/adapters/redis.ts';
import { createPostgresAdapter } from '../../src/oidc/adapters/postgres.ts';
import { OidcPayloadRepository } from '../../src/oidc/adapters/oidc-payload.repository.ts';
import type { AdapterConstructor, AdapterPayload } from '../../src/oidc/adapters/types.ts';

interface AdapterHarness {
  Adapter: AdapterConstructor;
  /** Seconds until the stored payload expires, read from the back end itself. */
  ttlSeconds(model: string, id: string): Promise<number>;
  /** Lets a stored payload run out now, so no test has to sleep. */
  expireNow(model: string, id: string): Promise<void>;
  close(): Promise<void>;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function describeAdapterContract(name: string, makeHarness: () => Promise<AdapterHarness>): void {
  describe(`${name} oidc-provider adapter`, () => {
    let h: AdapterHarness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => h.close());

    const token = (grantId: string, extra: Partial<AdapterPayload> = {}): AdapterPayload => ({
      jti: randomUUID(), kind: 'AccessToken', accountId: 'acc-1', clientId: 'client-1', grantId, ...extra,
    });

    it('OIDC-02 upsert and find round-trip the payload unchanged', async () => {
      const adapter = new h.Adapter('AccessToken');
      const id = randomUUID();
      const payload = token('g-rt', { scope: 'openid email', aud: ['a', 'b'], amr: [], extra: { n: { deep: true } } });
      await adapter.upsert(id, payload, 60);
      const found = await adapter.find(id);
      expect(found).toEqual(payload);
      expect(found?.consumed).toBeUndefined();
    });

    it('OIDC-02 find of an unknown id returns undefined', async () => {
      await expect(new h.Adapter('AccessToken').find(randomUUID())).resolves.toBeUndefined();
      await expect(new h.Adapter('Session').findByUid(randomUUID())).resolves.toBeUndefined();
      await expect(new h.Adapter('DeviceCode').findByUserCode('NOPE-NOPE')).resolves.toBeUndefined();
    });

    it('OIDC-02 a payload expires after expiresIn seconds', async () => {
      const adapter = new h.Adapter('AuthorizationCode');
      const id = randomUUID();
      await adapter.upsert(id, token('g-exp'), 1);
      const ttl = await h.ttlSeconds('AuthorizationCode', id);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1);
      await h.expireNow('AuthorizationCode', id);
      await expect(adapter.find(id)).resolves.toBeUndefined();
    });

    it('OIDC-02 consume marks the payload consumed and find returns it', async () => {
      const adapter = new h.Adapter('RefreshToken');
      const id = randomUUID();
      const payload = token('g-consume');
      await adapter.upsert(id, payload, 60);
      await adapter.consume(id);
      const found = await adapter.find(id);
      expect(found?.consumed).toBeTruthy();
      expect(found).toMatchObject(payload);
    });

    it('OIDC-02 20 parallel consumes of one AuthorizationCode leave one stable consumed value', async () => {
      const adapter = new h.Adapter('AuthorizationCode');
      const id = randomUUID();
      await adapter.upsert(id, token('g-race'), 60);
      const before = nowSeconds();
      await Promise.all(Array.from({ length: 20 }, () => new h.Adapter('AuthorizationCode').consume(id)));
      const reads = await Promise.all(Array.from({ length: 5 }, () => adapter.find(id)));
      const values = reads.map((r) => r?.consumed as unknown);
      expect(typeof values[0]).toBe('number');
      expect(values[0]).toBeGreaterThanOrEqual(before - 1);
      expect(values[0]).toBeLessThanOrEqual(nowSeconds() + 1);
      expect(new Set(values).size).toBe(1);
    });

    it('OIDC-02 re-saving a consumed payload keeps it consumed', async () => {
      const adapter = new h.Adapter('RefreshToken');
      const id = randomUUID();
      await adapter.upsert(id, token('g-resave'), 60);
      await adapter.consume(id);
      await adapter.upsert(id, token('g-resave', { scope: 'openid' }), 60);
      const found = await adapter.find(id);
      expect(found?.consumed).toBeTruthy();
      expect(found?.scope).toBe('openid');
    });

    it('OIDC-02 consume of an unknown id stores nothing', async () => {
      const adapter = new h.Adapter('AuthorizationCode');
      const id = randomUUID();
      await adapter.consume(id);
      await expect(adapter.find(id)).resolves.toBeUndefined();
    });

    it('OIDC-02 destroy removes the payload', async () => {
      const adapter = new h.Adapter('Session');
      const id = randomUUID();
      const uid = randomUUID();
      await adapter.upsert(id, { jti: id, uid, kind: 'Session' }, 60);
      await adapter.destroy(id);
      await expect(adapter.find(id)).resolves.toBeUndefined();
      await expect(adapter.findByUid(uid)).resolves.toBeUndefined();
    });

    it('OIDC-02 findByUid finds a Session', async () => {
      const adapter = new h.Adapter('Session');
      const id = randomUUID();
      const uid = randomUUID();
      await adapter.upsert(id, { jti: id, uid, kind: 'Session', accountId: 'acc-1' }, 60);
      await expect(adapter.findByUid(uid)).resolves.toMatchObject({ jti: id, uid, accountId: 'acc-1' });
      await expect(new h.Adapter('Interaction').findByUid(uid)).resolves.toBeUndefined();
    });

    it('OIDC-02 findByUserCode finds a DeviceCode', async () => {
      const adapter = new h.Adapter('DeviceCode');
      const id = randomUUID();
      const userCode = `UC${randomUUID().slice(0, 8).toUpperCase()}`;
      await adapter.upsert(id, { ...token('g-device'), kind: 'DeviceCode', userCode }, 60);
      await expect(adapter.findByUserCode(userCode)).resolves.toMatchObject({ userCode, kind: 'DeviceCode' });
    });

    it('OIDC-02 revokeByGrantId removes every token of the grant and no other', async () => {
      const models = ['AccessToken', 'RefreshToken', 'AuthorizationCode'];
      const [revoked, kept] = [`g-${randomUUID()}`, `g-${randomUUID()}`];
      const ids = new Map<string, { revoked: string; kept: string }>();
      for (const model of models) {
        const pair = { revoked: randomUUID(), kept: randomUUID() };
        ids.set(model, pair);
        const adapter = new h.Adapter(model);
        await adapter.upsert(pair.revoked, token(revoked, { kind: model }), 60);
        await adapter.upsert(pair.kept, token(kept, { kind: model }), 120);
      }
      await new h.Adapter('AccessToken').revokeByGrantId(revoked);
      for (const [model, pair] of ids) {
        const adapter = new h.Adapter(model);
        await expect(adapter.find(pair.revoked)).resolves.toBeUndefined();
        await expect(adapter.find(pair.kept)).resolves.toMatchObject({ grantId: kept });
      }
    });
  });
}

describeAdapterContract('Redis', async () => {
  const { redis, prefix, cleanup } = await createTestRedis('oidc-adapters');
  const key = (model: string, id: string): string => `${prefix}oidc:${model}:${id}`;
  return {
    Adapter: createRedisAdapter(redis, prefix),
    ttlSeconds: (model, id) => redis.ttl(key(model, id)),
    // An expiry time in the past makes Redis drop the key at once, exactly as at TTL end.
    expireNow: async (model, id) => void (await redis.pexpireat(key(model, id), Date.now() - 1000)),
    close: cleanup,
  };
});

describeAdapterContract('PostgreSQL', async () => {
  const db = await createTestDatabase('oidc-adapters');
  return {
    Adapter: createPostgresAdapter(new OidcPayloadRepository(db.dataSource)),
    async ttlSeconds(model, id) {
      const rows: { ttl: number }[] = await db.dataSource.query(
        'SELECT extract(epoch FROM expires_at - now())::float8 AS ttl FROM oidc_payload WHERE model = $1 AND id = $2',
        [model, id],
      );
      return rows[0]?.ttl ?? Number.NaN;
    },
    async expireNow(model, id) {
      await db.dataSource.query(
        `UPDATE oidc_payload SET expires_at = now() - interval '1 second' WHERE model = $1 AND id = $2`,
        [model, id],
      );
    },
    close: () => db.drop(),
  };
});

describe('Redis adapter storage layout', () => {
  it('OIDC-02 the grant index lives as long as its longest-lived token', async () => {
    const { redis, prefix, cleanup } = await createTestRedis('oidc-grant-index');
    try {
      const Adapter = createRedisAdapter(redis, prefix);
      const grantKey = `${prefix}oidc:grant:g-ttl`;
      await new Adapter('RefreshToken').upsert('rt', { grantId: 'g-ttl' }, 600);
      await new Adapter('AccessToken').upsert('at', { grantId: 'g-ttl' }, 60);
      expect(await redis.ttl(grantKey)).toBeGreaterThan(590);
      expect((await redis.smembers(grantKey)).sort()).toEqual([`${prefix}oidc:AccessToken:at`, `${prefix}oidc:RefreshToken:rt`]);
    } finally {
      await cleanup();
    }
  });
});

describe('OidcPayloadRepository housekeeping', () => {
  it('OIDC-02 deleteExpired removes only expired rows', async () => {
    const db = await createTestDatabase('oidc-housekeeping');
    try {
      const repo = new OidcPayloadRepository(db.dataSource);
      const row = { payload: {}, grantId: null, uid: null, userCode: null };
      await repo.upsert('AccessToken', 'old', { ...row, ttlSeconds: 60 });
      await repo.upsert('AccessToken', 'live', { ...row, ttlSeconds: 60 });
      await repo.upsert('Client', 'forever', { ...row, ttlSeconds: null });
      await db.dataSource.query(`UPDATE oidc_payload SET expires_at = now() - interval '1 minute' WHERE id = 'old'`);
      await expect(repo.deleteExpired()).resolves.toBe(1);
      await expect(repo.find('AccessToken', 'live')).resolves.toEqual({});
      await expect(repo.find('Client', 'forever')).resolves.toEqual({});
    } finally {
      await db.drop();
    }
  });
});
