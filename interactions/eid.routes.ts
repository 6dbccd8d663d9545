import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Account } from '../entities/account.entity.ts';
import type { EidFailure } from '../src/eid/eid-service.ts';
import type { PlusService } from '../src/eid/plus.service.ts';
import type { KvStore } from '../src/kv/kv-store.ts';
import type { InteractionPort } from '../src/oidc/interaction-port.ts';
import { seeOther } from './form.ts';
import type { Renderer } from './render.ts';

const FLOW_COOKIE = 'sk.eid';
export const levelGapKey = (uid: string) => `levelgap:${uid}`;

/** Sends the browser to the eID client, binding the flow to this browser by a signed cookie. */
export function handOverToEid(ctx: Context, started: { flowId: string; clientUrl: string }): void {
  ctx.cookies.set(FLOW_COOKIE, started.flowId, { signed: true, httpOnly: true, sameSite: 'lax', overwrite: true });
  seeOther(ctx, started.clientUrl);
}

/** The flow id of this browser's eID round trip (single use: the cookie is cleared). */
export function takeEidFlowId(ctx: Context): string {
  const flowId = ctx.cookies.get(FLOW_COOKIE, { signed: true }) ?? '';
  ctx.cookies.set(FLOW_COOKIE, null);
  return flowId;
}

export interface EidRouteDeps {
  plus: PlusService;
  port: InteractionPort;
  kv: KvStore;
  renderer: Renderer;
  guard: Middleware;
}

/**
 * The browser side of the eID: sign-in with the Online-Ausweisfunktion (EID-07), the upgrade
 * inside a sign-in (LOA-03) and from Mein Profil (EID-04), "Ausweisdaten verwalten" (EID-05/06).
 * The flow id lives in a signed cookie so only the browser that started it can finish it.
 */
export function eidRoutes(deps: EidRouteDeps): Router {
  const { plus, port, renderer, guard } = deps;
  const router = new Router();

  const takeFlow = (ctx: Context) => plus.finish(takeEidFlowId(ctx));
  const failurePage = (ctx: Context, reason: EidFailure | string, next: string) => renderer.render(ctx, 'eid-result', {
    title: 'title.eid_failed', heading: 'eid.failed.heading', message: `eid.failed.${reason}`, next,
  }, 400);

  // "Mit Online-Ausweisfunktion anmelden" on the sign-in page: only the pseudonym is read.
  router.post('/interaction/:uid/eid', async (ctx) => {
    const { uid } = await port.details(ctx);
    handOverToEid(ctx, await plus.begin('signin', `/interaction/${uid}/eid/zurueck`, { interactionUid: uid }));
  });

  // LOA-03: a basic account that reached a service requiring Plus upgrades inside the flow.
  router.post('/interaction/:uid/upgrade', async (ctx) => {
    const { uid } = await port.details(ctx);
    const accountId = await deps.kv.get(levelGapKey(uid));
    if (!accountId) return seeOther(ctx, `/interaction/${uid}`);
    handOverToEid(ctx, await plus.begin('upgrade', `/interaction/${uid}/eid/zurueck`, { interactionUid: uid, accountId }));
  });

  router.get('/interaction/:uid/eid/zurueck', async (ctx) => {
    const state = await port.details(ctx);
    const done = await takeFlow(ctx);
    if (!done || done.flow.interactionUid !== state.uid) return failurePage(ctx, 'invalid_session', `/interaction/${state.uid}`);
    if (!done.result.ok) return failurePage(ctx, done.result.reason, `/interaction/${state.uid}`);
    if (done.flow.purpose === 'upgrade' && done.flow.accountId) {
      const error = await plus.upgrade(done.flow.accountId, done.result.person, ctx.ip);
      if (error) return failurePage(ctx, error, `/interaction/${state.uid}`);
      await deps.kv.delete(levelGapKey(state.uid));
      // EID-04: after the upgrade the citizen signs in again, now with Servicekonto Plus.
      return renderer.render(ctx, 'eid-result', { title: 'title.eid_upgraded', heading: 'eid.upgraded.heading', message: 'eid.upgraded.message', next: `/interaction/${state.uid}` });
    }
    const account = await plus.signIn(done.result.person, ctx.ip);
    if (typeof account === 'string') {
      return renderer.render(ctx, 'eid-result', {
        title: 'title.eid_failed', heading: 'eid.unknown.heading', message: `eid.failed.${account}`, next: `/interaction/${state.uid}`, register: true,
      }, 400);
    }
    seeOther(ctx, await port.finishLogin(ctx, { accountId: account.id, level: 'hoch', method: 'eid' }));
  });

  // Mein Profil → "Upgrade starten" (EID-04) and "Ausweisdaten verwalten" (EID-05, EID-06).
  router.get('/konto/ausweis', guard, (ctx) => {
    const account = ctx.state.account as Account;
    renderer.render(ctx, 'konto-eid', { title: 'title.konto_eid', section: 'manage', plus: account.kind === 'citizen_plus', eidSignIn: Boolean(account.eidPseudonym), done: ctx.query.erledigt });
  });
  router.post('/konto/upgrade', guard, async (ctx) => {
    handOverToEid(ctx, await plus.begin('upgrade', '/eid/zurueck', { accountId: (ctx.state.account as Account).id }));
  });
  router.post('/konto/ausweis/synchronisieren', guard, async (ctx) => {
    handOverToEid(ctx, await plus.begin('sync', '/eid/zurueck', { accountId: (ctx.state.account as Account).id }));
  });
  router.post('/konto/ausweis/deaktivieren', guard, async (ctx) => {
    await plus.deactivate((ctx.state.account as Account).id, ctx.ip);
    seeOther(ctx, '/konto/ausweis?erledigt=deaktiviert');
  });

  router.get('/eid/zurueck', async (ctx) => {
    const done = await takeFlow(ctx);
    if (!done || !done.flow.accountId) return failurePage(ctx, 'invalid_session', '/konto');
    if (!done.result.ok) return failurePage(ctx, done.flow.purpose === 'sync' ? 'sync_failed' : done.result.reason, '/konto/ausweis');
    if (done.flow.purpose === 'upgrade') {
      const error = await plus.upgrade(done.flow.accountId, done.result.person, ctx.ip);
      if (error) return failurePage(ctx, error, '/konto/profil');
      ctx.state.user = undefined;
      return renderer.render(ctx, 'eid-result', { title: 'title.eid_upgraded', heading: 'eid.upgraded.heading', message: 'eid.upgraded.message', next: '/konto' });
    }
    const error = await plus.sync(done.flow.accountId, done.result.person, ctx.ip);
    if (error) return failurePage(ctx, error === 'eid.identity_mismatch' ? 'sync_failed' : error, '/konto/ausweis');
    seeOther(ctx, '/konto/ausweis?erledigt=synchronisiert');
  });

  return router;
}

/** The TC token the eID client fetches (TR-03124-1 §2.6): XML, no namespace, per session. */
export function tcTokenRoutes(tcToken: (ref: string) => Promise<string | null>): Router {
  const router = new Router();
  router.get('/eid/tctoken', async (ctx) => {
    const xml = typeof ctx.query.ref === 'string' ? await tcToken(ctx.query.ref) : null;
    if (!xml) {
      ctx.status = 404;
      return;
    }
    ctx.type = 'text/xml; charset=utf-8';
    ctx.body = xml;
  });
  return router;
}
