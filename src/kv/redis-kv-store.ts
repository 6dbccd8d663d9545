import type { Redis } from 'ioredis';
import type { KvStore } from './kv-store.ts';

// Counter, window and remaining time in one command.
const ADD_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {count, ttl}`;

type Scripts = Redis & { skKvAdd(key: string, delta: number, ttl: number): Promise<[number, number]> };

export class RedisKvStore implements KvStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = `${prefix}kv:`;
    if (!('skKvAdd' in redis)) redis.defineCommand('skKvAdd', { numberOfKeys: 1, lua: ADD_SCRIPT });
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'EX', ttlSeconds);
  }

  async add(key: string, delta: number, ttlSeconds: number): Promise<{ count: number; ttlSeconds: number }> {
    const [count, ttl] = await (this.redis as Scripts).skKvAdd(this.prefix + key, delta, ttlSeconds);
    return { count: Number(count), ttlSeconds: Number(ttl) };
  }

  async expire(key: string, ttlSeconds: number): Promise<void> {
    await this.redis.expire(this.prefix + key, ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  take(key: string): Promise<string | null> {
    return this.redis.getdel(this.prefix + key);
  }

  sweep(): Promise<number> {
    return Promise.resolve(0);
  }
}
