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

  if (kind === 'database') {
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
