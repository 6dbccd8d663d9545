import type { Context, Next } from 'koa';

/**
 * A strict CSP on our pages: no inline script or style at all. Browsers apply form-action to
 * the redirect after a form post too, so interaction pages add the online service's origin
 * through ctx.state.formActionOrigins before rendering.
 */
export function securityHeaders(alwaysAllowedFormTargets: readonly string[] = []) {
  return async (ctx: Context, next: Next) => {
    await next();
    const formTargets = ['\'self\'', ...alwaysAllowedFormTargets, ...((ctx.state.formActionOrigins as string[] | undefined) ?? [])].join(' ');
    if (ctx.response.is('html')) {
      ctx.set('Content-Security-Policy', [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
        "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", `form-action ${formTargets}`,
      ].join('; '));
      ctx.set('Cache-Control', 'no-store');
    }
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}
