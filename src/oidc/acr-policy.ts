import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { AcrMap, Level } from '../trust/levels.ts';
import { atLeast } from '../trust/levels.ts';

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
export function createInteractionPolicy(acr: AcrMap) {
  const policy = base();
  const login = policy.get('login')!;
  login.checks.remove('essential_acr');
  login.checks.remove('essential_acrs');
  login.checks.add(
    new Check('acr_level', 'the session does not reach the required trust level', 'login_required', (ctx: KoaContextWithOIDC) => {
      const { session } = ctx.oidc;
      if (!session?.accountId) return Check.NO_NEED_TO_PROMPT;
      const have = acr.level(session.acr);
      return have && atLeast(have, requiredLevel(ctx, acr)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }, (ctx: KoaContextWithOIDC) => ({ required_level: requiredLevel(ctx, acr) })),
  );
  return policy;
}
