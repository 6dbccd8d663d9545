import type { Redis } from 'ioredis';
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

// One round trip per save: payload, TTL, the grant index (whose TTL only ever grows, so it
// lives as long as its longest-lived member) and the uid/userCode index keys. An empty key
// name means "no such index" for this payload.
const UPSERT_SCRIPT = `
local ttl = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'payload', ARGV[1])
if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
if KEYS[2] ~= '' then
  redis.call('SADD', KEYS[2], KEYS[1])
  if ttl <= 0 then redis.call('PERSIST', KEYS[2])
  elseif redis.call('TTL', KEYS[2]) < ttl then redis.call('EXPIRE', KEYS[2], ttl) end
end
for i = 3, 4 do
  if KEYS[i] ~= '' then
    if ttl > 0 then redis.call('SET', KEYS[i], ARGV[3], 'EX', ttl) else redis.call('SET', KEYS[i], ARGV[3]) end
  end
end
return 1`;

type Scripts = Redis & { skOidcUpsert(...args: (string | number)[]): Promise<number> };

export function createRedisAdapter(redis: Redis, prefix: string): AdapterConstructor {
  const base = `${prefix}oidc:`;
  // defineCommand sends the script once and EVALSHA afterwards.
  if (!('skOidcUpsert' in redis)) redis.defineCommand('skOidcUpsert', { numberOfKeys: 4, lua: UPSERT_SCRIPT });
  const scripts = redis as Scripts;
  const grantKey = (grantId: string): string => `${base}grant:${grantId}`;

  return class RedisAdapter implements StorageAdapter {
    private readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const grantId = GRANTABLE_MODELS.has(this.model) ? indexValue(payload, 'grantId') : null;
      const uid = indexValue(payload, 'uid');
      const userCode = indexValue(payload, 'userCode');
      await scripts.skOidcUpsert(
        this.key(id),
        grantId === null ? '' : grantKey(grantId),
        uid === null ? '' : this.indexKey('uid', uid),
        userCode === null ? '' : this.indexKey('userCode', userCode),
        JSON.stringify(payload), ttlOrNull(expiresIn) ?? 0, id,
      );
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
