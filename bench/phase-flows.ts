import argon2 from 'argon2';
import type { Argon2Parameters } from './baseline.ts';
import { percentile, type FlowRunReport } from './flow-driver.ts';
import type { LoadClient } from './load-client.ts';
import { interleave, measured } from './measure.ts';
import type { Targets } from './servers.ts';
import { ARGON2_SECONDS, CONCURRENCIES, FLOW_SECONDS, fmt, log, PASSWORD, USERS } from './settings.ts';

/*
 * Phase 1: complete sign-in flows per second, baseline against app, at each concurrency, and
 * next to them the argon2id floor — raw verifies with the same parameters and concurrency —
 * because every flow does exactly one verify, so the floor is the ceiling for flows/s.
 */

export interface Argon2Report {
  concurrency: number;
  verifies: number;
  perSecond: number;
  avgMs: number;
}

export interface FlowRow {
  concurrency: number;
  baseline: FlowRunReport;
  app: FlowRunReport;
  argon2: Argon2Report;
  othersCores: { baseline: number; app: number; argon2: number };
}

/** One flow per account (the app's accounts give consent once), JIT warm on both servers. */
export async function warmUp(load: LoadClient, targets: Targets): Promise<void> {
  for (const name of ['baseline', 'app'] as const) {
    const warm = await load.flows(targets[name], { concurrency: 4, durationMs: 30_000, maxFlows: USERS });
    log(`warm-up ${name}: ${warm.completed} flows, ${warm.consents} consents, ${warm.errors} errors ${warm.errorSamples.join(' | ')}`);
    if (warm.completed === 0) throw new Error(`no flow completes on ${name}: ${warm.errorSamples.join(' | ')}`);
  }
}

/** Flows, interleaved ABBA in halves, and the argon2 floor at the same concurrency. */
export async function flowPhase(load: LoadClient, targets: Targets, argon2Params: Argon2Parameters): Promise<FlowRow[]> {
  const flows: FlowRow[] = [];
  for (const [round, concurrency] of CONCURRENCIES.entries()) {
    const half = { concurrency, durationMs: (FLOW_SECONDS * 1000) / 2, maxFlows: 10_000 };
    const pair = await interleave(load, round, (server) => load.flows(targets[server], half), mergeFlows);
    const floor = await measured(load, () => argon2Floor(argon2Params, concurrency, ARGON2_SECONDS));
    log(`flows c=${concurrency}: baseline ${fmt(pair.baseline.flowsPerSecond)}/s (${pair.baseline.errors} errors), app ${fmt(pair.app.flowsPerSecond)}/s (${pair.app.errors} errors) ${pair.app.errorSamples.slice(0, 2).join(' | ')}; argon2 floor ${fmt(floor.result.perSecond)}/s; other processes ${fmt(pair.othersCores.baseline, 2)}/${fmt(pair.othersCores.app, 2)} cores`);
    flows.push({ concurrency, baseline: pair.baseline, app: pair.app, argon2: floor.result, othersCores: { ...pair.othersCores, argon2: floor.othersCores } });
  }
  return flows;
}

/** Two halves of one server's flow measurement merged into one report. */
function mergeFlows(parts: FlowRunReport[]): FlowRunReport {
  const latencies = parts.flatMap((p) => p.latenciesMs).sort((a, b) => a - b);
  const completed = parts.reduce((a, p) => a + p.completed, 0);
  const elapsedMs = parts.reduce((a, p) => a + p.elapsedMs, 0);
  const errorKinds: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + v;
  return {
    concurrency: parts[0]!.concurrency,
    completed,
    errors: parts.reduce((a, p) => a + p.errors, 0),
    errorKinds,
    errorSamples: parts.flatMap((p) => p.errorSamples).slice(0, 5),
    consents: parts.reduce((a, p) => a + p.consents, 0),
    elapsedMs,
    flowsPerSecond: completed / (elapsedMs / 1000),
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    latenciesMs: [],
    refreshTokens: [],
  };
}

/** Raw verifies with the same parameters, in this process (on the libuv pool), same concurrency. */
async function argon2Floor(params: Argon2Parameters, concurrency: number, seconds: number): Promise<Argon2Report> {
  const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id, ...params });
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let verifies = 0;
  let busyMs = 0;
  const worker = async () => {
    while (performance.now() < deadline && verifies < 100_000) {
      const t = performance.now();
      if (!(await argon2.verify(hash, PASSWORD))) throw new Error('argon2 verify failed');
      busyMs += performance.now() - t;
      verifies++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { concurrency, verifies, perSecond: verifies / elapsed, avgMs: busyMs / verifies };
}
