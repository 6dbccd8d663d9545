import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

const ROUTE_GROUPS: [RegExp, string][] = [
  [/^\/token/, 'token'], [/^\/auth/, 'authorize'], [/^\/interaction/, 'interaction'], [/^\/me/, 'userinfo'],
  [/^\/jwks/, 'jwks'], [/^\/\.well-known/, 'discovery'], [/^\/session/, 'logout'], [/^\/assets/, 'assets'],
];

/** Request id, one access log line (no cookies, tokens or bodies) and the latency histogram. */
export function requestContext(logger: Logger, metrics: Metrics) {
  return async (ctx: Context, next: Next) => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = ctx.respond === false ? ctx.res.statusCode : ctx.status;
      const route = ROUTE_GROUPS.find(([re]) => re.test(ctx.path))?.[1] ?? 'other';
      metrics.httpDuration.observe({ route, status: `${Math.floor(status / 100)}xx` }, seconds);
      logger.info({ requestId, method: ctx.method, path: ctx.path, status, ms: Math.round(seconds * 1000) }, 'request');
    }
  };
}
