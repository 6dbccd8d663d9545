import { createHash, randomBytes } from 'node:crypto';
import { sameSecret } from '../constant-time.ts';
import { z } from 'zod';
import { LEVELS } from '../../config/trust-levels.ts';
import { SUPPORTED_SCOPES } from '../../config/claims.ts';
import type { OnlineService } from '../../entities/online-service.entity.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { OnlineServiceRepository } from './online-service.repository.ts';

const exactUri = z.url().refine((u) => !u.includes('#'), 'must not contain a fragment');

/** What an operator declares when registering an online service (CLI, JSON import). */
export const OnlineServiceSpec = z.object({
  clientId: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'lower-case letters, digits, . _ - (3–64)'),
  displayName: z.string().min(1).max(120),
  authority: z.string().min(1).max(200),
  contact: z.string().min(1).max(200),
  redirectUris: z.array(exactUri).min(1),
  postLogoutRedirectUris: z.array(exactUri).default([]),
  public: z.boolean().default(false),
  grantTypes: z.array(z.enum(['authorization_code', 'refresh_token', 'client_credentials'])).default(['authorization_code', 'refresh_token']),
  scopes: z.array(z.enum(SUPPORTED_SCOPES as [string, ...string[]])).default(['openid', 'profile', 'email']),
  minLevel: z.enum(LEVELS).default('niedrig'),
  federationAllowed: z.boolean().default(false),
  /** FED-06: another Land's portal signing its citizens in with our accounts. */
  federationPartner: z.boolean().default(false),
  firstParty: z.boolean().default(false),
  sector: z.string().min(1).optional(),
}).superRefine((spec, ctx) => {
  // Pairwise subjects are derived per sector; one sector must not span unrelated hosts.
  const hostOf = (uri: string) => URL.parse(uri)?.host ?? uri;
  const hosts = new Set(spec.redirectUris.map(hostOf));
  if (hosts.size > 1) ctx.addIssue({ code: 'custom', path: ['redirectUris'], message: 'all redirect URIs must share one host' });
  if (spec.federationPartner && spec.federationAllowed) {
    // A Land's portal signs in our citizens; relaying it on to a third Land would hide who asserted what.
    ctx.addIssue({ code: 'custom', path: ['federationAllowed'], message: 'a federation partner cannot itself allow federated sign-in' });
  }
  if (spec.public && spec.grantTypes.includes('client_credentials')) {
    ctx.addIssue({ code: 'custom', path: ['grantTypes'], message: 'a public client cannot use client_credentials' });
  }
});
export type OnlineServiceSpec = z.input<typeof OnlineServiceSpec>;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('base64url');

/** Client secrets are 256-bit random, so SHA-256 with a constant-time compare is enough. */
export function secretMatches(storedHash: string, presented: string): boolean {
  return sameSecret(hashSecret(presented), storedHash);
}

/**
 * Every service gets `openid`; a Land's portal (FED-06) also `account_type`, because it must be
 * able to tell citizen accounts from others before it lets anyone in.
 */
function scopesOf(spec: { scopes: string[]; federationPartner: boolean }): string[] {
  const required = ['openid', ...(spec.federationPartner ? ['account_type'] : [])];
  return [...new Set([...required, ...spec.scopes])];
}

export class OnlineServiceService {
  private readonly repo: OnlineServiceRepository;
  private readonly audit: AuditService;
  private readonly changed: (clientId: string) => void;

  /** `changed` is told about every registration or removal (the provider's client cache). */
  constructor(repo: OnlineServiceRepository, audit: AuditService, changed: (clientId: string) => void = () => undefined) {
    this.repo = repo;
    this.audit = audit;
    this.changed = changed;
  }

  find(clientId: string): Promise<OnlineService | null> {
    return this.repo.find(clientId);
  }

  list(): Promise<OnlineService[]> {
    return this.repo.list();
  }

  /**
   * Creates or replaces a service. A new confidential client gets a fresh secret, returned
   * once; an update keeps the stored secret unless rotateSecret is set.
   */
  async register(input: OnlineServiceSpec, options: { rotateSecret?: boolean; secret?: string } = {}): Promise<{ service: OnlineService; secret?: string }> {
    const spec = OnlineServiceSpec.parse(input);
    const existing = await this.repo.find(spec.clientId);
    let secret: string | undefined;
    let secretHash: string | null = null;
    if (!spec.public) {
      if (existing?.secretHash && !options.rotateSecret && !options.secret) {
        secretHash = existing.secretHash;
      } else {
        secret = options.secret ?? randomBytes(32).toString('base64url');
        secretHash = hashSecret(secret);
      }
    }
    const service = await this.repo.upsert({
      clientId: spec.clientId,
      secretHash,
      tokenEndpointAuthMethod: spec.public ? 'none' : 'client_secret_basic',
      redirectUris: spec.redirectUris,
      postLogoutRedirectUris: spec.postLogoutRedirectUris,
      grantTypes: spec.grantTypes,
      scopes: scopesOf(spec),
      displayName: spec.displayName,
      authority: spec.authority,
      contact: spec.contact,
      minLevel: spec.minLevel,
      federationAllowed: spec.federationAllowed,
      federationPartner: spec.federationPartner,
      firstParty: spec.firstParty,
      sector: spec.sector ?? new URL(spec.redirectUris[0]!).host,
    });
    this.changed(spec.clientId);
    await this.audit.record({ type: existing ? 'client.updated' : 'client.created', result: 'success', clientId: spec.clientId });
    return { service, secret };
  }

  async remove(clientId: string): Promise<boolean> {
    const removed = await this.repo.remove(clientId);
    this.changed(clientId);
    if (removed) await this.audit.record({ type: 'client.deleted', result: 'success', clientId });
    return removed;
  }
}
