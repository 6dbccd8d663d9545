import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountService } from '../src/accounts/account.service.ts';
import type { AuditService } from '../src/audit/audit.service.ts';
import type { InteractionPort, InteractionState } from '../src/oidc/interaction-port.ts';
import { atLeast, reachableLevel } from '../src/trust/levels.ts';
import type { Renderer } from './render.ts';
import type { KvStore } from '../src/kv/kv-store.ts';
import { levelGapKey } from './eid.routes.ts';
import { isFederatedAccount, type FederatedProfile } from '../src/federation/federated-account.ts';
import type { FederatedSignInService } from '../src/federation/federated-sign-in.service.ts';
import { NON_REJECTABLE_CLAIMS } from '../config/claims.ts';

export interface InteractionRouteDeps {
  port: InteractionPort;
  accounts: AccountService;
  audit: AuditService;
  renderer: Renderer;
  kv: KvStore;
  federation: FederatedSignInService;
}

const LoginForm = z.object({ email: z.string().trim().max(254).default(''), password: z.string().max(1024).default('') });

/**
 * The browser side of an authorization: sign-in, consent, the level notice and cancelling.
 * Each handler reads the interaction, calls one service and renders or redirects.
 */
export function interactionRoutes(deps: InteractionRouteDeps): Router {
  const { port, accounts, renderer } = deps;
  const router = new Router({ prefix: '/interaction/:uid' });

  const allowFormTargets = (ctx: Context, state: InteractionState) => {
    ctx.state.formActionOrigins = state.client.redirectOrigins;
  };
  const levelLabel = (ctx: Context, level: string) => renderer.text(ctx, `level.${level}`);
  const renderLogin = async (ctx: Context, state: InteractionState, extra: Record<string, unknown> = {}, status = 200) => {
    // FED-04: "Mit anderem Servicekonto" only for services that allow it and a Land that can serve them.
    const federation = (await deps.federation.offers(state.client.federationAllowed, state.requiredLevel)).length > 0;
    renderer.render(ctx, 'login', {
      title: 'title.login', uid: state.uid, client: state.client, restartUrl: state.restartUrl, federation,
      requiredLevelLabel: state.requiredLevel === 'niedrig' ? undefined : levelLabel(ctx, state.requiredLevel),
      ...extra,
    }, status);
  };
  const claimLabels = (ctx: Context, claims: readonly string[]) =>
    claims.filter((c) => c !== 'sub').map((c) => ({ key: c, label: renderer.text(ctx, `claim.${c}`) }));

  router.get('/', async (ctx) => {
    const state = await port.details(ctx);
    allowFormTargets(ctx, state);
    if (state.prompt === 'consent' && isFederatedAccount(state.accountId)) {
      const profile = await deps.federation.profile(state.accountId);
      if (!profile) return renderLogin(ctx, state);
      // FED-02: exactly what goes to the service — the asked-for claims the home Land delivered.
      const released = state.claims.filter((c) => NON_REJECTABLE_CLAIMS.has(c) || Object.hasOwn(profile.claims, c));
      renderer.render(ctx, 'consent', {
        title: 'title.consent', uid: state.uid, client: state.client, homeLand: profile.memberName,
        claims: claimLabels(ctx, released).map((c) => ({ ...c, value: displayValue(profile, c.key) })),
      });
      return;
    }
    if (state.prompt === 'consent') {
      // Asked-for data the account does not have is listed too, marked as not transferred:
      // consent is remembered per scope, so the citizen has seen it should it exist later.
      const available = await port.availableClaims(ctx, state.accountId!, state.claims);
      const claims = claimLabels(ctx, state.claims).map((c) => ({ ...c, missing: !NON_REJECTABLE_CLAIMS.has(c.key) && !available.has(c.key) }));
      renderer.render(ctx, 'consent', { title: 'title.consent', uid: state.uid, client: state.client, claims });
      return;
    }
    await renderLogin(ctx, state);
  });

  router.post('/login', async (ctx) => {
    const state = await port.details(ctx);
    allowFormTargets(ctx, state);
    const form = LoginForm.parse(ctx.request.body ?? {});
    const result = await accounts.signInWithPassword(form.email, form.password, { ip: ctx.ip, clientId: state.client.clientId });
    if (!result.ok) {
      const extra = result.reason === 'throttled'
        ? { email: form.email, throttleMinutes: Math.max(1, Math.ceil(result.retryAfterSeconds / 60)) }
        : { email: form.email, error: 'login.error.invalid' };
      if (result.reason === 'throttled') ctx.set('Retry-After', String(result.retryAfterSeconds));
      await renderLogin(ctx, state, extra, result.reason === 'throttled' ? 429 : 401);
      return;
    }
    // LOA-02: never finish a sign-in below the level the service requires.
    if (!atLeast(reachableLevel(result.account.kind, ['pwd']), state.requiredLevel)) {
      // LOA-03: the password was right; remember whose upgrade this sign-in may start. Only a
      // basic account can be upgraded — a Plus account's identity changes only by synchronisation.
      if (result.account.kind === 'citizen') await deps.kv.set(levelGapKey(state.uid), result.account.id, 20 * 60);
      renderer.render(ctx, 'level-required', {
        upgradable: result.account.kind === 'citizen' && state.requiredLevel === 'substanziell',
        // LOGIN-03: a Plus account reaching a service that requires hoch is asked for the eID.
        stepUp: result.account.kind === 'citizen_plus' && state.requiredLevel === 'hoch',
        title: 'title.level_required', uid: state.uid, client: state.client,
        requiredLevelLabel: levelLabel(ctx, state.requiredLevel), currentLevelLabel: levelLabel(ctx, result.level),
      }, 403);
      return;
    }
    const redirectTo = await port.finishLogin(ctx, { accountId: result.account.id, level: result.level, method: 'pwd' });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  });

  router.post('/confirm', async (ctx) => {
    const { redirectTo, accountId, clientId } = await port.finishConsent(ctx);
    await deps.audit.record({ type: 'consent.granted', result: 'success', accountId, clientId, ip: ctx.ip });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  });

  router.post('/abort', async (ctx) => {
    const body = (ctx.request.body ?? {}) as { reason?: unknown };
    const state = await port.details(ctx);
    const redirectTo = body.reason === 'level'
      ? await port.abort(ctx, 'unmet_authentication_requirements', 'the account does not reach the required trust level')
      : await port.abort(ctx, 'access_denied', 'the user cancelled the sign-in');
    if (state.prompt === 'consent' && state.accountId) {
      await deps.audit.record({ type: 'consent.declined', result: 'success', accountId: state.accountId, clientId: state.client.clientId, ip: ctx.ip });
    }
    // FED-02: declining drops the home Land's data at once; without it the federated session
    // serves nothing (the provider still needs the session to send the error back).
    if (isFederatedAccount(state.accountId)) await deps.federation.decline(state.accountId);
    ctx.status = 303;
    ctx.redirect(redirectTo);
  });

  return router;
}

/** A claim's value as the citizen reads it on the consent page. */
function displayValue(profile: FederatedProfile, claim: string): string | undefined {
  const value = profile.claims[claim];
  // Booleans and timestamps (email_verified, updated_at) mean nothing to a reader; the label says enough.
  if (value === undefined || value === null || typeof value === 'boolean' || typeof value === 'number') return undefined;
  if (typeof value === 'object') {
    const formatted = (value as { formatted?: unknown }).formatted;
    return typeof formatted === 'string' ? formatted : undefined;
  }
  return String(value);
}
