import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import argon2 from 'argon2';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../config/index.ts';
import { buildApp, type App } from '../src/app.ts';
import { startBaseline, type Baseline } from './baseline.ts';
import type { FlowRunOptions, FlowRunReport, FlowTarget } from './flow-driver.ts';
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

  close(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
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

async function idleRss(label: string, args: string[], env: Record<string, string>, probeUrl: (stdout: string) => string | undefined): Promise<RssReport> {
  const node = join(repoRoot, 'node_modules/.bin/node');
  const started = performance.now();
  const child = spawn(node, args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    await sleep(IDLE_SECONDS * 1000);
    const rssKb = readStatusKb(child.pid!, 'VmRSS');
    const hwmKb = readStatusKb(child.pid!, 'VmHWM');
    return { label, rssMb: rssKb / 1024, hwmMb: hwmKb / 1024, startupMs };
  } catch (error) {
    return { label, rssMb: NaN, hwmMb: NaN, startupMs: NaN, error: (error as Error).message };
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
  flows: { concurrency: number; baseline: FlowRunReport; app: FlowRunReport; argon2: Argon2Report }[];
  ccBody: string;
  ccProbe: { baseline: string; app: string };
  clientCredentials: { baseline: TokenLoadReport; app: TokenLoadReport };
  refresh: { baseline: TokenLoadReport; app: TokenLoadReport; poolBaseline: number; poolApp: number };
  rss: { app: RssReport; baseline: RssReport };
  profiles: WorkProfile[];
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
    `- Total bench time: ${fmt(r.durationSec, 0)} s. Servers run in the bench process; the load generator is a separate process (\`bench/load-child.ts\`), so both share the 2 cores.`,
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
    '| Concurrency | Server | Flows/s | Completed | Errors | p50 ms | p95 ms | p99 ms | Consent pages |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const f of r.flows) {
    for (const [name, rep] of [['baseline', f.baseline], ['Servicekonto', f.app]] as const) {
      push(`| ${f.concurrency} | ${name} | ${fmt(rep.flowsPerSecond)} | ${rep.completed} | ${errorsCell(rep)} | ${fmt(rep.latencyMs.p50, 0)} | ${fmt(rep.latencyMs.p95, 0)} | ${fmt(rep.latencyMs.p99, 0)} | ${rep.consents} |`);
    }
  }
  push(
    '',
    'argon2id floor — raw `argon2.verify` with the same parameters, in-process, same number of concurrent callers (libuv thread pool of 4, 2 cores). Every flow contains exactly one verify, so this is the ceiling for flows/s on this machine:',
    '',
    '| Concurrency | Verifies/s | Mean verify ms | Baseline flows as % of floor | Servicekonto flows as % of floor |',
    '|---:|---:|---:|---:|---:|',
  );
  for (const f of r.flows) {
    push(`| ${f.concurrency} | ${fmt(f.argon2.perSecond)} | ${fmt(f.argon2.avgMs)} | ${fmt((100 * f.baseline.flowsPerSecond) / f.argon2.perSecond, 0)} % | ${fmt((100 * f.app.flowsPerSecond) / f.argon2.perSecond, 0)} % |`);
  }
  const samples = r.flows.flatMap((f) => [...f.baseline.errorSamples, ...f.app.errorSamples]);
  if (samples.length) push('', 'First flow errors:', '', ...samples.slice(0, 6).map((s) => `- \`${s.replace(/`/g, "'").slice(0, 240)}\``));

  push(
    '',
    '## 2. Token endpoint (autocannon)',
    '',
    `client_credentials: autocannon programmatic API, POST /token with basic auth and body \`${r.ccBody}\`, ${TOKEN_CONNECTIONS} connections, ${TOKEN_SECONDS} s, after a 2 s warm-up. Probe of \`grant_type=client_credentials&scope=\`: baseline ${r.ccProbe.baseline}; app ${r.ccProbe.app}.`,
    '',
    `refresh_token: autocannon with a \`setupRequest\` that takes a refresh token from a shared queue and an \`onResponse\` that puts the rotated one back — each connection follows its own rotation chain, every request is a first-time redemption. The queue is pre-minted by the flow driver (${r.refresh.poolBaseline} baseline / ${r.refresh.poolApp} app tokens for ${TOKEN_CONNECTIONS} connections). ${TOKEN_SECONDS} s. Rates count 200 responses only.`,
    '',
    '| Grant | Server | OK req/s | OK total | Non-200 / errors | avg ms | p50 ms | p97.5 ms | p99 ms |',
    '|---|---|---:|---:|---|---:|---:|---:|---:|',
  );
  for (const [grant, pair] of [['client_credentials', cc], ['refresh_token', rt]] as const) {
    for (const [name, rep] of [['baseline', pair.baseline], ['Servicekonto', pair.app]] as const) {
      const extra = rep.chainBreaks !== undefined ? ` (chain breaks ${rep.chainBreaks})` : '';
      push(`| ${grant} | ${name} | ${fmt(rep.okPerSecond, 0)} | ${rep.ok} | ${tokenErrors(rep)}${extra} | ${fmt(rep.latencyMs.avg)} | ${fmt(rep.latencyMs.p50, 0)} | ${fmt(rep.latencyMs.p97_5, 0)} | ${fmt(rep.latencyMs.p99, 0)} |`);
    }
  }

  push(
    '',
    '## 3. Idle memory',
    '',
    `A separate process per server, started cold, ready (app: \`/healthz\` answers; baseline: discovery answers), then idle ${IDLE_SECONDS} s; VmRSS (and peak VmHWM) from /proc/<pid>/status.`,
    '',
    '| Process | VmRSS MB | VmHWM MB | Start-up to ready ms |',
    '|---|---:|---:|---:|',
    `| \`node src/main.ts\` (DEMO=false, PostgreSQL + Redis) | ${fmt(rss.app.rssMb)} | ${fmt(rss.app.hwmMb)} | ${fmt(rss.app.startupMs, 0)} |`,
    `| \`node bench/baseline.ts\` | ${fmt(rss.baseline.rssMb)} | ${fmt(rss.baseline.hwmMb)} | ${fmt(rss.baseline.startupMs, 0)} |`,
  );
  for (const x of [rss.app, rss.baseline]) if (x.error) push('', `${x.label} failed: \`${x.error}\``);

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
  push('## Analysis', '', ...analysis(r), '');
  return `${lines.join('\n')}\n`;
}

function analysis(r: Results): string[] {
  const out: string[] = [];
  const flowSummary = r.flows.map((f) => `${fmt(ratio(f.app.flowsPerSecond, f.baseline.flowsPerSecond), 2)}× at c=${f.concurrency}`).join(', ');
  const flowsMet = r.flows.every((f) => ratio(f.app.flowsPerSecond, f.baseline.flowsPerSecond) >= TARGET.flows);
  const floor = r.flows.map((f) => `${fmt((100 * f.app.flowsPerSecond) / f.argon2.perSecond, 0)} %`).join(' / ');
  out.push(`- **Sign-in flows** (${flowSummary}; target ≥ ${TARGET.flows}×): ${flowsMet ? 'met.' : 'missed.'} The app reaches ${floor} of the argon2id floor at c=${r.flows.map((f) => f.concurrency).join('/')}. ${flowsMet
    ? 'The flow is dominated by the argon2id verify in both servers; the app\'s extra work per flow (see section 4) fits in the CPU left over by argon2.'
    : 'Both servers share two cores between the argon2 thread pool, the JS thread and the load generator, so every millisecond of JS or database work per flow competes directly with hashing; section 4 lists the app\'s extra work per flow.'}`);
  const cc = ratio(r.clientCredentials.app.okPerSecond, r.clientCredentials.baseline.okPerSecond);
  const rt = ratio(r.refresh.app.okPerSecond, r.refresh.baseline.okPerSecond);
  const ccProfile = r.profiles.find((p) => p.label.startsWith('client_credentials'));
  const rtProfile = r.profiles.find((p) => p.label.startsWith('refresh_token'));
  const perUnit = (p: WorkProfile | undefined, n: (p: WorkProfile) => number) => (p ? fmt(n(p) / Math.max(1, p.units), 1) : '?');
  out.push(`- **Token endpoint** (client_credentials ${fmt(cc, 2)}×, refresh_token ${fmt(rt, 2)}×; target ≥ ${TARGET.token}×): ${cc >= TARGET.token && rt >= TARGET.token ? 'met.' : 'missed.'} The baseline serves its static client and tokens from process memory; per request the app does ${perUnit(ccProfile, (p) => p.sql.count)} SQL statements + ${perUnit(ccProfile, (p) => p.redis.count)} Redis commands for client_credentials and ${perUnit(rtProfile, (p) => p.sql.count)} SQL + ${perUnit(rtProfile, (p) => p.redis.count)} Redis for refresh_token (section 4), each a loopback round trip plus driver/ORM overhead on the single JS thread.`);
  out.push(`- **Idle RSS** (${fmt(r.rss.app.rssMb)} MB; target < ${TARGET.rssMb} MB): ${r.rss.app.rssMb < TARGET.rssMb ? 'met' : 'missed'}; the bare baseline idles at ${fmt(r.rss.baseline.rssMb)} MB.`);
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

    // (1) Flows and the argon2 floor.
    const flows: Results['flows'] = [];
    for (const concurrency of CONCURRENCIES) {
      const opts = { concurrency, durationMs: FLOW_SECONDS * 1000, maxFlows: 20_000 };
      const b = await load.flows(targets.baseline, opts);
      log(`flows c=${concurrency} baseline: ${fmt(b.flowsPerSecond)}/s (${b.completed} ok, ${b.errors} errors)`);
      const a = await load.flows(targets.app, opts);
      log(`flows c=${concurrency} app:      ${fmt(a.flowsPerSecond)}/s (${a.completed} ok, ${a.errors} errors) ${a.errorSamples.slice(0, 2).join(' | ')}`);
      const floor = await argon2Floor(argon2Params, concurrency, ARGON2_SECONDS);
      log(`argon2 floor c=${concurrency}: ${fmt(floor.perSecond)} verifies/s (${fmt(floor.avgMs)} ms each)`);
      flows.push({ concurrency, baseline: b, app: a, argon2: floor });
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
    const cc: Partial<Results['clientCredentials']> = {};
    for (const name of ['baseline', 'app'] as const) {
      await load.run<TokenLoadReport>({ kind: 'client-credentials', options: tokenOptions(targets[name], 2), body: ccBody }, 60_000);
      cc[name] = await load.run<TokenLoadReport>({ kind: 'client-credentials', options: tokenOptions(targets[name], TOKEN_SECONDS), body: ccBody }, TOKEN_SECONDS * 1000 + 60_000);
      log(`client_credentials ${name}: ${fmt(cc[name].okPerSecond, 0)} ok/s, non2xx ${cc[name].non2xx}, errors ${cc[name].errors}`);
    }

    // (2b) refresh_token: mint a pool per server right before its run (the baseline's in-memory
    // adapter is an LRU of 1000 entries, so tokens minted earlier would be evicted by now).
    const rt: Partial<Results['refresh']> = {};
    for (const name of ['baseline', 'app'] as const) {
      const mint = await load.flows(targets[name], { concurrency: 8, durationMs: 60_000, maxFlows: REFRESH_POOL, keepRefreshTokens: true });
      if (mint.refreshTokens.length < TOKEN_CONNECTIONS) throw new Error(`only ${mint.refreshTokens.length} refresh tokens minted on ${name}: ${mint.errorSamples.join(' | ')}`);
      if (name === 'baseline') rt.poolBaseline = mint.refreshTokens.length;
      else rt.poolApp = mint.refreshTokens.length;
      rt[name] = await load.run<TokenLoadReport>({ kind: 'refresh-token', options: tokenOptions(targets[name], TOKEN_SECONDS), pool: mint.refreshTokens }, TOKEN_SECONDS * 1000 + 60_000);
      log(`refresh_token ${name}: ${fmt(rt[name].okPerSecond, 0)} ok/s, non2xx ${rt[name].non2xx}, chain breaks ${rt[name].chainBreaks}, pool left ${rt[name].poolLeft}`);
    }

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
    for (const p of profiles) log(`profile ${p.label}: ${fmt(p.sql.count / Math.max(1, p.units))} SQL + ${fmt(p.redis.count / Math.max(1, p.units))} Redis per unit`);

    // (3) Idle RSS of separate processes.
    const rssDir = mkdtempSync(join(tmpdir(), 'sk-bench-rss-'));
    tmpDirs.push(rssDir);
    const appPort = await freePort();
    const appRss = await idleRss('node src/main.ts', ['src/main.ts'], appEnv(appPort, rssId, `${rssId}:`, rssDir),
      (stdout) => (stdout.includes('http://') ? `http://127.0.0.1:${appPort}/healthz` : undefined));
    log(`idle RSS app: ${fmt(appRss.rssMb)} MB ${appRss.error ?? ''}`);
    const basePort = await freePort();
    const baseRss = await idleRss('node bench/baseline.ts', ['bench/baseline.ts', String(basePort)], {},
      (stdout) => (stdout.includes('baseline listening') ? `http://127.0.0.1:${basePort}/.well-known/openid-configuration` : undefined));
    log(`idle RSS baseline: ${fmt(baseRss.rssMb)} MB ${baseRss.error ?? ''}`);

    results = {
      date, machine, argon2: argon2Params, loadBefore, loadAfter: loadavg(), durationSec: (performance.now() - t0) / 1000,
      flows, ccBody, ccProbe: { baseline: describe(probeB), app: describe(probeA) },
      clientCredentials: cc as Results['clientCredentials'], refresh: rt as Results['refresh'],
      rss: { app: appRss, baseline: baseRss }, profiles,
    };
  } finally {
    load?.close();
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
