import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/db/data-source.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function assertInfrastructure(): Promise<void> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    problems.push(
      `PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${(error as Error).message}).\n` +
        '  Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
        '  or point TEST_DATABASE_URL at a server with trust auth and a database "test".',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(
      `Redis is not reachable at ${TEST_REDIS_URL} (${(error as Error).message}).\n` +
        '  Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n' +
        '  or point TEST_REDIS_URL at a running Redis.',
    );
  } finally {
    redis.disconnect();
  }
  if (problems.length > 0) {
    throw new Error(`\nThe test suite needs real PostgreSQL and Redis.\n\n${problems.join('\n\n')}\n`);
  }
}

/** A unique lower-case name for this test file's schema and Redis key prefix. */
export function uniqueName(label: string): string {
  return `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  dataSource: DataSource;
  schema: string;
  drop(): Promise<void>;
}

/** A fresh, migrated schema of the real PostgreSQL, dropped at the end of the file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const schema = uniqueName(label);
  const dataSource = await openDatabase({ url: TEST_DATABASE_URL, schema, dataDir: '' });
  return {
    dataSource,
    schema,
    async drop() {
      await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await dataSource.destroy();
    },
  };
}

export interface TestRedis {
  redis: Redis;
  prefix: string;
  cleanup(): Promise<void>;
}

/** A Redis connection with a key prefix of its own; its keys are removed at the end. */
export async function createTestRedis(label: string): Promise<TestRedis> {
  const prefix = `${uniqueName(label)}:`;
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  return {
    redis,
    prefix,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
