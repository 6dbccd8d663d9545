import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics, one registry per app instance so tests never share counters. */
export class Metrics {
  readonly registry = new Registry();
  readonly logins = new Counter({
    name: 'servicekonto_logins_total',
    help: 'Sign-in attempts by result and trust level',
    labelNames: ['result', 'level'] as const,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'servicekonto_tokens_issued_total',
    help: 'Tokens issued by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'servicekonto_http_request_duration_seconds',
    help: 'HTTP request latency by route group and status class',
    labelNames: ['route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  /** FED-05: alert on 1; the member list in force is older than the last refresh attempt. */
  readonly federationSignIns = new Counter({
    name: 'servicekonto_federation_sign_ins_total',
    help: 'Sign-ins through another Land by member and outcome (success or the failure reason)',
    labelNames: ['member', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly federationListStale = new Gauge({
    name: 'servicekonto_federation_list_stale',
    help: '1 when the last refresh of the signed federation list failed, 0 after a success',
    registers: [this.registry],
  });
  readonly federationListRefreshes = new Counter({
    name: 'servicekonto_federation_list_refresh_total',
    help: 'Refreshes of the signed federation list by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly federationListLastSuccess = new Gauge({
    name: 'servicekonto_federation_list_last_success_seconds',
    help: 'Unix time of the last successful refresh of the signed federation list',
    registers: [this.registry],
  });

  constructor(withDefaults = true) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'servicekonto_' });
  }
}
