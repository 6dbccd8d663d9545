import type { ChainableCommander, Redis } from 'ioredis';
import {
  GRANTABLE_MODELS,
  indexValue,
  isRecord,
  ttlOrNull,
  type StorageAdapter,
  type AdapterConstructor,
  type AdapterPayload,
} from './types.ts';

/*
 * Every model is stored as a hash {payload: JSON, consumed?: epoch seconds}. Consumption is a
 * separate field so that marking it never rewrites the JSON (Lua's cjson would turn empty arrays
 * into objects) and a re-save of the payload keeps an earlier consumption.
 */

// HSETNX keeps the first timestamp under concurrent consumes; the EXISTS guard stops a consume of
// an expired or unknown id from creating a hash without TTL.
const CONSUME_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1])`;

// Atomic so a token saved concurrently with the revocation is either deleted or indexed in a fresh
// set, never left alive outside any index. Member keys are not declared in KEYS, which is fine on a
// single Redis but would need hash tags on a cluster.
const REVOKE_SCRIPT = `
local members = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(members) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
return #members`;

async function execOrThrow(multi: ChainableCommander): Promise<void> {
  const results = await multi.exec();
  if (results === null) throw new Error('Redis transaction was aborted');
  for (const [error] of results) {
    if (error) throw error;
  }
}

export function createRedisAdapter(redis: Redis, prefix: string): AdapterConstructor {
  const base = `${prefix}oidc:`;
  const grantKey = (grantId: string): string => `${base}grant:${grantId}`;

  return class RedisAdapter implements StorageAdapter {
    private readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const key = this.key(id);
      const ttl = ttlOrNull(expiresIn);
      const multi = redis.multi();
      multi.hset(key, 'payload', JSON.stringify(payload));
      if (ttl === null) multi.persist(key);
      else multi.expire(key, ttl);

      const grantId = GRANTABLE_MODELS.has(this.model) ? indexValue(payload, 'grantId') : null;
      if (grantId !== null) {
        const gKey = grantKey(grantId);
        multi.sadd(gKey, key);
        if (ttl === null) {
          multi.persist(gKey);
        } else {
          // NX gives a new set its first TTL, GT only ever lengthens it: the index lives as long
          // as its longest-lived member.
          multi.expire(gKey, ttl, 'NX');
          multi.expire(gKey, ttl, 'GT');
        }
      }

      for (const field of ['uid', 'userCode'] as const) {
        const value = indexValue(payload, field);
        if (value === null) continue;
        const indexKey = this.indexKey(field, value);
        if (ttl === null) multi.set(indexKey, id);
        else multi.set(indexKey, id, 'EX', ttl);
      }
      await execOrThrow(multi);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const hash = await redis.hgetall(this.key(id));
      const raw = hash.payload;
      if (raw === undefined) return undefined;
      const parsed: unknown = JSON.parse(raw);
      if (!isRecord(parsed)) return undefined;
      const payload = parsed as AdapterPayload;
      return hash.consumed === undefined ? payload : { ...payload, consumed: Number(hash.consumed) };
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findByIndex('uid', uid);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findByIndex('userCode', userCode);
    }

    /** True only for the call that consumed it first (single-use codes rely on this). */
    async consume(id: string): Promise<boolean> {
      return Number(await redis.eval(CONSUME_SCRIPT, 1, this.key(id), Math.floor(Date.now() / 1000))) === 1;
    }

    async destroy(id: string): Promise<void> {
      // Index keys are left to expire: findByIndex rejects any that point at a missing payload.
      await redis.del(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await redis.eval(REVOKE_SCRIPT, 1, grantKey(grantId));
    }

    private async findByIndex(field: 'uid' | 'userCode', value: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(this.indexKey(field, value));
      if (id === null) return undefined;
      const payload = await this.find(id);
      // An index key may outlive a re-save under another uid/userCode; never return a mismatch.
      return payload !== undefined && payload[field] === value ? payload : undefined;
    }

    private key(id: string): string {
      return `${base}${this.model}:${id}`;
    }

    private indexKey(field: 'uid' | 'userCode', value: string): string {
      return `${base}${field}:${this.model}:${value}`;
    }
  };
}
