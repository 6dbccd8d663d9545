import type { Level } from '../../config/trust-levels.ts';

/**
 * Provider account ids of citizens of another Land: `fed:<identity id>:<sign-in id>`. The prefix
 * lets every part of the provider tell them from local accounts without a lookup; the sign-in
 * id gives each sign-in its own account id, so the home Land's data of one sign-in (one browser,
 * one online service) is never seen by another. Pairwise subjects use only the identity part.
 */
const PREFIX = 'fed:';

export const federatedAccountId = (identityId: string, signInId: string): string => `${PREFIX}${identityId}:${signInId}`;
export const isFederatedAccount = (accountId: string | null | undefined): accountId is string => !!accountId?.startsWith(PREFIX);
export const federatedIdentityIdOf = (accountId: string): string | null =>
  (isFederatedAccount(accountId) ? accountId.slice(PREFIX.length).split(':')[0]! : null);

/** What pairwise subjects are derived from: the same for every sign-in of one person (LOA-04). */
export const subjectAccountOf = (accountId: string): string =>
  (isFederatedAccount(accountId) ? `${PREFIX}${federatedIdentityIdOf(accountId)}` : accountId);

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
  /** When the citizen came back here (epoch seconds, our clock); the ID token's auth_time is the home Land's. */
  signedInAt: number;
  /** This sign-in created the (issuer, sub) link: declining it removes the link again. */
  firstSignIn: boolean;
  /** The claims the home Land delivered that the online service asked for (never `sub`). */
  claims: Record<string, unknown>;
}
