import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { AcrMap, Level } from '../trust/levels.ts';
import { atLeast, LEVELS, rank } from '../trust/levels.ts';
import type { Clock } from '../clock.ts';
import { isFederatedAccount } from '../federation/federated-account.ts';

const { Check, base } = interactionPolicy;

interface AcrClaimRequest {
  essential?: boolean;
  value?: string;
  values?: string[];
}

/**
 * The level an authorization request needs (LOA-02): the client's minimum, its acr_values
 * and an essential acr claim of the claims parameter.
 */
export function requiredLevelFor(acr: AcrMap, minimum: Level, params: Record<string, unknown>): Level {
  const acrValues = typeof params.acr_values === 'string' ? params.acr_values.split(' ').filter(Boolean) : [];
  let claim: AcrClaimRequest | undefined;
  if (typeof params.claims === 'string') {
    try {
      claim = (JSON.parse(params.claims) as { id_token?: { acr?: AcrClaimRequest } })?.id_token?.acr;
    } catch {
      claim = undefined; // oidc-provider has already rejected malformed claims parameters
    }
  }
  const essential = claim?.essential ? [...(claim.values ?? []), ...(claim.value ? [claim.value] : [])] : [];
  return acr.required(minimum, acrValues, essential);
}

function requiredLevel(ctx: KoaContextWithOIDC, acr: AcrMap): Level {
  const minimum = (ctx.oidc.client?.metadata().min_level as Level | undefined) ?? 'niedrig';
  return requiredLevelFor(acr, minimum, (ctx.oidc.params ?? {}) as Record<string, unknown>);
}

/**
 * oidc-provider's own acr checks demand an exact match; trust levels are ordered, so a
 * higher level satisfies a lower requirement. The login prompt is asked again whenever the
 * session's level is below what the request requires — with prompt=none that yields
 * login_required, so no token is ever issued below the required level.
 */
/**
 * Each level has a maximum age (BSI TR-03160-1: niedrig 12 h, substanziell 2 h, hoch 30 min).
 * An older sign-in counts only for the highest level whose age limit it still meets.
 */
export function effectiveLevel(level: Level, ageSeconds: number, maxAge: Readonly<Record<Level, number>>): Level | undefined {
  for (let i = rank(level); i >= 0; i--) {
    const candidate = LEVELS[i]!;
    if (ageSeconds <= maxAge[candidate]) return candidate;
  }
  return undefined;
}

/** Which online service a federated session was started for. */
export interface FederatedSessions {
  serves(accountId: string, clientId: string): Promise<boolean>;
  /** Sign-out: the home Land's data of that sign-in is dropped at once. */
  forget(accountId: string): Promise<void>;
  /** When the sign-in came back here (its session's login time is the home Land's). */
  signedInAt(accountId: string): Promise<number | undefined>;
}

export function createInteractionPolicy(acr: AcrMap, clock: Clock, maxAge: Readonly<Record<Level, number>>, federated: FederatedSessions) {
  const policy = base();
  const login = policy.get('login')!;
  // A session of a citizen of another Land serves only the online service that started it:
  // no single sign-on into other services with the home Land's data.
  login.checks.add(
    new Check('federated_session', 'the federated session belongs to another online service', 'login_required', async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!isFederatedAccount(accountId)) return Check.NO_NEED_TO_PROMPT;
      return (await federated.serves(accountId, ctx.oidc.client!.clientId)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  login.checks.remove('essential_acr');
  login.checks.remove('essential_acrs');
  login.checks.add(
    new Check('acr_level', 'the session does not reach the required trust level', 'login_required', (ctx: KoaContextWithOIDC) => {
      const { session } = ctx.oidc;
      if (!session?.accountId) return Check.NO_NEED_TO_PROMPT;
      const stored = acr.level(session.acr);
      const age = clock.now().getTime() / 1000 - (session.loginTs ?? 0);
      const have = stored && effectiveLevel(stored, age, maxAge);
      // The session keeps only the level still valid, so tokens issued from it never state more.
      if (have && have !== stored) session.acr = acr.acr(have);
      return have && atLeast(have, requiredLevel(ctx, acr)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }, (ctx: KoaContextWithOIDC) => ({ required_level: requiredLevel(ctx, acr) })),
  );
  return policy;
}
