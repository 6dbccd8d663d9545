import type { Context, Next } from 'koa';
import type { Clock } from '../clock.ts';
import type { KvStore } from '../kv/kv-store.ts';
import { sessionEnded } from '../kv/keys.ts';

export interface SessionSource {
  currentSession(ctx: Context): Promise<{ id: string; accountId: string; loginTs: number } | undefined>;
  endSession(sessionId: string): Promise<void>;
}

export const SESSION_EXPIRED_PATH = '/sitzung-abgelaufen';
/** Activity is written at most this often, so a busy page does not write on every request. */
const TOUCH_INTERVAL_MS = 30_000;

/**
 * SESS-01: a sign-in ends after `idleSeconds` without activity. The last activity per provider
 * session is kept in the KvStore and read with the injected clock. The next browser request
 * then lands on "Sitzung abgelaufen"; a silent authorization (prompt=none) continues without
 * a session, so the service receives login_required as OIDC prescribes.
 */
export function sessionIdle(sessions: SessionSource, kv: KvStore, clock: Clock, idleSeconds: number) {
  // Routers match paths case-insensitively, so this check must too (/AUTH is /auth).
  const applies = (path: string) => path === '/auth' || path.startsWith('/auth/') || path.startsWith('/interaction/') || path === '/konto' || path.startsWith('/konto/');
  return async (ctx: Context, next: Next) => {
    if (!applies(ctx.path.toLowerCase())) return next();
    const session = await sessions.currentSession(ctx);
    if (!session) return next();
    const key = `activity:${session.id}`;
    const now = clock.now().getTime();
    const [stored, revoked] = await Promise.all([kv.get(key), sessionEnded(kv, session)]);
    const last = stored ? Number(stored) : session.loginTs * 1000;
    if (revoked || now - last > idleSeconds * 1000) {
      await Promise.all([sessions.endSession(session.id), kv.delete(key)]);
      const path = ctx.path.toLowerCase();
      if (path === '/auth' && ctx.query.prompt === 'none') return next();
      const restart = ctx.method === 'GET' && path === '/auth' ? ctx.originalUrl : '/';
      ctx.redirect(`${SESSION_EXPIRED_PATH}?weiter=${encodeURIComponent(restart)}`);
      return;
    }
    if (!stored || now - last > TOUCH_INTERVAL_MS) await kv.set(key, String(now), idleSeconds * 2);
    return next();
  };
}
