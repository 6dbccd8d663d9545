import Router from '@koa/router';
import type { Context } from 'koa';
import type { CompleteResult, FailureReason, FederatedSignInService, FederationOffer } from '../src/federation/federated-sign-in.service.ts';
import { interactionOfState } from '../src/federation/federated-sign-in.service.ts';
import type { InteractionPort, InteractionState } from '../src/oidc/interaction-port.ts';
import { formBody, seeOther } from './form.ts';
import type { Renderer } from './render.ts';

export interface FederationRouteDeps {
  port: InteractionPort;
  federation: FederatedSignInService;
  renderer: Renderer;
}

/** HTTP status of each failure page: our side refused (4xx) or the home Land failed (502). */
const FAILURE_STATUS: Record<FailureReason, number> = {
  state: 400, disabled: 409, unreachable: 504, upstream_error: 502, upstream_cancelled: 400,
  nonce: 400, signature: 502, expired: 400, invalid_token: 502, not_citizen: 403, level_too_low: 403, level_unknown: 502,
};

/** Interaction uids are oidc-provider's nanoids. */
const UID = /^[A-Za-z0-9_-]{10,64}$/;

/**
 * "Anmeldung mit anderem Servicekonto" (FED-01..05): the Land choice, the hand-over to the home
 * Land and the way back. The member's callback lands on a fixed URL and is relayed into the
 * interaction, whose cookie (path-scoped to the interaction) binds it to this browser.
 */
export function federationRoutes(deps: FederationRouteDeps): Router {
  const { port, federation, renderer } = deps;
  const router = new Router();

  const renderChoice = (ctx: Context, state: InteractionState, offers: FederationOffer[], extra: Record<string, unknown> = {}, status = 200) => {
    // The "Anmelden" form is answered with a redirect to the chosen Land, which CSP must allow.
    ctx.state.formActionOrigins = [...new Set(offers.map((o) => o.origin))];
    renderer.render(ctx, 'federation-choice', { title: 'title.federation_choice', uid: state.uid, client: state.client, offers, ...extra }, status);
  };

  const renderFailure = (ctx: Context, state: InteractionState, result: Extract<CompleteResult, { ok: false }> | { reason: FailureReason; member?: FederationOffer }) => {
    ctx.state.formActionOrigins = state.client.redirectOrigins;
    renderer.render(ctx, 'federation-failed', {
      title: 'title.federation_failed', uid: state.uid, client: state.client, reason: result.reason,
      heading: `federation.failed.${result.reason}.heading`, message: `federation.failed.${result.reason}.text`,
      land: result.member?.displayName ?? renderer.text(ctx, 'federation.failed.unknown_land'),
      upstreamError: 'upstreamError' in result ? result.upstreamError : undefined,
      // The level cannot be reached through the federation: the service learns it as such.
      abortReason: result.reason === 'level_too_low' ? 'level' : undefined,
      offerLocalSignIn: result.reason === 'not_citizen' || result.reason === 'level_too_low',
    }, FAILURE_STATUS[result.reason]);
  };

  const offersFor = (state: InteractionState) => federation.offers(state.client.federationAllowed, state.requiredLevel);

  // FED-01: "Mit anderem Servicekonto" → the list of Länder.
  router.get('/interaction/:uid/federation', async (ctx) => {
    const state = await port.details(ctx);
    const offers = await offersFor(state);
    // FED-04: a service that does not allow it never shows the choice, even when asked directly.
    if (offers.length === 0) return seeOther(ctx, `/interaction/${state.uid}`);
    renderChoice(ctx, state, offers);
  });

  // "Anmelden": off to the chosen Land with code + PKCE + state + nonce.
  router.post('/interaction/:uid/federation', async (ctx) => {
    const state = await port.details(ctx);
    const offers = await offersFor(state);
    const chosen = formBody(ctx).land ?? '';
    if (!offers.some((o) => o.code === chosen)) {
      if (offers.length === 0) return seeOther(ctx, `/interaction/${state.uid}`);
      renderChoice(ctx, state, offers, { error: chosen ? 'federation.choice.error.unknown' : 'federation.choice.error.required' }, 400);
      return;
    }
    const started = await federation.begin({
      uid: state.uid, memberCode: chosen, required: state.requiredLevel, claims: state.claims, federationAllowed: state.client.federationAllowed,
      clientId: state.client.clientId, ip: ctx.ip, maxAge: state.maxAge, forceLogin: state.forceLogin,
    });
    if (!started.ok) {
      renderFailure(ctx, state, { reason: started.reason === 'unreachable' ? 'unreachable' : 'disabled', member: started.member });
      return;
    }
    seeOther(ctx, started.url);
  });

  // Our redirect URI at every member. Nothing is decided here; the interaction takes over.
  router.get('/federation/callback', async (ctx) => {
    const uid = interactionOfState(typeof ctx.query.state === 'string' ? ctx.query.state : null);
    // An answer for no running sign-in at all: say so, rather than "Sitzung abgelaufen".
    if (!uid || !UID.test(uid) || !(await port.interactionExists(uid))) {
      renderer.render(ctx, 'error', { title: 'title.error', heading: 'federation.failed.state.heading', message: 'federation.failed.state.orphan', code: 'federation.state' }, 400);
      return;
    }
    seeOther(ctx, `/interaction/${uid}/federation/return?${ctx.querystring}`);
  });

  // FED-02/03: validate the home Land's answer, then on to the consent page.
  router.get('/interaction/:uid/federation/return', async (ctx) => {
    const state = await port.details(ctx);
    // FED-04: the service may have stopped allowing it while the citizen was away.
    if (!state.client.federationAllowed) return renderFailure(ctx, state, { reason: 'disabled' });
    const result = await federation.complete({
      uid: state.uid, params: new URLSearchParams(ctx.querystring), required: state.requiredLevel, clientId: state.client.clientId, ip: ctx.ip,
    });
    if (!result.ok) return renderFailure(ctx, state, result);
    seeOther(ctx, await port.finishLogin(ctx, { accountId: result.accountId, level: result.level, method: 'federation', amr: result.amr, ts: result.authTime }));
  });

  return router;
}
