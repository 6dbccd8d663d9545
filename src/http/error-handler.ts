import type { Context, Next } from 'koa';
import type { Logger } from '../observability/logger.ts';
import { AppError } from './errors.ts';
import { SESSION_EXPIRED_PATH } from './session-idle.ts';

export interface ErrorPageRenderer {
  (ctx: Context, page: { heading: string; message: string; code: string }, status: number): void;
}

/** Known failures become a German page or RFC 7807 JSON; unknown ones are logged once. */
export function errorHandler(logger: Logger, renderPage: ErrorPageRenderer) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false) {
        throw new AppError('not_found', 404);
      }
    } catch (raw) {
      // SESS-01: a sign-in page whose interaction has expired (20 minutes) or whose cookie is
      // gone leads to "Sitzung abgelaufen", from where the citizen signs in again.
      if ((raw as { name?: string })?.name === 'SessionNotFound' && ctx.path.startsWith('/interaction/')) {
        ctx.redirect(SESSION_EXPIRED_PATH);
        return;
      }
      const error = normalise(raw);
      if (error.status >= 500) logger.error({ err: raw, requestId: ctx.state.requestId }, 'request failed');
      const key = error.code.replace(/\..*$/, '');
      if (ctx.accepts('html', 'json') === 'json' && !ctx.accepts('html')) {
        ctx.status = error.status;
        ctx.type = 'application/problem+json';
        ctx.body = { type: 'about:blank', title: error.code, status: error.status };
        return;
      }
      renderPage(ctx, { heading: `error.${key}.heading`, message: `error.${key}.message`, code: error.code }, error.status);
    }
  };
}

function normalise(raw: unknown): AppError {
  if (raw instanceof AppError) return raw;
  const name = (raw as { name?: string })?.name;
  // oidc-provider raises SessionNotFound when the interaction cookie or record is gone.
  if (name === 'SessionNotFound') return new AppError('interaction_expired.session', 400);
  if ((raw as { name?: string })?.name === 'ZodError') return new AppError('invalid_request.form', 400);
  const status = (raw as { status?: number; expose?: boolean })?.expose ? (raw as { status: number }).status : 500;
  return new AppError(status >= 500 ? 'generic.server' : 'invalid_request.http', status);
}
