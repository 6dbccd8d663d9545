import type { Level } from '../../config/trust-levels.ts';

/**
 * Provider account ids of citizens of another Land carry a prefix, so every part of the
 * provider can tell them from local accounts without a lookup.
 */
const PREFIX = 'fed:';

export const federatedAccountId = (identityId: string): string => `${PREFIX}${identityId}`;
export const isFederatedAccount = (accountId: string | null | undefined): accountId is string => !!accountId?.startsWith(PREFIX);
export const federatedIdentityIdOf = (accountId: string): string | null => (isFederatedAccount(accountId) ? accountId.slice(PREFIX.length) : null);

/**
 * What the home Land told us in one sign-in. Kept only in the provider's short-lived store for
 * the length of the provider session, never in the database.
 */
export interface FederatedProfile {
  memberCode: string;
  memberName: string;
  /** The online service that started this sign-in: the only one it may serve (no SSO). */
  clientId: string;
  level: Level;
  /** The claims the home Land delivered that the online service asked for (never `sub`). */
  claims: Record<string, unknown>;
}
