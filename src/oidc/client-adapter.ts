import type { Adapter, AdapterPayload } from 'oidc-provider';
import { SCOPE_CLAIMS } from '../../config/claims.ts';
import type { OnlineService } from '../../entities/online-service.entity.ts';
import { LEVELS, type Level } from '../../config/trust-levels.ts';
import type { OnlineServiceRepository } from '../catalog/online-service.repository.ts';

/** Client metadata beyond the OIDC registry that the provider carries for our rules. */
export const EXTRA_CLIENT_METADATA = ['min_level', 'sector', 'federation_allowed', 'federation_partner', 'authority', 'contact', 'first_party'] as const;

/** Levels from the service's minimum upwards, as its default acr_values (LOA-02). */
function acceptableAcrs(service: OnlineService, acrFor: (level: Level) => string): string[] {
  return LEVELS.slice(LEVELS.indexOf(service.minLevel)).map(acrFor);
}

export function toClientMetadata(service: OnlineService, acrFor: (level: Level) => string): AdapterPayload {
  const interactive = service.grantTypes.some((g) => g === 'authorization_code' || g === 'refresh_token');
  return {
    client_id: service.clientId,
    ...(service.secretHash ? { client_secret: service.secretHash } : {}),
    client_name: service.displayName,
    token_endpoint_auth_method: service.tokenEndpointAuthMethod,
    redirect_uris: service.redirectUris,
    post_logout_redirect_uris: service.postLogoutRedirectUris,
    grant_types: interactive && !service.grantTypes.includes('authorization_code')
      ? ['authorization_code', ...service.grantTypes] : service.grantTypes,
    response_types: interactive ? ['code'] : [],
    scope: service.scopes.filter((s) => s in SCOPE_CLAIMS || s === 'offline_access').join(' '),
    subject_type: 'pairwise',
    id_token_signed_response_alg: 'ES256',
    // Makes every request carry acr_values, so every ID token states its acr (LOA-01).
    default_acr_values: acceptableAcrs(service, acrFor),
    min_level: service.minLevel,
    sector: service.sector,
    federation_allowed: service.federationAllowed,
    federation_partner: service.federationPartner,
    authority: service.authority,
    contact: service.contact,
    first_party: service.firstParty,
  };
}

/**
 * Online services change rarely but are read on every protocol request, so their metadata is
 * kept in process for a short time. Changes made through this process invalidate at once;
 * other nodes (and the CLI) see a change within `ttlMs`.
 */
export class ClientMetadataCache {
  private readonly entries = new Map<string, { value: AdapterPayload | undefined; until: number }>();
  private readonly repo: OnlineServiceRepository;
  private readonly acrFor: (level: Level) => string;
  private readonly ttlMs: number;

  constructor(repo: OnlineServiceRepository, acrFor: (level: Level) => string, ttlMs = 30_000) {
    this.repo = repo;
    this.acrFor = acrFor;
    this.ttlMs = ttlMs;
  }

  async get(clientId: string): Promise<AdapterPayload | undefined> {
    const now = Date.now();
    const hit = this.entries.get(clientId);
    if (hit && hit.until > now) return hit.value;
    const service = await this.repo.find(clientId);
    const value = service ? toClientMetadata(service, this.acrFor) : undefined;
    // Unknown ids are remembered briefly too, so a flood of made-up client_ids cannot hammer
    // the database; the map is bounded for the same reason.
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(clientId, { value, until: now + (value ? this.ttlMs : Math.min(this.ttlMs, 5_000)) });
    return value;
  }

  invalidate(clientId: string): void {
    this.entries.delete(clientId);
  }
}

/** Serves the Client model from the online_service table; the provider never writes clients. */
export function createClientAdapter(cache: ClientMetadataCache): new (name: string) => Adapter {
  return class ClientAdapter implements Adapter {
    find(id: string): Promise<AdapterPayload | undefined> {
      return cache.get(id);
    }
    async upsert(): Promise<void> {
      throw new Error('clients are managed through the CLI');
    }
    async findByUserCode(): Promise<undefined> {
      return undefined;
    }
    async findByUid(): Promise<undefined> {
      return undefined;
    }
    async consume(): Promise<void> {}
    async destroy(): Promise<void> {}
    async revokeByGrantId(): Promise<void> {}
  };
}
