import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import argon2 from 'argon2';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../config/index.ts';
import { buildApp, type App } from '../src/app.ts';
import { startBaseline, type Baseline } from './baseline.ts';
import { percentile, type FlowRunOptions, type FlowRunReport, type FlowTarget } from './flow-driver.ts';
import type { LoadJob, LoadReply, LoadRequest } from './load-child.ts';
import type { TokenLoadOptions, TokenLoadReport } from './token-load.ts';

/*
 * npm run bench: the real app (in-process: buildApp + a loopback listener, PostgreSQL + Redis
 * on a throwaway schema/prefix) against a bare oidc-provider baseline (bench/baseline.ts), both
 * driven by a load generator in a separate process (bench/load-child.ts), then the idle RSS of
 * `node src/main.ts`. Writes bench/RESULTS.md. Every loop is bounded in time and count.
 */

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quick = process.env.BENCH_QUICK === '1';
const FLOW_SECONDS = Number(process.env.BENCH_FLOW_SECONDS ?? (quick ? 3 : 15));
const TOKEN_SECONDS = Number(process.env.BENCH_TOKEN_SECONDS ?? (quick ? 3 : 10));
const ARGON2_SECONDS = quick ? 2 : 8;
const IDLE_SECONDS = quick ? 2 : 5;
const CONCURRENCIES = [4, 8];
const TOKEN_CONNECTIONS = 20;
const USERS = 16;
const REFRESH_POOL = TOKEN_CONNECTIONS * 3;
const PASSWORD = 'Bench-Passwort-1!';
const REDIRECT_URI = 'http://127.0.0.1:9/cb';
const TARGET = { flows: 0.9, token: 0.8, rssMb: 150 };

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

// ---------------------------------------------------------------------------------------------
// Load generator process

class LoadClient {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  private nextId = 1;

  constructor() {
    this.child = fork(here('./load-child.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: LoadReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      clearTimeout(waiter.timer);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`load child: ${reply.error}`));
    });
    this.child.on('exit', (code) => {
      for (const [id, waiter] of this.pending) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`load child exited (${code}) during job ${id}`));
      }
      this.pending.clear();
    });
  }

  run<T>(job: LoadJob, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`load job ${job.kind} exceeded ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.send({ id, job } satisfies LoadRequest);
    });
  }

  flows(target: FlowTarget, options: FlowRunOptions): Promise<FlowRunReport> {
    return this.run({ kind: 'flows', target, options }, options.durationMs + 60_000);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  close(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

// ---------------------------------------------------------------------------------------------
// CPU accounting: how much CPU did processes other than the bench (and its load child) use?
// The machine is shared, so every run records it, and each run waits (bounded) for a quiet
// moment first. During app runs the figure includes the PostgreSQL and Redis work for the app.

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

interface CpuSnapshot {
  at: number;
  busySec: number;
  ownSec: number;
}

function cpuSnapshot(childPid: number | undefined): CpuSnapshot {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  const busySec = (user + nice + system + irq + softirq + steal) / CLK_TCK;
  const usage = process.cpuUsage();
  let ownSec = (usage.user + usage.system) / 1e6;
  if (childPid) {
    try {
      const stat = readFileSync(`/proc/${childPid}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ownSec += (Number(after[11]) + Number(after[12])) / CLK_TCK;
    } catch {
      // the child is gone
    }
  }
  return { at: performance.now(), busySec, ownSec };
}

/** Cores used by other processes between two snapshots. */
function othersCores(a: CpuSnapshot, b: CpuSnapshot): number {
  const wall = (b.at - a.at) / 1000;
  return wall > 0 ? Math.max(0, (b.busySec - a.busySec) - (b.ownSec - a.ownSec)) / wall : 0;
}

interface Measured<T> {
  result: T;
  /** Cores used by other processes during the run. */
  othersCores: number;
  /** Cores used by other processes right before the run (after the quiet gate). */
  othersBefore: number;
  waitedMs: number;
}

const QUIET_CORES = 0.25;
const QUIET_MAX_WAIT_MS = quick ? 2_000 : 10_000;
/** All quiet gates together wait at most this long, so the bench stays within its time budget. */
let quietBudgetMs = quick ? 5_000 : 40_000;

async function measured<T>(load: LoadClient | undefined, run: () => Promise<T>): Promise<Measured<T>> {
  const gateStart = performance.now();
  const maxWait = Math.max(500, Math.min(QUIET_MAX_WAIT_MS, quietBudgetMs));
  let othersBefore = Infinity;
  while (performance.now() - gateStart < maxWait) {
    const a = cpuSnapshot(load?.pid);
    await sleep(500);
    othersBefore = othersCores(a, cpuSnapshot(load?.pid));
    if (othersBefore <= QUIET_CORES) break;
  }
  const waitedMs = performance.now() - gateStart;
  quietBudgetMs = Math.max(0, quietBudgetMs - Math.max(0, waitedMs - 500));
  const before = cpuSnapshot(load?.pid);
  const result = await run();
  return { result, othersCores: othersCores(before, cpuSnapshot(load?.pid)), othersBefore, waitedMs };
}

const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

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

/** Two halves of one server's autocannon measurement merged (latency percentiles: mean of the halves). */
function mergeTokens(parts: TokenLoadReport[]): TokenLoadReport {
  const ok = parts.reduce((a, p) => a + p.ok, 0);
  const durationSec = parts.reduce((a, p) => a + p.durationSec, 0);
  const statusCodes: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statusCodes)) statusCodes[k] = (statusCodes[k] ?? 0) + v;
  const weightedAvg = parts.reduce((a, p) => a + p.latencyMs.avg * p.ok, 0) / Math.max(1, ok);
  const chainBreaks = parts.some((p) => p.chainBreaks !== undefined) ? parts.reduce((a, p) => a + (p.chainBreaks ?? 0), 0) : undefined;
  return {
    grant: parts[0]!.grant,
    body: parts[0]!.body,
    connections: parts[0]!.connections,
    durationSec,
    ok,
    okPerSecond: ok / durationSec,
    non2xx: parts.reduce((a, p) => a + p.non2xx, 0),
    errors: parts.reduce((a, p) => a + p.errors, 0),
    timeouts: parts.reduce((a, p) => a + p.timeouts, 0),
    statusCodes,
    latencyMs: {
      avg: weightedAvg,
      p50: meanOf(parts.map((p) => p.latencyMs.p50)),
      p97_5: meanOf(parts.map((p) => p.latencyMs.p97_5)),
      p99: meanOf(parts.map((p) => p.latencyMs.p99)),
      max: Math.max(...parts.map((p) => p.latencyMs.max)),
    },
    ...(chainBreaks !== undefined ? { chainBreaks } : {}),
  };
}

type ServerName = 'baseline' | 'app';
/** ABBA for the first pair, BAAB for the next: a linear drift in machine load cancels out. */
const ORDER: ServerName[][] = [['baseline', 'app', 'app', 'baseline'], ['app', 'baseline', 'baseline', 'app']];

interface Interleaved<T> {
  baseline: T;
  app: T;
  othersCores: { baseline: number; app: number };
  waitedMs: number;
}

async function interleave<R, T>(load: LoadClient, round: number, runHalf: (server: ServerName) => Promise<R>, merge: (parts: R[]) => T): Promise<Interleaved<T>> {
  const parts: Record<ServerName, R[]> = { baseline: [], app: [] };
  const others: Record<ServerName, number[]> = { baseline: [], app: [] };
  let waitedMs = 0;
  for (const server of ORDER[round % ORDER.length]!) {
    const m = await measured(load, () => runHalf(server));
    parts[server].push(m.result);
    others[server].push(m.othersCores);
    waitedMs += m.waitedMs;
  }
  return {
    baseline: merge(parts.baseline),
    app: merge(parts.app),
    othersCores: { baseline: meanOf(others.baseline), app: meanOf(others.app) },
    waitedMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Servers

interface RealApp {
  app: App;
  server: Server;
  url: string;
  target: FlowTarget;
  schema: string;
  prefix: string;
  dataDir: string;
}

async function listenLoopback(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function appEnv(port: number, schema: string, prefix: string, dataDir: string): Record<string, string> {
  const env: Record<string, string> = {
    DATABASE_URL, DATABASE_SCHEMA: schema, REDIS_URL, REDIS_PREFIX: prefix,
    NODE_ENV: 'test', LOG_LEVEL: 'silent', ISSUER: `http://127.0.0.1:${port}`, PORT: String(port), DATA_DIR: dataDir, DEMO: 'false',
  };
  // Same argon2 parameters everywhere; an override in the environment applies to app, baseline and floor.
  for (const name of ['ARGON2_MEMORY_KIB', 'ARGON2_TIME_COST', 'ARGON2_PARALLELISM']) {
    if (process.env[name]) env[name] = process.env[name]!;
  }
  return env;
}

async function startRealApp(id: string): Promise<RealApp> {
  const schema = id;
  const prefix = `${id}:`;
  const dataDir = mkdtempSync(join(tmpdir(), 'sk-bench-'));
  const { server, port } = await listenLoopback();
  const config = loadConfig(appEnv(port, schema, prefix, dataDir));
  const app = await buildApp(config);
  server.on('request', app.koa.callback());
  const clientId = 'bench-dienst';
  const { secret } = await app.services.onlineServices.register({
    clientId,
    displayName: 'Bench-Dienst',
    authority: 'Bench-Behörde',
    contact: 'bench@behoerde.example',
    redirectUris: [REDIRECT_URI],
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    scopes: ['openid', 'profile', 'email'],
  });
  const users: { email: string; password: string }[] = [];
  for (let i = 0; i < USERS; i++) {
    const email = `bench.user${i}@example.org`;
    await app.services.accounts.createAccount({ email, password: PASSWORD, displayName: `Bench User ${i}` });
    users.push({ email, password: PASSWORD });
  }
  const url = config.issuer;
  return { app, server, url, schema, prefix, dataDir, target: { baseUrl: url, clientId, clientSecret: secret!, redirectUri: REDIRECT_URI, users } };
}

const baselineTarget = (b: Baseline): FlowTarget => ({ baseUrl: b.url, clientId: b.clientId, clientSecret: b.clientSecret, redirectUri: b.redirectUri, users: b.users });

const tokenOptions = (t: FlowTarget, durationSec: number): TokenLoadOptions => ({
  baseUrl: t.baseUrl, clientId: t.clientId, clientSecret: t.clientSecret, connections: TOKEN_CONNECTIONS, durationSec, maxRequests: 500_000,
});

// ---------------------------------------------------------------------------------------------
// Argon2 floor: raw verifies with the same parameters, in this process, same concurrency

interface Argon2Report {
  concurrency: number;
  verifies: number;
  perSecond: number;
  avgMs: number;
}

async function argon2Floor(params: { memoryCost: number; timeCost: number; parallelism: number }, concurrency: number, seconds: number): Promise<Argon2Report> {
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

// ---------------------------------------------------------------------------------------------
// Idle RSS of a separate process

interface RssReport {
  label: string;
  rssMb: number;
  hwmMb: number;
  anonMb: number;
  fileMb: number;
  startupMs: number;
  error?: string;
}

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

// ---------------------------------------------------------------------------------------------
// Per-request work of the app: SQL statements and Redis commands (a separate, untimed phase)

interface WorkProfile {
  label: string;
  units: number;
  sql: { count: number; ms: number; byStatement: [string, number, number][] };
  redis: { count: number; byCommand: [string, number][] };
}

type QueryFn = (this: unknown, query: string, ...rest: unknown[]) => Promise<unknown>;

async function profileWork(app: App, label: string, work: () => Promise<number>): Promise<WorkProfile> {
  // SQL: wrap the query runner prototype of this DataSource's driver (bench process only).
  const runner = app.dataSource.createQueryRunner();
  const proto = Object.getPrototypeOf(runner) as { query: QueryFn };
  await runner.release();
  const original = proto.query;
  const statements = new Map<string, { n: number; ms: number }>();
  proto.query = async function query(this: unknown, sql: string, ...rest: unknown[]) {
    const t = performance.now();
    try {
      return await original.call(this, sql, ...rest);
    } finally {
      const key = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
      const entry = statements.get(key) ?? { n: 0, ms: 0 };
      entry.n++;
      entry.ms += performance.now() - t;
      statements.set(key, entry);
    }
  };
  // Redis: every command the app's connection writes (auto-pipelined and MULTI batches included)
  // passes through the instance's sendCommand once.
  const redis = app.redis as unknown as { sendCommand: (command: { name: string }, ...rest: unknown[]) => unknown };
  const sendCommand = redis.sendCommand;
  const commands = new Map<string, number>();
  redis.sendCommand = function send(this: unknown, command: { name: string }, ...rest: unknown[]) {
    const name = String(command.name).toUpperCase();
    commands.set(name, (commands.get(name) ?? 0) + 1);
    return sendCommand.call(this, command, ...rest);
  };
  let units = 0;
  try {
    await sleep(200);
    units = await work();
    await sleep(300);
  } finally {
    proto.query = original;
    redis.sendCommand = sendCommand;
  }
  const sqlTotal = [...statements.values()].reduce((a, s) => ({ n: a.n + s.n, ms: a.ms + s.ms }), { n: 0, ms: 0 });
  return {
    label,
    units,
    sql: {
      count: sqlTotal.n,
      ms: sqlTotal.ms,
      byStatement: [...statements].sort((a, b) => b[1].n - a[1].n).map(([k, s]) => [k, s.n, s.ms] as [string, number, number]),
    },
    redis: { count: [...commands.values()].reduce((a, b) => a + b, 0), byCommand: [...commands].sort((a, b) => b[1] - a[1]) },
  };
}

// ---------------------------------------------------------------------------------------------
// CPU profile of the bench process's main thread (where both servers run) under one load

interface CpuProfileReport {
  label: string;
  units: number;
  wallMs: number;
  busyMs: number;
  byArea: [string, number][];
  byFunction: [string, number][];
}

const SOCKET_WRITES = new Set(['writev', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeBuffer', 'writeUcs2String']);

function areaOf(url: string, fn: string): string {
  if (!url) {
    if (SOCKET_WRITES.has(fn)) return 'socket writes (syscalls)';
    return fn.startsWith('(') ? fn : '(native other)';
  }
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const root = pathToFileURL(repoRoot).href;
  if (url.startsWith(root)) {
    const [top = '', second] = url.slice(root.length).split('/');
    return top === 'src' && second && !second.includes('.') ? `app src/${second}` : `app ${top}`;
  }
  return url.replace(/^file:\/\//, '').slice(-60);
}

async function cpuProfile(label: string, work: () => Promise<number>): Promise<CpuProfileReport> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const started = performance.now();
  let units = 0;
  let profile: Awaited<ReturnType<typeof stop>>;
  async function stop() {
    return (await session.post('Profiler.stop')).profile;
  }
  try {
    units = await work();
  } finally {
    profile = await stop();
    session.disconnect();
  }
  const wallMs = profile.endTime > profile.startTime ? (profile.endTime - profile.startTime) / 1000 : performance.now() - started;
  const selfUs = new Map<number, number>();
  profile.samples?.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = functionName || '(anonymous)';
    // Idle time and the profiler's own inspector calls are not the servers' work.
    if (fn === '(idle)' || url.startsWith('node:inspector')) continue;
    busyUs += us;
    const area = areaOf(url, fn);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = url ? `${area}: ${fn} (${url.split('/').slice(-1)[0]}:${lineNumber + 1})` : fn;
    functions.set(where, (functions.get(where) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => [k, us / 1000] as [string, number]);
  return { label, units, wallMs, busyMs: busyUs / 1000, byArea: top(areas, 40), byFunction: top(functions, 14) };
}

// ---------------------------------------------------------------------------------------------
// Cleanup

async function dropSchemas(schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function deleteRedisPrefixes(prefixes: string[]): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  let deleted = 0;
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      let rounds = 0;
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) deleted += await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0' && ++rounds < 100_000);
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

// ---------------------------------------------------------------------------------------------
// Report

interface Results {
  date: string;
  machine: { nproc: string; cpu: string; memory: string; node: string; kernel: string; oidcProvider: string };
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  loadBefore: number[];
  loadAfter: number[];
  durationSec: number;
  flows: {
    concurrency: number; baseline: FlowRunReport; app: FlowRunReport; argon2: Argon2Report;
    othersCores: { baseline: number; app: number; argon2: number };
  }[];
  ccBody: string;
  ccProbe: { baseline: string; app: string };
  clientCredentials: Interleaved<TokenLoadReport>;
  refresh: Interleaved<TokenLoadReport> & { minted: Record<ServerName, number[]> };
  rss: { app: RssReport; appSemi: RssReport; baseline: RssReport; refs: RssReport[] };
  profiles: WorkProfile[];
  cpuProfiles: CpuProfileReport[];
}

const ratio = (app: number, base: number) => (base > 0 ? app / base : NaN);
const verdict = (ok: boolean) => (ok ? '✅ met' : '❌ missed');

function errorsCell(r: FlowRunReport): string {
  if (r.errors === 0) return '0';
  return `${r.errors} (${Object.entries(r.errorKinds).map(([k, v]) => `${k}×${v}`).join(', ')})`;
}

function tokenErrors(r: TokenLoadReport): string {
  const bad = Object.entries(r.statusCodes).filter(([code]) => code !== '200').map(([code, n]) => `${code}×${n}`);
  const parts = [...bad, ...(r.errors ? [`conn errors ${r.errors}`] : []), ...(r.timeouts ? [`timeouts ${r.timeouts}`] : [])];
  return parts.length ? parts.join(', ') : '0';
}

function renderResults(r: Results): string {
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push(
    '# Servicekonto — performance bench results',
    '',
    `Generated by \`npm run bench\` (bench/run.ts) — do not edit by hand; run it again.`,
    '',
    '## Run',
    '',
    `- Date: \`${r.date}\``,
    `- Machine: ${r.machine.nproc} CPUs (\`nproc\`), ${r.machine.cpu}, ${r.machine.memory} RAM, kernel ${r.machine.kernel}`,
    `- Node ${r.machine.node}, oidc-provider ${r.machine.oidcProvider}, PostgreSQL + Redis on loopback`,
    `- argon2id: m=${r.argon2.memoryCost} KiB, t=${r.argon2.timeCost}, p=${r.argon2.parallelism} (app config; the baseline and the floor use the same)`,
    `- Load average (1/5/15 min) before: ${r.loadBefore.map((n) => fmt(n, 2)).join(' / ')}, after: ${r.loadAfter.map((n) => fmt(n, 2)).join(' / ')}`,
    `- Total bench time: ${fmt(r.durationSec, 0)} s. Servers run in the bench process; the load generator is a separate process (\`bench/load-child.ts\`), so both share the ${r.machine.nproc} cores.`,
    `- Every comparison is interleaved in halves (baseline, app, app, baseline — or the mirror), each half after a bounded wait (≤ ${QUIET_MAX_WAIT_MS / 1000} s) for other processes to use < ${QUIET_CORES} cores. "Other CPU" columns give the cores used by processes outside the bench during the run (for app runs this includes the PostgreSQL and Redis work done for the app; for baseline runs it is pure interference).`,
    '',
    '## Summary',
    '',
    '| Measurement | Baseline | Servicekonto | Ratio | Target | Result |',
    '|---|---:|---:|---:|---|---|',
  );
  for (const f of r.flows) {
    const q = ratio(f.app.flowsPerSecond, f.baseline.flowsPerSecond);
    push(`| Sign-in flows/s, concurrency ${f.concurrency} | ${fmt(f.baseline.flowsPerSecond)} | ${fmt(f.app.flowsPerSecond)} | ${fmt(q, 2)}× | ≥ ${TARGET.flows}× | ${verdict(q >= TARGET.flows)} |`);
  }
  const cc = r.clientCredentials;
  const ccq = ratio(cc.app.okPerSecond, cc.baseline.okPerSecond);
  push(`| /token client_credentials req/s (${TOKEN_CONNECTIONS} conn) | ${fmt(cc.baseline.okPerSecond, 0)} | ${fmt(cc.app.okPerSecond, 0)} | ${fmt(ccq, 2)}× | ≥ ${TARGET.token}× | ${verdict(ccq >= TARGET.token)} |`);
  const rt = r.refresh;
  const rtq = ratio(rt.app.okPerSecond, rt.baseline.okPerSecond);
  push(`| /token refresh_token req/s (${TOKEN_CONNECTIONS} conn) | ${fmt(rt.baseline.okPerSecond, 0)} | ${fmt(rt.app.okPerSecond, 0)} | ${fmt(rtq, 2)}× | ≥ ${TARGET.token}× | ${verdict(rtq >= TARGET.token)} |`);
  const rss = r.rss;
  push(`| Idle RSS of one node (MB) | ${fmt(rss.baseline.rssMb)} | ${fmt(rss.app.rssMb)} | ${fmt(ratio(rss.app.rssMb, rss.baseline.rssMb), 2)}× | < ${TARGET.rssMb} MB | ${verdict(rss.app.rssMb < TARGET.rssMb)} |`);

  push(
    '',
    '## 1. Full sign-in flow',
    '',
    `One flow = fresh cookie jar → GET /auth (PKCE S256) → GET /interaction/:uid → POST login (argon2id verify) → GET /auth/:uid → code at the redirect URI → POST /token (authorization_code, client_secret_basic). ${USERS} accounts per server, used round-robin; a warm-up of one flow per account gives the consent once beforehand, so the timed flows are returning users (the app then loads the remembered consent, the baseline grants in the login request). ${FLOW_SECONDS} s per run.`,
    '',
    '| Concurrency | Server | Flows/s | Completed | Errors | p50 ms | p95 ms | p99 ms | Consent pages | Other CPU (cores) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const f of r.flows) {
    for (const [name, rep, others] of [['baseline', f.baseline, f.othersCores.baseline], ['Servicekonto', f.app, f.othersCores.app]] as const) {
      push(`| ${f.concurrency} | ${name} | ${fmt(rep.flowsPerSecond)} | ${rep.completed} | ${errorsCell(rep)} | ${fmt(rep.latencyMs.p50, 0)} | ${fmt(rep.latencyMs.p95, 0)} | ${fmt(rep.latencyMs.p99, 0)} | ${rep.consents} | ${fmt(others, 2)} |`);
    }
  }
  push(
    '',
    'argon2id floor — raw `argon2.verify` with the same parameters, in-process, same number of concurrent callers (libuv thread pool of 4, 2 cores). Every flow contains exactly one verify, so this is the ceiling for flows/s on this machine:',
    '',
    '| Concurrency | Verifies/s | Mean verify ms | Baseline flows as % of floor | Servicekonto flows as % of floor | Other CPU (cores) |',
    '|---:|---:|---:|---:|---:|---:|',
  );
  for (const f of r.flows) {
    push(`| ${f.concurrency} | ${fmt(f.argon2.perSecond)} | ${fmt(f.argon2.avgMs)} | ${fmt((100 * f.baseline.flowsPerSecond) / f.argon2.perSecond, 0)} % | ${fmt((100 * f.app.flowsPerSecond) / f.argon2.perSecond, 0)} % | ${fmt(f.othersCores.argon2, 2)} |`);
  }
  const samples = r.flows.flatMap((f) => [...f.baseline.errorSamples, ...f.app.errorSamples]);
  if (samples.length) push('', 'First flow errors:', '', ...samples.slice(0, 6).map((s) => `- \`${s.replace(/`/g, "'").slice(0, 240)}\``));

  push(
    '',
    '## 2. Token endpoint (autocannon)',
    '',
    `client_credentials: autocannon programmatic API, POST /token with basic auth and body \`${r.ccBody}\`, ${TOKEN_CONNECTIONS} connections, ${TOKEN_SECONDS} s per server in two halves, after a 2 s warm-up. Probe of \`grant_type=client_credentials&scope=\`: baseline ${r.ccProbe.baseline}; app ${r.ccProbe.app}.`,
    '',
    `refresh_token: autocannon with a \`setupRequest\` that takes a refresh token from a shared queue and an \`onResponse\` that puts the rotated one back — each connection follows its own rotation chain, every request is a first-time redemption. The queue is pre-minted by the flow driver right before each half (${r.refresh.minted.baseline.join('+')} baseline / ${r.refresh.minted.app.join('+')} app tokens for ${TOKEN_CONNECTIONS} connections). ${TOKEN_SECONDS} s per server in two halves. Rates count 200 responses only; latency percentiles are the mean of the two halves.`,
    '',
    '| Grant | Server | OK req/s | OK total | Non-200 / errors | avg ms | p50 ms | p97.5 ms | p99 ms | Other CPU (cores) |',
    '|---|---|---:|---:|---|---:|---:|---:|---:|---:|',
  );
  for (const [grant, pair] of [['client_credentials', cc], ['refresh_token', rt]] as const) {
    for (const [name, rep, others] of [['baseline', pair.baseline, pair.othersCores.baseline], ['Servicekonto', pair.app, pair.othersCores.app]] as const) {
      const extra = rep.chainBreaks !== undefined ? ` (chain breaks ${rep.chainBreaks})` : '';
      push(`| ${grant} | ${name} | ${fmt(rep.okPerSecond, 0)} | ${rep.ok} | ${tokenErrors(rep)}${extra} | ${fmt(rep.latencyMs.avg)} | ${fmt(rep.latencyMs.p50, 0)} | ${fmt(rep.latencyMs.p97_5, 0)} | ${fmt(rep.latencyMs.p99, 0)} | ${fmt(others, 2)} |`);
    }
  }

  push(
    '',
    '## 3. Idle memory',
    '',
    `A separate process per server, started cold, ready (app: \`/healthz\` answers; baseline: discovery answers), then idle ${IDLE_SECONDS} s; VmRSS (and peak VmHWM) from /proc/<pid>/status.`,
    '',
    '| Process | VmRSS MB | RssAnon MB | RssFile MB | VmHWM MB | Start-up to ready ms |',
    '|---|---:|---:|---:|---:|---:|',
    `| \`node src/main.ts\` (DEMO=false, PostgreSQL + Redis) | ${fmt(rss.app.rssMb)} | ${fmt(rss.app.anonMb)} | ${fmt(rss.app.fileMb)} | ${fmt(rss.app.hwmMb)} | ${fmt(rss.app.startupMs, 0)} |`,
    `| \`node --max-semi-space-size=1 src/main.ts\` (same, smaller V8 young generation) | ${fmt(rss.appSemi.rssMb)} | ${fmt(rss.appSemi.anonMb)} | ${fmt(rss.appSemi.fileMb)} | ${fmt(rss.appSemi.hwmMb)} | ${fmt(rss.appSemi.startupMs, 0)} |`,
    `| \`node bench/baseline.ts\` (one account) | ${fmt(rss.baseline.rssMb)} | ${fmt(rss.baseline.anonMb)} | ${fmt(rss.baseline.fileMb)} | ${fmt(rss.baseline.hwmMb)} | ${fmt(rss.baseline.startupMs, 0)} |`,
    ...rss.refs.map((x) => `| reference: ${x.label} | ${fmt(x.rssMb)} | ${fmt(x.anonMb)} | ${fmt(x.fileMb)} | ${fmt(x.hwmMb)} | ${fmt(x.startupMs, 0)} |`),
  );
  for (const x of [rss.app, rss.appSemi, rss.baseline, ...rss.refs]) if (x.error) push('', `${x.label} failed: \`${x.error}\``);

  push(
    '',
    '## 4. Work per request in the app (untimed profiling phase)',
    '',
    'SQL statements counted by wrapping the TypeORM query runner of the in-process app (wall time includes pool wait); Redis commands counted at the `sendCommand` of the app\'s ioredis connection (MULTI/EXEC count as commands; auto-pipelining batches several into one round trip).',
    '',
  );
  for (const p of r.profiles) {
    const per = (n: number) => fmt(n / Math.max(1, p.units), 1);
    push(
      `### ${p.label} (${p.units} measured)`,
      '',
      `- SQL: ${per(p.sql.count)} statements per unit, ${fmt(p.sql.ms / Math.max(1, p.units), 2)} ms SQL wall time per unit`,
      `- Redis: ${per(p.redis.count)} commands per unit (${p.redis.byCommand.map(([c, n]) => `${c} ${per(n)}`).join(', ')})`,
      '',
      '| Statement (first 110 chars) | per unit | mean ms |',
      '|---|---:|---:|',
      ...p.sql.byStatement.slice(0, 12).map(([s, n, ms]) => `| \`${s.replace(/\|/g, '\\|').replace(/`/g, "'")}\` | ${per(n)} | ${fmt(ms / n, 2)} |`),
      '',
    );
  }
  push(
    '## 5. Where the servers\' JS thread spends its time (untimed CPU profiles)',
    '',
    'V8 sampling profiler on the bench process\'s main thread (both servers run there; argon2 runs on the libuv pool and is not sampled). Self time, idle excluded, grouped by package or app directory.',
    '',
    '| Load | Units | JS busy ms per unit | Busy share of wall time | Top areas (self ms) |',
    '|---|---:|---:|---:|---|',
    ...r.cpuProfiles.map((p) => `| ${p.label} | ${p.units} | ${fmt(p.busyMs / Math.max(1, p.units), 2)} | ${fmt((100 * p.busyMs) / p.wallMs, 0)} % | ${p.byArea.slice(0, 7).map(([a, ms]) => `${a} ${fmt(ms, 0)}`).join(', ')} |`),
    '',
  );
  for (const p of r.cpuProfiles.filter((x) => x.label.startsWith('Servicekonto'))) {
    push(`Top functions — ${p.label}:`, '', ...p.byFunction.slice(0, 10).map(([f, ms]) => `- ${fmt(ms, 0)} ms — \`${f.replace(/`/g, "'")}\``), '');
  }
  push('## Analysis', '', ...analysis(r), '');
  return `${lines.join('\n')}\n`;
}

function analysis(r: Results): string[] {
  const out: string[] = [];
  const cores = Number(r.machine.nproc) || 2;
  const prof = (prefix: string) => r.cpuProfiles.find((p) => p.label.startsWith(prefix));
  const busyPer = (p: CpuProfileReport | undefined) => (p ? p.busyMs / Math.max(1, p.units) : NaN);
  const share = (p: CpuProfileReport | undefined, area: string) => (p ? (100 * (p.byArea.find(([a]) => a === area)?.[1] ?? 0)) / Math.max(1, p.busyMs) : NaN);
  const work = (prefix: string) => r.profiles.find((p) => p.label.startsWith(prefix));
  const stmtPer = (p: WorkProfile | undefined, re: RegExp) => (p ? p.sql.byStatement.filter(([sql]) => re.test(sql)).reduce((a, [, n]) => a + n, 0) / Math.max(1, p.units) : NaN);

  // Sign-in flows
  const flowRatios = r.flows.map((f) => ratio(f.app.flowsPerSecond, f.baseline.flowsPerSecond));
  const flowsMet = flowRatios.every((q) => q >= TARGET.flows);
  const last = r.flows.at(-1)!;
  const argonCpuMs = (cores * 1000) / last.argon2.perSecond;
  const appFlowJs = busyPer(prof('Servicekonto: sign-in'));
  const baseFlowJs = busyPer(prof('baseline: sign-in'));
  const flowWork = work('Sign-in flow');
  const dbRedisMs = Math.max(0, (last.othersCores.app - last.othersCores.baseline) * 1000 / Math.max(1e-9, last.app.flowsPerSecond));
  const first = r.flows[0]!;
  out.push(`- **Sign-in flows: ${flowsMet ? 'target met' : 'target missed'}** (${r.flows.map((f, i) => `${fmt(flowRatios[i]!, 2)}× at c=${f.concurrency}`).join(', ')}; target ≥ ${TARGET.flows}×). `
    + `Each worker is a closed loop, so flows/s = C ÷ flow latency: at c=${first.concurrency} the app's median flow takes ${fmt(first.app.latencyMs.p50, 0)} ms against ${fmt(first.baseline.latencyMs.p50, 0)} ms. `
    + `Where the difference goes: per flow the app's server thread is busy ${fmt(appFlowJs, 1)} ms against ${fmt(baseFlowJs, 1)} ms for the baseline (section 5), its ${flowWork ? fmt(flowWork.sql.count / Math.max(1, flowWork.units), 1) : '?'} SQL statements take ${flowWork ? fmt(flowWork.sql.ms / Math.max(1, flowWork.units), 1) : '?'} ms of wall time, and it sends ${flowWork ? fmt(flowWork.redis.count / Math.max(1, flowWork.units), 1) : '?'} Redis commands (section 4); socket writes (one syscall per round trip) are ${fmt(share(prof('Servicekonto: sign-in'), 'socket writes (syscalls)'), 0)} % of the app's server-thread time. `
    + `With more concurrency the ${cores} cores become the limit: one argon2id verify costs about ${fmt(argonCpuMs, 0)} ms of CPU (${fmt(last.argon2.perSecond, 0)} verifies/s), the same in both servers, and the app's extra server-thread time plus roughly ${fmt(dbRedisMs, 0)} ms of PostgreSQL/Redis CPU per flow come out of the same cores, so they show up almost one-to-one as lost throughput (the baseline reaches ${fmt((100 * last.baseline.flowsPerSecond) / last.argon2.perSecond, 0)} % of the argon2 floor at c=${last.concurrency}, the app ${fmt((100 * last.app.flowsPerSecond) / last.argon2.perSecond, 0)} %). `
    + `Redundant work per flow: the online_service row is read ${fmt(stmtPer(flowWork, /"OnlineService"/), 1)}× (oidc-provider's Client.find goes to the adapter on every request for a non-static client — /auth, /auth/:uid, /token — and InteractionPort.details reads it again on each interaction request), the account ${fmt(stmtPer(flowWork, /"Account"\."id"/), 1)}× by id (findAccount) plus once by e-mail, and every returning sign-in builds a new Grant from the stored consent and appends its id to consent.grant_ids (${fmt(stmtPer(flowWork, /UPDATE consent SET grant_ids/), 1)} UPDATE per flow; nothing ever removes ids, so the row read on every sign-in grows with each one). The login throttle adds 3 MULTI transactions (INCRBY/EXPIRE/TTL) and a DEL per successful login.`);

  // Token endpoint
  const cc = ratio(r.clientCredentials.app.okPerSecond, r.clientCredentials.baseline.okPerSecond);
  const rt = ratio(r.refresh.app.okPerSecond, r.refresh.baseline.okPerSecond);
  const ccWork = work('client_credentials');
  const rtWork = work('refresh_token');
  const perUnit = (p: WorkProfile | undefined, n: (p: WorkProfile) => number) => (p ? fmt(n(p) / Math.max(1, p.units), 1) : '?');
  const appCc = prof('Servicekonto: client_credentials');
  const baseCc = prof('baseline: client_credentials');
  const tokenMet = cc >= TARGET.token && rt >= TARGET.token;
  out.push(`- **Token endpoint: ${tokenMet ? 'target met' : 'target missed'}** (client_credentials ${fmt(cc, 2)}×, refresh_token ${fmt(rt, 2)}×; target ≥ ${TARGET.token}×). `
    + `Under this load the server thread is busy ${fmt(appCc ? (100 * appCc.busyMs) / appCc.wallMs : NaN, 0)} % (app) and ${fmt(baseCc ? (100 * baseCc.busyMs) / baseCc.wallMs : NaN, 0)} % (baseline) of the time, so the rate is set by CPU work per request. The baseline keeps its static client and all tokens in process memory (${fmt(busyPer(baseCc), 2)} ms of server-thread time per client_credentials request); `
    + `the app spends ${fmt(busyPer(appCc), 2)} ms, because every request also reads the client from PostgreSQL through TypeORM, maps it (toClientMetadata) and lets oidc-provider hash the metadata JSON to find its cached Client (${perUnit(ccWork, (p) => p.sql.count)} SQL + ${perUnit(ccWork, (p) => p.redis.count)} Redis commands per client_credentials request; ${perUnit(rtWork, (p) => p.sql.count)} SQL — client and account — + ${perUnit(rtWork, (p) => p.redis.count)} Redis commands per refresh), `
    + `and PostgreSQL + Redis themselves used ${fmt(r.clientCredentials.othersCores.app, 2)} cores during the app's client_credentials run. `
    + `Socket writes are ${fmt(share(appCc, 'socket writes (syscalls)'), 0)} %, TypeORM + pg ${fmt(share(appCc, 'typeorm') + share(appCc, 'pg') + share(appCc, 'pg-protocol'), 0)} % and the app's own Koa middleware and routers ${fmt(['app src/http', 'app interactions', 'koa', '@koa/router', 'koa-compose', 'koa-static', 'pino', 'prom-client'].reduce((a, x) => a + share(appCc, x), 0), 0)} % of the app's server-thread time for client_credentials (section 5). `
    + `${tokenMet ? '' : 'A short-lived in-process cache of client metadata (and of the account for refresh) in front of the adapters would remove the per-request SQL round trip; the Redis writes per issued token remain.'}`);

  // Idle RSS
  const bare = r.rss.refs.find((x) => x.label.includes('.mjs'));
  const bareTs = r.rss.refs.find((x) => x.label.includes('.ts'));
  const strip = bare && bareTs ? bareTs.rssMb - bare.rssMb : NaN;
  const rssMet = r.rss.app.rssMb < TARGET.rssMb;
  out.push(`- **Idle RSS: ${rssMet ? 'target met' : 'target missed'}** (${fmt(r.rss.app.rssMb)} MB; target < ${TARGET.rssMb} MB). `
    + `A bare node HTTP server idles at ${fmt(bare?.rssMb ?? NaN)} MB; running it as .ts adds ${fmt(strip)} MB (Node's type stripper is loaded as soon as one .ts file is imported). The bare baseline (oidc-provider, Koa, argon2, jose, also started as .ts) idles at ${fmt(r.rss.baseline.rssMb)} MB; `
    + `the app adds ${fmt(r.rss.app.rssMb - r.rss.baseline.rssMb)} MB on top (TypeORM, pg, ioredis, Handlebars, zod, pino, prom-client, the app's own modules and their state). `
    + `${rssMet ? '' : `Without code changes, a smaller V8 young generation gets ${fmt(r.rss.appSemi.rssMb)} MB (\`--max-semi-space-size=1\`, throughput effect not measured here); starting from precompiled JavaScript would save about ${fmt(strip, 0)} MB more.`}`);
  return out;
}

// ---------------------------------------------------------------------------------------------

function machineInfo(): Results['machine'] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? NaN);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'node_modules/oidc-provider/package.json'), 'utf8')) as { version: string };
  return {
    nproc: execFileSync('nproc').toString().trim(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memory: `${fmt(memKb / 1024 / 1024, 1)} GiB`,
    node: process.version,
    kernel: execFileSync('uname', ['-r']).toString().trim(),
    oidcProvider: pkg.version,
  };
}

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
    for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await baseline?.close();
    if (real) {
      await new Promise<void>((resolve) => {
        real!.server.closeAllConnections();
        real!.server.close(() => resolve());
      });
      await real.app.close();
    }
    try {
      await dropSchemas([id, rssId]);
      const deleted = await deleteRedisPrefixes([`${id}:`, `${rssId}:`]);
      log(`cleaned up: schemas ${id}, ${rssId}; ${deleted} Redis keys`);
    } catch (error) {
      log(`cleanup failed: ${(error as Error).message}`);
    }
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
    const targets = { baseline: baselineTarget(baseline), app: real.target };
    log(`app ${real.url}, baseline ${baseline.url}, argon2id m=${argon2Params.memoryCost} t=${argon2Params.timeCost} p=${argon2Params.parallelism}`);
    load = new LoadClient();

    // Warm-up: one flow per account (the app's accounts give consent once), JIT warm on both.
    for (const name of ['baseline', 'app'] as const) {
      const warm = await load.flows(targets[name], { concurrency: 4, durationMs: 30_000, maxFlows: USERS });
      log(`warm-up ${name}: ${warm.completed} flows, ${warm.consents} consents, ${warm.errors} errors ${warm.errorSamples.join(' | ')}`);
      if (warm.completed === 0) throw new Error(`no flow completes on ${name}: ${warm.errorSamples.join(' | ')}`);
    }

    // (1) Flows, interleaved ABBA in halves, and the argon2 floor at the same concurrency.
    const flows: Results['flows'] = [];
    for (const [round, concurrency] of CONCURRENCIES.entries()) {
      const half = { concurrency, durationMs: (FLOW_SECONDS * 1000) / 2, maxFlows: 10_000 };
      const pair = await interleave(load, round, (server) => load!.flows(targets[server], half), mergeFlows);
      const floor = await measured(load, () => argon2Floor(argon2Params, concurrency, ARGON2_SECONDS));
      log(`flows c=${concurrency}: baseline ${fmt(pair.baseline.flowsPerSecond)}/s (${pair.baseline.errors} errors), app ${fmt(pair.app.flowsPerSecond)}/s (${pair.app.errors} errors) ${pair.app.errorSamples.slice(0, 2).join(' | ')}; argon2 floor ${fmt(floor.result.perSecond)}/s; other processes ${fmt(pair.othersCores.baseline, 2)}/${fmt(pair.othersCores.app, 2)} cores`);
      flows.push({ concurrency, baseline: pair.baseline, app: pair.app, argon2: floor.result, othersCores: { ...pair.othersCores, argon2: floor.othersCores } });
    }

    // (2a) client_credentials: find a body both servers accept.
    const emptyScope = 'grant_type=client_credentials&scope=';
    const probe = async (t: FlowTarget, body: string) =>
      load!.run<{ ok: boolean; status: number; text: string }>({ kind: 'probe-client-credentials', options: tokenOptions(t, 1), body }, 30_000);
    const probeB = await probe(targets.baseline, emptyScope);
    const probeA = await probe(targets.app, emptyScope);
    const describe = (p: { ok: boolean; status: number; text: string }) => (p.ok ? `accepted (${p.status})` : `rejected (${p.status} ${p.text.replace(/[`|]/g, "'")})`);
    const ccBody = probeB.ok && probeA.ok ? emptyScope : 'grant_type=client_credentials';
    if (ccBody !== emptyScope) {
      for (const t of [targets.baseline, targets.app]) {
        const p = await probe(t, ccBody);
        if (!p.ok) throw new Error(`client_credentials without scope refused by ${t.baseUrl}: ${p.status} ${p.text}`);
      }
    }
    log(`client_credentials body: ${ccBody} (empty scope: baseline ${describe(probeB)}, app ${describe(probeA)})`);
    for (const server of ['baseline', 'app'] as const) {
      await load.run<TokenLoadReport>({ kind: 'client-credentials', options: tokenOptions(targets[server], 2), body: ccBody }, 60_000);
    }
    const tokenHalf = TOKEN_SECONDS / 2;
    const cc = await interleave(load, 0, (server) =>
      load!.run<TokenLoadReport>({ kind: 'client-credentials', options: tokenOptions(targets[server], tokenHalf), body: ccBody }, tokenHalf * 1000 + 60_000), mergeTokens);
    log(`client_credentials: baseline ${fmt(cc.baseline.okPerSecond, 0)} ok/s, app ${fmt(cc.app.okPerSecond, 0)} ok/s (non2xx ${cc.baseline.non2xx}/${cc.app.non2xx}); other processes ${fmt(cc.othersCores.baseline, 2)}/${fmt(cc.othersCores.app, 2)} cores`);

    // (2b) refresh_token: a pool is minted by the flow driver right before each half (the
    // baseline's in-memory adapter is an LRU of 1000 entries, so older tokens get evicted).
    const minted: Record<ServerName, number[]> = { baseline: [], app: [] };
    const rt = await interleave(load, 1, async (server) => {
      const mint = await load!.flows(targets[server], { concurrency: 8, durationMs: 60_000, maxFlows: REFRESH_POOL, keepRefreshTokens: true });
      if (mint.refreshTokens.length < TOKEN_CONNECTIONS) throw new Error(`only ${mint.refreshTokens.length} refresh tokens minted on ${server}: ${mint.errorSamples.join(' | ')}`);
      minted[server].push(mint.refreshTokens.length);
      return load!.run<TokenLoadReport>({ kind: 'refresh-token', options: tokenOptions(targets[server], tokenHalf), pool: mint.refreshTokens }, tokenHalf * 1000 + 60_000);
    }, mergeTokens);
    log(`refresh_token: baseline ${fmt(rt.baseline.okPerSecond, 0)} ok/s, app ${fmt(rt.app.okPerSecond, 0)} ok/s (chain breaks ${rt.baseline.chainBreaks}/${rt.app.chainBreaks}); other processes ${fmt(rt.othersCores.baseline, 2)}/${fmt(rt.othersCores.app, 2)} cores`);

    // (4) Work per request in the app (untimed; after the timed runs so it cannot disturb them).
    const profiles: WorkProfile[] = [];
    const appTarget = targets.app;
    profiles.push(await profileWork(real.app, 'Sign-in flow (returning user, consent remembered)', async () => {
      const r = await load!.flows(appTarget, { concurrency: 2, durationMs: 20_000, maxFlows: USERS });
      return r.completed;
    }));
    profiles.push(await profileWork(real.app, 'client_credentials token request', async () => {
      const r = await load!.run<TokenLoadReport>({ kind: 'client-credentials', options: { ...tokenOptions(appTarget, 5), connections: 2, maxRequests: 200 }, body: ccBody }, 60_000);
      return r.ok;
    }));
    const pool = await load.flows(appTarget, { concurrency: 4, durationMs: 20_000, maxFlows: 8, keepRefreshTokens: true });
    profiles.push(await profileWork(real.app, 'refresh_token token request', async () => {
      const r = await load!.run<TokenLoadReport>({ kind: 'refresh-token', options: { ...tokenOptions(appTarget, 5), connections: 2, maxRequests: 200 }, pool: pool.refreshTokens }, 60_000);
      return r.ok;
    }));
    // (5) CPU profiles of the servers' thread: the app and the baseline under the same loads.
    const cpuProfiles: CpuProfileReport[] = [];
    const profSec = quick ? 2 : 3;
    for (const server of ['app', 'baseline'] as const) {
      const name = server === 'app' ? 'Servicekonto' : 'baseline';
      cpuProfiles.push(await cpuProfile(`${name}: client_credentials, ${TOKEN_CONNECTIONS} connections, ${profSec} s`, async () =>
        (await load!.run<TokenLoadReport>({ kind: 'client-credentials', options: tokenOptions(targets[server], profSec), body: ccBody }, 60_000)).ok));
      cpuProfiles.push(await cpuProfile(`${name}: sign-in flows, concurrency 4, ${profSec} s`, async () =>
        (await load!.flows(targets[server], { concurrency: 4, durationMs: profSec * 1000, maxFlows: 5_000 })).completed));
    }
    for (const p of cpuProfiles) log(`cpu profile ${p.label}: ${fmt(p.busyMs / Math.max(1, p.units), 2)} ms busy per unit; top: ${p.byArea.slice(0, 4).map(([a, ms]) => `${a} ${fmt(ms, 0)}`).join(', ')}`);
    for (const p of profiles) log(`profile ${p.label}: ${fmt(p.sql.count / Math.max(1, p.units))} SQL + ${fmt(p.redis.count / Math.max(1, p.units))} Redis per unit`);

    // (3) Idle RSS of separate processes.
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

    results = {
      date, machine, argon2: argon2Params, loadBefore, loadAfter: loadavg(), durationSec: (performance.now() - t0) / 1000,
      flows, ccBody, ccProbe: { baseline: describe(probeB), app: describe(probeA) },
      clientCredentials: cc, refresh: { ...rt, minted },
      rss: { app: appRss, appSemi: appSemiRss, baseline: baseRss, refs }, profiles, cpuProfiles,
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
