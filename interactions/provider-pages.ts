import type { Context } from 'koa';
import type { Renderer } from './render.ts';

const KNOWN_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_redirect_uri', 'unauthorized_client', 'access_denied', 'session_not_found']);

/** Pages oidc-provider renders itself: errors, the logout question and the logged-out notice. */
export function createProviderPages(renderer: Renderer) {
  return {
    error(ctx: Context, out: { error: string; error_description?: string }, _error: Error) {
      const key = KNOWN_ERRORS.has(out.error) ? out.error : 'generic';
      renderer.render(ctx, 'error', { title: 'title.error', heading: `error.${key}.heading`, message: `error.${key}.message`, code: out.error }, ctx.status >= 400 ? ctx.status : 400);
    },
    logout(ctx: Context, form: string) {
      renderer.render(ctx, 'logout', { title: 'title.logout', form });
    },
    loggedOut(ctx: Context) {
      renderer.render(ctx, 'logged-out', { title: 'title.logged_out' });
    },
  };
}
