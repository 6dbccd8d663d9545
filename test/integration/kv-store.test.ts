import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/clock.ts';
import type { KvStore } from '../../src/kv/kv-store.ts';
import { DbKvStore } from '../../src/kv/kv.repository.ts';
import { RedisKvStore } from '../../src/kv/redis-kv-store.ts';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '../helpers/infra.ts';

describe.each(['database', 'redis'] as const)('KvStore on %s', (kind) => {
  let db: TestDatabase;
  let redis: TestRedis;
  let kv: KvStore;
  const clock = new ManualClock();

  beforeAll(async () => {
    db = await createTestDatabase(`kv_${kind}`);
    redis = await createTestRedis(`kv_${kind}`);
    kv = kind === 'database' ? new DbKvStore(db.dataSource, clock) : new RedisKvStore(redis.redis, redis.prefix);
  });
  afterAll(async () => {
    await redis.cleanup();
    await db.drop();
  });

  it('LOGIN-04 counts atomically across parallel calls and takes attempts back', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => kv.add('counter', 1, 900)));
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await kv.add('counter', -1, 900)).count).toBe(19);
    expect(results[0]!.ttlSeconds).toBeGreaterThan(0);
    expect(results[0]!.ttlSeconds).toBeLessThanOrEqual(900);
  });

  it('SESS-01 stores, reads and deletes values', async () => {
    await kv.set('activity:x', '42', 60);
    expect(await kv.get('activity:x')).toBe('42');
    await kv.delete('activity:x');
    expect(await kv.get('activity:x')).toBeNull();
  });

  it('FED-01 take() hands a single-use value to exactly one of many parallel callers', async () => {
    await kv.set('pending', 'state-123', 60);
    const taken = await Promise.all(Array.from({ length: 10 }, () => kv.take('pending')));
    expect(taken.filter((v) => v === 'state-123')).toHaveLength(1);
    expect(taken.filter((v) => v === null)).toHaveLength(9);
    expect(await kv.get('pending')).toBeNull();
  });

  if (kind === 'database') {
    it('FED a sweep deletes expired entries (embedded mode keeps no federated data past its time)', async () => {
      await kv.set('federation:profile:old', '{}', 10);
      await kv.set('federation:profile:live', '{}', 3600);
      clock.advance(11_000);
      expect(await kv.take('federation:profile:old')).toBeNull();
      await kv.set('federation:profile:old', '{}', 10);
      clock.advance(11_000);
      expect(await kv.sweep()).toBeGreaterThanOrEqual(1);
      const rows: { key: string }[] = await db.dataSource.query(`SELECT key FROM kv_entry WHERE key LIKE 'federation:profile:%'`);
      expect(rows.map((r) => r.key)).toEqual(['federation:profile:live']);
    });

    it('LOGIN-04 a window ends with the injected clock and counting restarts', async () => {
      await kv.add('window', 1, 60);
      await kv.add('window', 1, 60);
      clock.advance(61_000);
      expect((await kv.add('window', 1, 60)).count).toBe(1);
      await kv.set('gone', 'v', 10);
      clock.advance(11_000);
      expect(await kv.get('gone')).toBeNull();
    });
  }
});
