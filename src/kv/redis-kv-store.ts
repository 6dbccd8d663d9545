import type { Redis } from 'ioredis';
import type { KvStore } from './kv-store.ts';

export class RedisKvStore implements KvStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = `${prefix}kv:`;
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'EX', ttlSeconds);
  }

  async add(key: string, delta: number, ttlSeconds: number): Promise<{ count: number; ttlSeconds: number }> {
    const k = this.prefix + key;
    const results = (await this.redis.multi().incrby(k, delta).expire(k, ttlSeconds, 'NX').ttl(k).exec()) ?? [];
    const count = Number(results[0]?.[1] ?? 0);
    const ttl = Number(results[2]?.[1] ?? ttlSeconds);
    return { count, ttlSeconds: ttl > 0 ? ttl : ttlSeconds };
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
