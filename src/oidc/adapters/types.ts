import type { Adapter, AdapterPayload } from 'oidc-provider';

export type { Adapter, AdapterPayload };

/**
 * oidc-provider's Adapter, except that consume reports whether this call consumed first; the
 * provider wiring turns a late consume into invalid_grant.
 */
export type StorageAdapter = Omit<Adapter, 'consume'> & { consume(id: string): Promise<boolean | void> };

/** What oidc-provider's `adapter` option accepts: it calls `new Adapter(modelName)` per model. */
export type AdapterConstructor = new (name: string) => StorageAdapter;

/**
 * Models whose payload carries a grantId that revokeByGrantId must reach. Other models may also
 * hold a grantId (an Interaction does) but must survive a revocation.
 */
export const GRANTABLE_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string field of a payload, or null, for the index columns and keys. */
export function indexValue(payload: AdapterPayload, field: 'grantId' | 'uid' | 'userCode'): string | null {
  const value: unknown = payload[field];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The provider passes 0 or nothing for models that never expire (e.g. a registered Client). */
export function ttlOrNull(expiresIn: number | undefined): number | null {
  return typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? Math.ceil(expiresIn) : null;
}
