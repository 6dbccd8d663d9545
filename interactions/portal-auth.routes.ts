import { createHash, randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { AccountService } from '../src/accounts/account.service.ts';
import type { KvStore } from '../src/kv/kv-store.ts';
import { sessionEnded } from '../src/kv/keys.ts';
import type { InteractionPort } from '../src/oidc/interaction-port.ts';
import { PORTAL_CLIENT_ID } from '../src/catalog/portal-client.ts';
import { safeNext } from './form.ts';
import type { Renderer } from './render.ts';

const FLOW_COOKIE = 'sk.portal';

/**
 * "Mein Bereich" signs in through the provider like any online service (first-party client,
 * no consent page), so the same sign-in page, throttling, levels and idle rules apply. The
 * portal then trusts the provider session; the code is not needed and simply expires.
 */
export function portalAuthRoutes(deps: { port: InteractionPort; kv: KvStore; renderer: Renderer; issuer: string }): Router {
  const router = new Router();

  router.get('/konto/anmelden', (ctx) => {
    const state = randomBytes(16).toString('base64url');
    const next = safeNext(ctx.query.weiter);
    ctx.cookies.set(FLOW_COOKIE, JSON.stringify({ state, next }), { signed: true, httpOnly: true, sameSite: 'lax', overwrite: true });
    const params = new URLSearchParams({
      client_id: PORTAL_CLIENT_ID, response_type: 'code', scope: 'openid', state,
      redirect_uri: `${deps.issuer}/konto/callback`,
      code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'), code_challenge_method: 'S256',
      ...(ctx.query.erneut ? { prompt: 'login' } : {}),
    });
    ctx.redirect(`/auth?${params}`);
  });

  router.get('/konto/callback', (ctx) => {
    const raw = ctx.cookies.get(FLOW_COOKIE, { signed: true });
    ctx.cookies.set(FLOW_COOKIE, null);
    const flow = raw ? (JSON.parse(raw) as { state: string; next: string }) : undefined;
    if (!flow || flow.state !== ctx.query.state || ctx.query.error) {
      ctx.redirect('/');
      return;
    }
    ctx.redirect(safeNext(flow.next));
  });

  // SESS-02: "Abmelden" ends the provider session at once (closing the browser does not).
  router.get('/abmelden', async (ctx) => {
    const session = await deps.port.currentSession(ctx);
    if (session) await Promise.all([deps.port.endSession(session.id), deps.kv.delete(`activity:${session.id}`)]);
    ctx.state.user = undefined;
    deps.renderer.render(ctx, 'logged-out', { title: 'title.logged_out' });
  });

  return router;
}

/** Guards Mein Bereich: a signed-in, existing account or off to the sign-in. */
export function requireAccount(port: InteractionPort, accounts: AccountService, kv: KvStore) {
  return async (ctx: Context, next: Next) => {
    const session = await port.currentSession(ctx);
    const account = session ? await accounts.findById(session.accountId) : null;
    // Defence in depth beside the idle middleware: a session older than a reset or deletion is over.
    const revoked = session !== undefined && (await sessionEnded(kv, session));
    if (!session || !account || account.status !== 'active' || revoked) {
      if (session) await port.endSession(session.id);
      ctx.redirect(`/konto/anmelden?weiter=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }
    ctx.state.account = account;
    ctx.state.loginTs = session.loginTs;
    ctx.state.user = { name: account.displayName };
    await next();
  };
}
