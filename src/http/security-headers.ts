import type { Context, Next } from 'koa';

/**
 * A strict CSP on our pages: no inline script or style at all. Browsers apply form-action to
 * the redirect after a form post too, so interaction pages add the online service's origin
 * through ctx.state.formActionOrigins before rendering.
 */
export function securityHeaders(alwaysAllowedFormTargets: readonly string[] = []) {
  const policy = (formTargets: readonly string[], scriptHashes: readonly string[] = []) => [
    "default-src 'self'", ["script-src 'self'", ...scriptHashes].join(' '), "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", `form-action ${['\'self\'', ...formTargets].join(' ')}`,
  ].join('; ');
  return async (ctx: Context, next: Next) => {
    // Set before the handlers run: oidc-provider adds the hash of its one inline script (the
    // self-submitting form when a browser switches accounts) to a policy it finds in place.
    ctx.set('Content-Security-Policy', policy(alwaysAllowedFormTargets));
    await next();
    if (ctx.response.is('html')) {
      const hashes = String(ctx.response.get('Content-Security-Policy')).match(/'sha256-[A-Za-z0-9+/=]+'/g) ?? [];
      const formTargets = [...alwaysAllowedFormTargets, ...((ctx.state.formActionOrigins as string[] | undefined) ?? [])];
      ctx.set('Content-Security-Policy', policy(formTargets, hashes));
      ctx.set('Cache-Control', 'no-store');
    } else {
      ctx.remove('Content-Security-Policy');
    }
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}
