import { randomBytes } from 'node:crypto';
import { sameSecret } from '../constant-time.ts';
import type { Context, Next } from 'koa';
import { AppError } from './errors.ts';

const COOKIE = 'sk.csrf';

/**
 * Signed double-submit token: a random value in a signed, HttpOnly, SameSite session cookie
 * and the same value in every form. A cross-site page can neither read nor forge the cookie.
 */
export function csrf() {
  return async (ctx: Context, next: Next) => {
    let token = ctx.cookies.get(COOKIE, { signed: true });
    if (!token) {
      token = randomBytes(24).toString('base64url');
      ctx.cookies.set(COOKIE, token, { signed: true, httpOnly: true, sameSite: 'lax', overwrite: true });
    }
    ctx.state.csrfToken = token;
    if (ctx.method === 'POST' && !ctx.state.skipCsrf) {
      const body = ctx.request.body as Record<string, unknown> | undefined;
      const sent = typeof body?._csrf === 'string' ? body._csrf : '';
      if (!sameSecret(sent, token)) throw new AppError('csrf.invalid', 403);
    }
    await next();
  };
}
