import * as client from 'openid-client';
import type { Clock } from '../clock.ts';
import { MemberConfigError } from './failures.ts';
import type { FederationMemberView } from './federation-member.service.ts';

const DAY_MS = 24 * 3600_000;

export type FederationFetch = client.CustomFetch;

interface CachedServer {
  issuer: string;
  metadata: client.ServerMetadata;
  fetchedAt: number;
  /** openid-client's JWKS cache, carried from one configuration to the next. */
  jwks?: client.ExportedJWKSCache;
}

export interface MemberClientDeps {
  clock: Clock;
  /** Upper bound for every request to a member (discovery, token, userinfo, JWKS). */
  timeoutSeconds: number;
  secretOf(code: string): Promise<string | null>;
  /** Tests hand in a fetch that tampers with responses; defaults to the global fetch. */
  fetch?: FederationFetch;
}

/**
 * openid-client configurations for the federation members. Discovery documents are kept for a
 * day; the JWKS cache (refetched by openid-client on an unknown `kid`) is shared across
 * configurations. A configuration is built per use so that validations run on our injected
 * clock (openid-client freezes the clock skew into the client metadata).
 */
export class MemberClients {
  private readonly servers = new Map<string, CachedServer>();
  private readonly deps: MemberClientDeps;

  constructor(deps: MemberClientDeps) {
    this.deps = deps;
  }

  async configFor(member: Pick<FederationMemberView, 'code' | 'issuer' | 'clientId'>): Promise<client.Configuration> {
    const secret = await this.deps.secretOf(member.code).catch((error: unknown) => {
      throw new MemberConfigError(`the client secret of federation member ${member.code} cannot be read`, { cause: error });
    });
    if (secret === null) throw new MemberConfigError(`federation member ${member.code} has no client secret`);
    // Our own configuration is checked before the Land is contacted.
    const server = await this.server(member);
    const skew = Math.round((this.deps.clock.now().getTime() - Date.now()) / 1000);
    const config = new client.Configuration(server.metadata, member.clientId, { [client.clockSkew]: skew }, client.ClientSecretBasic(secret));
    this.prepare(config, member.issuer);
    // ID tokens are checked against the member's keys even though they come over TLS: the
    // signature is what makes a Land's statement about a citizen attributable to that Land.
    client.enableNonRepudiationChecks(config);
    if (server.jwks) client.setJwksCache(config, server.jwks);
    return config;
  }

  /** Keeps the JWKS openid-client fetched while using `config`. */
  remember(member: Pick<FederationMemberView, 'code'>, config: client.Configuration): void {
    const server = this.servers.get(member.code);
    const jwks = client.getJwksCache(config);
    if (server && jwks) server.jwks = jwks;
  }

  /**
   * Where the member's authorization endpoint lives, once discovered; the Land choice page's CSP
   * must let the "Anmelden" form's redirect go there.
   */
  authorizationOrigin(member: Pick<FederationMemberView, 'code' | 'issuer'>): string {
    const endpoint = this.servers.get(member.code)?.metadata.authorization_endpoint;
    return endpoint ? new URL(endpoint).origin : new URL(member.issuer).origin;
  }

  private async server(member: Pick<FederationMemberView, 'code' | 'issuer' | 'clientId'>): Promise<CachedServer> {
    const now = this.deps.clock.now().getTime();
    const cached = this.servers.get(member.code);
    if (cached && cached.issuer === member.issuer && now - cached.fetchedAt < DAY_MS) return cached;
    const discovered = await client.discovery(new URL(member.issuer), member.clientId, undefined, undefined, {
      timeout: this.deps.timeoutSeconds,
      // openid-client looks for allowInsecureRequests itself in this list to permit http discovery.
      execute: member.issuer.startsWith('http:') ? [client.allowInsecureRequests] : [],
      ...(this.deps.fetch ? { [client.customFetch]: this.deps.fetch } : {}),
    });
    const fresh: CachedServer = { issuer: member.issuer, metadata: discovered.serverMetadata(), fetchedAt: now };
    this.servers.set(member.code, fresh);
    return fresh;
  }

  private prepare(config: client.Configuration, issuer: string): void {
    config.timeout = this.deps.timeoutSeconds;
    if (this.deps.fetch) config[client.customFetch] = this.deps.fetch;
    // The member registry admits http only for loopback issuers (tests, local development).
    if (issuer.startsWith('http:')) client.allowInsecureRequests(config);
  }
}
