import type { OidcPayloadRepository, StoredPayload } from './oidc-payload.repository.ts';
import {
  GRANTABLE_MODELS,
  indexValue,
  ttlOrNull,
  type StorageAdapter,
  type AdapterConstructor,
  type AdapterPayload,
} from './types.ts';

// The repository returns parsed jsonb as a plain record; it is exactly what upsert received.
const asPayload = (stored: StoredPayload | undefined): AdapterPayload | undefined =>
  stored as AdapterPayload | undefined;

/** oidc-provider storage on PostgreSQL, for deployments without Redis. */
export function createPostgresAdapter(repo: OidcPayloadRepository): AdapterConstructor {
  return class PostgresAdapter implements StorageAdapter {
    private readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      await repo.upsert(this.model, id, {
        payload: { ...payload },
        // Same rule as the Redis grant index, so both back ends revoke the same set of rows.
        grantId: GRANTABLE_MODELS.has(this.model) ? indexValue(payload, 'grantId') : null,
        uid: indexValue(payload, 'uid'),
        userCode: indexValue(payload, 'userCode'),
        ttlSeconds: ttlOrNull(expiresIn),
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return asPayload(await repo.find(this.model, id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return asPayload(await repo.findByUid(this.model, uid));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return asPayload(await repo.findByUserCode(this.model, userCode));
    }

    /** True only for the call that consumed it first (single-use codes rely on this). */
    async consume(id: string): Promise<boolean> {
      return repo.consume(this.model, id);
    }

    async destroy(id: string): Promise<void> {
      await repo.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await repo.revokeByGrantId(grantId);
    }
  };
}
