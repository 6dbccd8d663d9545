import Router from '@koa/router';
import { SESSION_EXPIRED_PATH } from '../src/http/session-idle.ts';
import type { Renderer } from './render.ts';
import { safeReturnTo } from './form.ts';

/** Pages outside an authorization: start page and "Sitzung abgelaufen". */
export function pageRoutes(renderer: Renderer): Router {
  const router = new Router();
  router.get('/', (ctx) => renderer.render(ctx, 'home', { title: 'title.home' }));
  router.get(SESSION_EXPIRED_PATH, (ctx) => {
    // Only an authorization request of this provider may be offered as the way back (no open redirect).
    const restartUrl = safeReturnTo(ctx.query.weiter) ?? '/';
    renderer.render(ctx, 'session-expired', { title: 'title.session_expired', restartUrl });
  });
  return router;
}
