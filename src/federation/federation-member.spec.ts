import { z } from 'zod';
import { isLoopbackHost } from '../../config/index.ts';
import { DEFAULT_ACR, LEVELS } from '../../config/trust-levels.ts';
import type { FederationMember, FederationMemberDisabledBy } from '../../entities/federation-member.entity.ts';

/*
 * What a Land of the federation is declared as (operator specs, signed-list entries), and the
 * rules by which a signed list may change a member that is already here.
 */


/** https, or http on the loopback interface only (tests, local development). */
const issuerUrl = z.url().refine((value) => {
  const url = URL.parse(value);
  if (!url || url.hash || url.search) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}, 'must be an https URL without query or fragment (http only on loopback: 127.x.x.x, localhost)');

export const DEFAULT_FEDERATION_CLAIMS = ['sub', 'name', 'given_name', 'family_name', 'email', 'account_type'];

/** What an operator declares for a Land of the federation (CLI, JSON import); FED-05. */
export const FederationMemberSpec = z.object({
  code: z.string().regex(/^[A-Z]{2}$/, 'two upper-case letters, e.g. NI'),
  displayName: z.string().trim().min(1).max(80),
  issuer: issuerUrl,
  clientId: z.string().min(1).max(200),
  /** Required for a new member; an update without it keeps the stored secret. */
  clientSecret: z.string().min(16).max(1000).optional(),
  enabled: z.boolean().default(true),
  maxLevel: z.enum(LEVELS).default('substanziell'),
  /** Their acr → our level; by default the eIDAS level URIs that Länder share. */
  acrMap: z.record(z.string().min(1), z.enum(LEVELS)).default(() => Object.fromEntries(LEVELS.map((l) => [DEFAULT_ACR[l], l]))),
  claims: z.array(z.string().min(1)).min(1).default(DEFAULT_FEDERATION_CLAIMS),
}).strict();
export type FederationMemberSpec = z.input<typeof FederationMemberSpec>;
export type ParsedSpec = z.output<typeof FederationMemberSpec>;

/**
 * FED-05: a member as published in the federation's signed list. Our client credentials at a
 * Land are never public, so they stay local (CLI `federation add`).
 */
export const FederationListEntry = FederationMemberSpec.omit({ clientId: true, clientSecret: true });
export type FederationListEntry = z.input<typeof FederationListEntry>;
export type ParsedEntry = z.output<typeof FederationListEntry>;

/** Published fields the list sets as they are; `enabled` is decided by listedState. */
const PUBLISHED_FIELDS = ['displayName', 'issuer', 'maxLevel', 'acrMap', 'claims'] as const;

export type MemberState = Pick<FederationMember, 'enabled' | 'disabledBy'>;

/** jsonb does not keep key order, so maps are compared as sorted entries. */
const canonical = (value: unknown): string =>
  JSON.stringify(value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value).sort(([a], [b]) => a.localeCompare(b)) : value);

export function changedFields(member: FederationMember, entry: ParsedEntry, state: MemberState): string[] {
  return [
    ...PUBLISHED_FIELDS.filter((field) => canonical(member[field]) !== canonical(entry[field])),
    ...(['enabled', 'disabledBy'] as const).filter((field) => member[field] !== state[field]),
  ];
}

/** Disabled by someone the list must not overrule: an operator, or a hold after an issuer change. */
const heldLocally = (member: FederationMember): member is FederationMember & { disabledBy: 'operator' | 'issuer_change' } =>
  !member.enabled && (member.disabledBy === 'operator' || member.disabledBy === 'issuer_change');

/**
 * FED-05: the state the list leaves a listed member in. A new issuer holds it (our client
 * secret would go to that host) until an operator enables it; otherwise the list may lift only
 * its own disabling, never an operator's.
 */
export function listedState(member: FederationMember, entry: ParsedEntry): MemberState {
  if (member.issuer !== entry.issuer) return { enabled: false, disabledBy: 'issuer_change' };
  if (heldLocally(member)) return { enabled: false, disabledBy: member.disabledBy };
  return entry.enabled ? { enabled: true, disabledBy: null } : { enabled: false, disabledBy: 'list' };
}

/** FED-05: a member missing from the list is disabled by the list, unless already held locally. */
export function unlistedState(member: FederationMember): { enabled: false; disabledBy: FederationMemberDisabledBy } {
  return heldLocally(member) ? { enabled: false, disabledBy: member.disabledBy } : { enabled: false, disabledBy: 'list' };
}
