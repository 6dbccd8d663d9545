import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { buildApp, type App, type AppOptions } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { MailSink } from '../../src/mail/mail-sink.ts';
import { createTestDatabase, createTestRedis, TEST_REDIS_URL, TEST_DATABASE_URL } from './infra.ts';

export interface TestApp {
  app: App;
  url: string;
  clock: ManualClock;
  /** A real SMTP server receiving every mail the app sends. */
  mail: MailSink;
  close(): Promise<void>;
}

/**
 * The whole app on a loopback port, on a throwaway PostgreSQL schema and Redis prefix of this
 * test file, with a manual clock. The issuer is known only after listening, so the server is
 * bound first and handed the Koa callback afterwards.
 */
/**
 * `host`: another loopback address (127.0.0.2) gives a second provider its own cookies, as two
 * Länder on different hosts have; cookies do not separate by port.
 */
export async function startTestApp(label: string, env: Record<string, string> = {}, options: Pick<AppOptions, 'federation'> & { host?: string } = {}): Promise<TestApp> {
  const db = await createTestDatabase(label);
  const redis = await createTestRedis(label);
  const mail = new MailSink();
  const smtpUrl = await mail.listen();
  const server: Server = createServer();
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    ISSUER: url,
    PORT: String(port),
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: db.schema,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redis.prefix,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'sk-test-')),
    COOKIE_KEYS: 'test-cookie-key-0123456789abcdef0123456789',
    KEY_ENCRYPTION_SECRET: 'test-key-encryption-secret-0123456789abcdef',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SMTP_URL: smtpUrl,
    // Cheap hashes keep the suite fast; production parameters are exercised by the bench.
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ...env,
  });
  const clock = new ManualClock();
  const app = await buildApp(config, { clock, dataSource: db.dataSource, federation: options.federation });
  server.on('request', app.koa.callback());
  return {
    app,
    url,
    clock,
    mail,
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await app.close();
      await mail.close();
      await redis.cleanup();
      await db.drop();
    },
  };
}
