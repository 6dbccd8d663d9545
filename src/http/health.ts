import Router from '@koa/router';
import type { Metrics } from '../observability/metrics.ts';

export interface ReadinessProbe {
  name: string;
  check(): Promise<unknown>;
}

/** /healthz: the process answers; /readyz: its database (and Redis) answer; /metrics. */
export function healthRoutes(probes: ReadinessProbe[], metrics: Metrics, metricsToken?: string): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const results = await Promise.all(probes.map(async (p) => {
      try {
        await p.check();
        return [p.name, 'ok'] as const;
      } catch {
        return [p.name, 'unreachable'] as const;
      }
    }));
    const ready = results.every(([, s]) => s === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ok' : 'unavailable', checks: Object.fromEntries(results) };
  });
  router.get('/metrics', async (ctx) => {
    if (metricsToken && ctx.get('authorization') !== `Bearer ${metricsToken}`) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer');
      ctx.body = { type: 'about:blank', title: 'metrics.unauthorized', status: 401 };
      return;
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
