import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startBaseline, type Baseline } from './baseline.ts';
import { LoadClient } from './load-client.ts';
import { flowPhase, warmUp } from './phase-flows.ts';
import { profilePhase } from './phase-profiles.ts';
import { killSpawned, rssPhase } from './phase-rss.ts';
import { tokenPhase } from './phase-tokens.ts';
import { renderResults } from './results-md.ts';
import { machineInfo, type Results } from './results.ts';
import { baselineTarget, dropBenchData, startRealApp, stopRealApp, type RealApp, type Targets } from './servers.ts';
import { fmt, here, log, sleep, USERS } from './settings.ts';

/*
 * npm run bench: the real app (in-process: buildApp + a loopback listener, PostgreSQL + Redis
 * on a throwaway schema/prefix) against a bare oidc-provider baseline (bench/baseline.ts), both
 * driven by a load generator in a separate process (bench/load-child.ts), then the idle RSS of
 * `node src/main.ts`. Writes bench/RESULTS.md. Every loop is bounded in time and count.
 *
 * This file only orders the phases and guarantees the cleanup; each phase lives in its own
 * phase-*.ts file. The numbers are those of the RESULTS.md sections; the untimed profiling
 * (4, 5) runs after the timed phases (1, 2) so it cannot disturb them, the RSS phase (3) last.
 */

async function main(): Promise<void> {
  const t0 = performance.now();
  const date = execFileSync('date', ['-u']).toString().trim();
  const machine = machineInfo();
  const loadBefore = loadavg();
  const id = `bench_${randomBytes(4).toString('hex')}`;
  const rssId = `${id}_rss`;
  const tmpDirs: string[] = [];
  let real: RealApp | undefined;
  let baseline: Baseline | undefined;
  let load: LoadClient | undefined;
  let results: Results | undefined;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    load?.close();
    killSpawned();
    await baseline?.close();
    if (real) await stopRealApp(real);
    await dropBenchData([id, rssId]);
    for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
  };
  // A crash outside the awaited chain (an 'error' event, Ctrl-C) still drops the schema and keys.
  const emergency = (reason: unknown) => {
    process.stderr.write(`bench aborted: ${(reason as Error)?.stack ?? String(reason)}\n`);
    void Promise.race([cleanup(), sleep(20_000)]).finally(() => process.exit(1));
  };
  process.once('uncaughtException', emergency);
  process.once('unhandledRejection', emergency);
  process.once('SIGINT', () => emergency('SIGINT'));
  process.once('SIGTERM', () => emergency('SIGTERM'));

  try {
    log(`setting up: schema/prefix ${id}`);
    real = await startRealApp(id);
    tmpDirs.push(real.dataDir);
    const argon2Params = { ...real.app.config.argon2 };
    baseline = await startBaseline(0, { argon2: argon2Params, users: USERS });
    const targets: Targets = { baseline: baselineTarget(baseline), app: real.target };
    log(`app ${real.url}, baseline ${baseline.url}, argon2id m=${argon2Params.memoryCost} t=${argon2Params.timeCost} p=${argon2Params.parallelism}`);
    load = new LoadClient();

    await warmUp(load, targets);
    const flows = await flowPhase(load, targets, argon2Params); // (1)
    const tokens = await tokenPhase(load, targets); // (2a) client_credentials, (2b) refresh_token
    const work = await profilePhase(load, targets, real.app, tokens.ccBody); // (4) and (5)
    const rss = await rssPhase(rssId, tmpDirs); // (3)

    results = {
      date, machine, argon2: argon2Params, loadBefore, loadAfter: loadavg(), durationSec: (performance.now() - t0) / 1000,
      flows, ...tokens, rss, ...work,
    };
  } finally {
    await cleanup();
  }

  if (!results) throw new Error('no results collected');
  const out = here('./RESULTS.md');
  writeFileSync(out, renderResults(results));
  log(`wrote ${out} after ${fmt((performance.now() - t0) / 1000, 0)} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
