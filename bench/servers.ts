import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../config/index.ts';
import { buildApp, type App } from '../src/app.ts';
import type { Baseline } from './baseline.ts';
import type { FlowTarget } from './flow-driver.ts';
import type { ServerName } from './measure.ts';
import { DATABASE_URL, log, PASSWORD, REDIRECT_URI, REDIS_URL, USERS } from './settings.ts';

/*
 * The two servers under test and their cleanup. The real app runs in this process (buildApp +
 * a loopback listener) on a throwaway PostgreSQL schema and Redis prefix named after the run,
 * with one confidential client and USERS accounts; the baseline (bench/baseline.ts) needs only
 * its connection details turned into a flow target. The cleanup drops the schema and keys even
 * when the bench fails, so runs leave nothing behind in the shared database.
 */

export interface RealApp {
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

/** The app's environment; the RSS phase starts `node src/main.ts` with the same one. */
export function appEnv(port: number, schema: string, prefix: string, dataDir: string): Record<string, string> {
  const env: Record<string, string> = {
    DATABASE_URL, DATABASE_SCHEMA: schema, REDIS_URL, REDIS_PREFIX: prefix,
    NODE_ENV: 'test', LOG_LEVEL: 'silent', ISSUER: `http://127.0.0.1:${port}`, PORT: String(port), DATA_DIR: dataDir, DEMO: 'false',
    // Measure a node as deployed: a real eID-Server configured (contacted only when a citizen uses the eID),
    // not the in-process simulator, which only development and tests run.
    EID_MODE: 'server', EID_SERVER_URL: 'http://127.0.0.1:9/eIDService',
  };
  // Same argon2 parameters everywhere; an override in the environment applies to app, baseline and floor.
  for (const name of ['ARGON2_MEMORY_KIB', 'ARGON2_TIME_COST', 'ARGON2_PARALLELISM']) {
    if (process.env[name]) env[name] = process.env[name]!;
  }
  return env;
}

export async function startRealApp(id: string): Promise<RealApp> {
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

/** Closes the app's listener (dropping kept-alive load connections) and then the app itself. */
export async function stopRealApp(real: RealApp): Promise<void> {
  await new Promise<void>((resolve) => {
    real.server.closeAllConnections();
    real.server.close(() => resolve());
  });
  await real.app.close();
}

/** Where the load generator sends each server's flows and token requests. */
export type Targets = Record<ServerName, FlowTarget>;

export const baselineTarget = (b: Baseline): FlowTarget => ({ baseUrl: b.url, clientId: b.clientId, clientSecret: b.clientSecret, redirectUri: b.redirectUri, users: b.users });

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

/** Drops the schemas and Redis keys of the given run ids; a failure is logged, not thrown. */
export async function dropBenchData(ids: string[]): Promise<void> {
  try {
    await dropSchemas(ids);
    const deleted = await deleteRedisPrefixes(ids.map((id) => `${id}:`));
    log(`cleaned up: schemas ${ids.join(', ')}; ${deleted} Redis keys`);
  } catch (error) {
    log(`cleanup failed: ${(error as Error).message}`);
  }
}
