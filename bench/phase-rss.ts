import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appEnv } from './servers.ts';
import { fmt, IDLE_SECONDS, log, repoRoot, sleep } from './settings.ts';

/*
 * Phase 3: idle memory. Each server is started cold as a separate process (the in-process
 * servers of the other phases share one heap), probed until it answers, left idle, and its
 * VmRSS read from /proc. Bare node HTTP servers as .mjs and .ts are measured as references.
 */

export interface RssReport {
  label: string;
  rssMb: number;
  hwmMb: number;
  anonMb: number;
  fileMb: number;
  startupMs: number;
  error?: string;
}

/** A loopback port that is free right now, for a child process to listen on. */
async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function readStatusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : NaN;
}

/** Processes started for RSS measurements, killed by the cleanup if the bench aborts. */
const spawned = new Set<ChildProcess>();

/** Kills the RSS processes still running (the bench aborts while one is being measured). */
export function killSpawned(): void {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * Starts `node [nodeFlags] args`, waits until the URL probeUrl finds in its stdout answers 200,
 * idles, then reads /proc. A failure is reported in `error` rather than thrown, so one broken
 * process does not cost the whole run.
 */
async function idleRss(label: string, args: string[], env: Record<string, string>, probeUrl: (stdout: string) => string | undefined, idleSeconds = IDLE_SECONDS, nodeFlags: string[] = []): Promise<RssReport> {
  const node = join(repoRoot, 'node_modules/.bin/node');
  const started = performance.now();
  const child = spawn(node, [...nodeFlags, ...args], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  try {
    // Up to 60 s to print its URL and answer the probe.
    let ready = false;
    for (let i = 0; i < 600 && !ready; i++) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${stderr.slice(0, 500)}`);
      const url = probeUrl(stdout);
      if (url) {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
          await res.arrayBuffer();
          ready = res.status === 200;
        } catch {
          ready = false;
        }
      }
      if (!ready) await sleep(100);
    }
    if (!ready) throw new Error(`not ready after 60 s: ${stdout.slice(0, 300)} ${stderr.slice(0, 300)}`);
    const startupMs = performance.now() - started;
    await sleep(idleSeconds * 1000);
    const rssKb = readStatusKb(child.pid!, 'VmRSS');
    const hwmKb = readStatusKb(child.pid!, 'VmHWM');
    const mb = (field: string) => readStatusKb(child.pid!, field) / 1024;
    return { label, rssMb: rssKb / 1024, hwmMb: hwmKb / 1024, anonMb: mb('RssAnon'), fileMb: mb('RssFile'), startupMs };
  } catch (error) {
    return { label, rssMb: NaN, hwmMb: NaN, anonMb: NaN, fileMb: NaN, startupMs: NaN, error: (error as Error).message };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}

export interface RssResults {
  app: RssReport;
  /** The app with --max-semi-space-size=1. */
  appSemi: RssReport;
  baseline: RssReport;
  refs: RssReport[];
}

/** rssId: schema and Redis prefix of the RSS app; its temporary directory goes into tmpDirs for the cleanup. */
export async function rssPhase(rssId: string, tmpDirs: string[]): Promise<RssResults> {
  const rssDir = mkdtempSync(join(tmpdir(), 'sk-bench-rss-'));
  tmpDirs.push(rssDir);
  const appPort = await freePort();
  const appRss = await idleRss('node src/main.ts', ['src/main.ts'], appEnv(appPort, rssId, `${rssId}:`, rssDir),
    (stdout) => (stdout.includes('http://') ? `http://127.0.0.1:${appPort}/healthz` : undefined));
  log(`idle RSS app: ${fmt(appRss.rssMb)} MB ${appRss.error ?? ''}`);
  // Same app, same environment, smaller V8 young generation: a deployment flag, not a code change.
  const semiPort = await freePort();
  const appSemiRss = await idleRss('node --max-semi-space-size=1 src/main.ts', ['src/main.ts'], appEnv(semiPort, rssId, `${rssId}:`, rssDir),
    (stdout) => (stdout.includes('http://') ? `http://127.0.0.1:${semiPort}/healthz` : undefined), IDLE_SECONDS, ['--max-semi-space-size=1']);
  log(`idle RSS app with --max-semi-space-size=1: ${fmt(appSemiRss.rssMb)} MB ${appSemiRss.error ?? ''}`);
  const basePort = await freePort();
  // One account: a single argon2 hash at start, so glibc returns its 19 MiB (the app hashes nothing at start).
  const baseRss = await idleRss('node bench/baseline.ts', ['bench/baseline.ts', String(basePort), '1'], {},
    (stdout) => (stdout.includes('baseline listening') ? `http://127.0.0.1:${basePort}/.well-known/openid-configuration` : undefined));
  log(`idle RSS baseline: ${fmt(baseRss.rssMb)} MB ${baseRss.error ?? ''}`);
  // References: a bare node HTTP server as .mjs and as .ts (the cost of type stripping itself).
  const refs: RssReport[] = [];
  for (const ext of ['mjs', 'ts'] as const) {
    const file = join(rssDir, `bare-server.${ext}`);
    writeFileSync(file, `import { createServer } from 'node:http';\nconst port${ext === 'ts' ? ': number' : ''} = Number(process.argv[2]);\n`
      + `createServer((_q, r) => r.end('ok')).listen(port, '127.0.0.1', () => process.stdout.write('listening\\n'));\n`);
    const port = await freePort();
    refs.push(await idleRss(`bare node HTTP server (.${ext})`, [file, String(port)], {},
      (stdout) => (stdout.includes('listening') ? `http://127.0.0.1:${port}/` : undefined), 2));
  }
  log(`idle RSS references: ${refs.map((x) => `${x.label} ${fmt(x.rssMb)} MB`).join(', ')}`);
  return { app: appRss, appSemi: appSemiRss, baseline: baseRss, refs };
}
