import type { App } from '../src/app.ts';
import { cpuProfile, type CpuProfileReport } from './cpu-profile.ts';
import type { LoadClient } from './load-client.ts';
import { tokenOptions } from './phase-tokens.ts';
import type { Targets } from './servers.ts';
import { fmt, log, quick, TOKEN_CONNECTIONS, USERS } from './settings.ts';
import type { TokenLoadReport } from './token-load.ts';
import { profileWork, type WorkProfile } from './work-profile.ts';

/*
 * Phases 4 and 5, both untimed and run after the timed phases so they cannot disturb them:
 * SQL statements and Redis commands per flow / token request in the app, then CPU profiles of
 * the servers' thread with the app and the baseline under the same loads.
 */

export interface ProfilePhaseResult {
  profiles: WorkProfile[];
  cpuProfiles: CpuProfileReport[];
}

/** ccBody: the client_credentials body the token phase settled on. */
export async function profilePhase(load: LoadClient, targets: Targets, app: App, ccBody: string): Promise<ProfilePhaseResult> {
  // (4) Work per request in the app (untimed; after the timed runs so it cannot disturb them).
  const profiles: WorkProfile[] = [];
  const appTarget = targets.app;
  profiles.push(await profileWork(app, 'Sign-in flow (returning user, consent remembered)', async () => {
    const r = await load.flows(appTarget, { concurrency: 2, durationMs: 20_000, maxFlows: USERS });
    return r.completed;
  }));
  profiles.push(await profileWork(app, 'client_credentials token request', async () => {
    const r = await load.run<TokenLoadReport>({ kind: 'client-credentials', options: { ...tokenOptions(appTarget, 5), connections: 2, maxRequests: 200 }, body: ccBody }, 60_000);
    return r.ok;
  }));
  const pool = await load.flows(appTarget, { concurrency: 4, durationMs: 20_000, maxFlows: 8, keepRefreshTokens: true });
  profiles.push(await profileWork(app, 'refresh_token token request', async () => {
    const r = await load.run<TokenLoadReport>({ kind: 'refresh-token', options: { ...tokenOptions(appTarget, 5), connections: 2, maxRequests: 200 }, pool: pool.refreshTokens }, 60_000);
    return r.ok;
  }));
  // (5) CPU profiles of the servers' thread: the app and the baseline under the same loads.
  const cpuProfiles: CpuProfileReport[] = [];
  const profSec = quick ? 2 : 3;
  for (const server of ['app', 'baseline'] as const) {
    const name = server === 'app' ? 'Servicekonto' : 'baseline';
    cpuProfiles.push(await cpuProfile(`${name}: client_credentials, ${TOKEN_CONNECTIONS} connections, ${profSec} s`, async () =>
      (await load.run<TokenLoadReport>({ kind: 'client-credentials', options: tokenOptions(targets[server], profSec), body: ccBody }, 60_000)).ok));
    cpuProfiles.push(await cpuProfile(`${name}: sign-in flows, concurrency 4, ${profSec} s`, async () =>
      (await load.flows(targets[server], { concurrency: 4, durationMs: profSec * 1000, maxFlows: 5_000 })).completed));
  }
  for (const p of cpuProfiles) log(`cpu profile ${p.label}: ${fmt(p.busyMs / Math.max(1, p.units), 2)} ms busy per unit; top: ${p.byArea.slice(0, 4).map(([a, ms]) => `${a} ${fmt(ms, 0)}`).join(', ')}`);
  for (const p of profiles) log(`profile ${p.label}: ${fmt(p.sql.count / Math.max(1, p.units))} SQL + ${fmt(p.redis.count / Math.max(1, p.units))} Redis per unit`);
  return { profiles, cpuProfiles };
}
