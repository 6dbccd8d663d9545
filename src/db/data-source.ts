import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES, MIGRATIONS } from '../../entities/index.ts';

export interface DatabaseSettings {
  /** PostgreSQL URL; without one an embedded PGlite database under dataDir is used. */
  url?: string;
  schema: string;
  dataDir: string;
}

/**
 * Builds and initialises the DataSource and runs pending migrations. Every schema change goes
 * through a migration; `synchronize` is never used, so embedded and real PostgreSQL match.
 */
export async function openDatabase(settings: DatabaseSettings): Promise<DataSource> {
  const common = {
    type: 'postgres',
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    // gen_random_uuid() is core PostgreSQL; no extension is needed (PGlite has none to install).
    installExtensions: false,
    logging: false,
  } as const;
  let options: DataSourceOptions;
  if (settings.url) {
    options = {
      ...common,
      url: settings.url,
      schema: settings.schema,
      poolSize: 10,
      // Raw SQL in migrations and repositories resolves unqualified names in the schema.
      extra: { options: `-c search_path=${settings.schema}` },
    };
    await ensureSchema(settings.url, settings.schema);
  } else {
    const { PGliteDriver } = await import('typeorm-pglite');
    const dir = join(settings.dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    options = { ...common, driver: new PGliteDriver({ dataDir: dir }).driver };
  }
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  return dataSource;
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  if (schema === 'public') return;
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
}
