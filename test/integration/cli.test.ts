import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { hashSecret } from '../../src/catalog/online-service.service.ts';
import { TEST_DATABASE_URL, uniqueName } from '../helpers/infra.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = join(ROOT, 'node_modules/.bin/node');
const CLI = join(ROOT, 'src/cli/main.ts');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const service = (clientId: string, extra: Record<string, unknown> = {}) => ({
  clientId,
  displayName: `Service ${clientId}`,
  authority: 'Landesamt für Tests',
  contact: 'it@landesamt.example',
  redirectUris: [`https://${clientId}.example/callback`],
  ...extra,
});

describe('administration CLI (npm run cli)', () => {
  const schema = uniqueName('cli');
  const dataDir = mkdtempSync(join(tmpdir(), 'servicekonto-cli-'));
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  const env = {
    ...process.env,
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
  };

  const cli = (...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      execFile(NODE, [CLI, ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });

  const writeJson = (name: string, value: unknown): string => {
    const file = join(dataDir, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };

  const listedIds = async (): Promise<string[]> => {
    const { code, stdout } = await cli('services', 'list');
    expect(code).toBe(0);
    return stdout.split('\n').slice(2).map((line) => line.split(/\s+/)[0]!).filter(Boolean);
  };

  beforeAll(async () => {
    await db.connect();
    const migrated = await cli('migrate');
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/up to date/);
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('OIDC-05 services add registers a confidential service, prints its secret once and audits client.created', async () => {
    const added = await cli(
      'services', 'add', '--id', 'wohngeld', '--name', 'Wohngeld online', '--authority', 'Wohngeldstelle',
      '--contact', 'it@wohngeld.example', '--redirect-uri', 'https://wohngeld.example/callback',
      '--scope', 'openid', '--scope', 'profile', '--min-level', 'substanziell',
    );
    expect(added.code).toBe(0);
    const secret = /client_secret:\s+(\S+)/.exec(added.stdout)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(added.stdout).toMatch(/will not be shown again/);

    const { rows: stored } = await db.query(`SELECT secret_hash, token_endpoint_auth_method FROM "${schema}".online_service WHERE client_id = $1`, ['wohngeld']);
    expect(stored).toEqual([{ secret_hash: hashSecret(secret!), token_endpoint_auth_method: 'client_secret_basic' }]);

    const listed = await cli('services', 'list');
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith('wohngeld '));
    expect(row).toMatch(/Wohngeld online\s+substanziell\s+confidential\s+https:\/\/wohngeld\.example\/callback/);
    expect(listed.stdout).not.toContain(secret);

    const { rows: audit } = await db.query(`SELECT type, result FROM "${schema}".audit_event WHERE client_id = $1`, ['wohngeld']);
    expect(audit).toEqual([{ type: 'client.created', result: 'success' }]);
  });

  it('services add --public registers a PKCE client without a secret', async () => {
    const added = await cli(
      'services', 'add', '--id', 'kita-app', '--name', 'Kita-App', '--authority', 'Jugendamt', '--contact', 'kita@amt.example',
      '--redirect-uri', 'https://kita.example/cb', '--public',
    );
    expect(added.code).toBe(0);
    expect(added.stdout).not.toMatch(/client_secret/);
    expect(added.stdout).toMatch(/PKCE.*token_endpoint_auth_method none/);
    const { rows } = await db.query(`SELECT secret_hash, token_endpoint_auth_method FROM "${schema}".online_service WHERE client_id = $1`, ['kita-app']);
    expect(rows).toEqual([{ secret_hash: null, token_endpoint_auth_method: 'none' }]);
  });

  it('services add with an invalid redirect URI exits with 2 and names redirectUris, without a stack trace', async () => {
    const added = await cli(
      'services', 'add', '--id', 'kaputt', '--name', 'Kaputt', '--authority', 'Amt', '--contact', 'a@amt.example',
      '--redirect-uri', 'not a url',
    );
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/redirectUris/);
    expect(added.stderr.trim().split('\n')).toHaveLength(1);
    expect(added.stderr).not.toMatch(/\n\s+at /);
    expect(await listedIds()).not.toContain('kaputt');
  });

  it('unknown commands and unknown service ids exit with 2', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const missing = await cli('services', 'remove', '--id', 'gibt-es-nicht');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/unknown service id 'gibt-es-nicht'/);
  });

  it('services update changes only the given options; --rotate-secret prints a new secret', async () => {
    const updated = await cli('services', 'update', '--id', 'wohngeld', '--min-level', 'hoch', '--rotate-secret');
    expect(updated.code).toBe(0);
    const secret = /client_secret:\s+(\S+)/.exec(updated.stdout)?.[1];
    const { rows } = await db.query(`SELECT display_name, min_level, scopes, secret_hash FROM "${schema}".online_service WHERE client_id = $1`, ['wohngeld']);
    expect(rows).toEqual([{ display_name: 'Wohngeld online', min_level: 'hoch', scopes: ['openid', 'profile'], secret_hash: hashSecret(secret!) }]);
  });

  it('OIDC-05 services import registers every service of a JSON file and reports each', async () => {
    const file = writeJson('two.json', [service('hundesteuer'), service('anwohnerparken', { public: true, minLevel: 'substanziell' })]);
    const imported = await cli('services', 'import', file);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^created\s+hundesteuer\s+client_secret: \S+$/m);
    expect(imported.stdout).toMatch(/^created\s+anwohnerparken$/m);
    expect(await listedIds()).toEqual(expect.arrayContaining(['hundesteuer', 'anwohnerparken']));
    const { rows } = await db.query(
      `SELECT client_id FROM "${schema}".audit_event WHERE type = 'client.created' AND client_id = ANY($1) ORDER BY client_id`,
      [['anwohnerparken', 'hundesteuer']],
    );
    expect(rows.map((r: { client_id: string }) => r.client_id)).toEqual(['anwohnerparken', 'hundesteuer']);
  });

  it('services import with one invalid entry imports nothing and names the entry and field', async () => {
    const file = writeJson('one-bad.json', [service('muellabfuhr'), service('sperrmuell', { redirectUris: ['not a url'] })]);
    const imported = await cli('services', 'import', file);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toMatch(/entry 2 \(sperrmuell\): redirectUris\[0\]/);
    expect(imported.stderr).toMatch(/nothing imported/);
    const ids = await listedIds();
    expect(ids).not.toContain('muellabfuhr');
    expect(ids).not.toContain('sperrmuell');
  });

  it('OIDC-02 keys rotate promotes the next key and retires the current one; keys list shows one current key per algorithm', async () => {
    const first = await cli('keys', 'rotate');
    expect(first.code).toBe(0);
    const second = await cli('keys', 'rotate');
    expect(second.code).toBe(0);
    const firstCurrent = /current: (.*)/.exec(first.stdout)?.[1] ?? '';
    const secondRetired = /retired: (.*)/.exec(second.stdout)?.[1] ?? '';
    expect(firstCurrent).not.toBe('');
    expect(secondRetired).toBe(firstCurrent);

    const listed = await cli('keys', 'list');
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trim().split('\n').slice(2).map((line) => line.split(/\s+/));
    const current = rows.filter((r) => r[2] === 'current');
    expect(current.map((r) => r[1]).sort()).toEqual(['ES256', 'RS256']);
    const retired = rows.filter((r) => r[2] === 'retired');
    expect(retired.map((r) => r[1]).sort()).toEqual(['ES256', 'RS256']);
    expect(retired.every((r) => /^\d{4}-\d\d-\d\dT/.test(r[4] ?? ''))).toBe(true);
    expect(rows.filter((r) => r[2] === 'next')).toHaveLength(2);
    // Metadata only: no JWK members, no JWE.
    expect(listed.stdout).not.toMatch(/eyJ|"d"|"kty"/);

    const { rows: audit } = await db.query(`SELECT count(*)::int AS n FROM "${schema}".audit_event WHERE type = 'keys.rotated'`);
    expect(audit).toEqual([{ n: 2 }]);
  });

  it('accounts add without --password generates a strong password and prints it once', async () => {
    const added = await cli('accounts', 'add', '--email', 'Erika@Example.org', '--name', 'Erika Mustermann');
    expect(added.code).toBe(0);
    const password = /password:\s+(\S+)/.exec(added.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(added.stdout).toMatch(/will not be shown again/);
    const { rows } = await db.query(`SELECT kind, status, password_hash FROM "${schema}".account WHERE email = $1`, ['Erika@Example.org']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'citizen', status: 'active' });
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);

    const plus = await cli('accounts', 'add', '--email', 'max@example.org', '--name', 'Max', '--password', 'ein-langes-passwort', '--plus');
    expect(plus.code).toBe(0);
    expect(plus.stdout).toMatch(/kind:\s+citizen_plus/);
    expect(plus.stdout).not.toMatch(/password:/);

    const duplicate = await cli('accounts', 'add', '--email', 'erika@example.org', '--name', 'Erika');
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toMatch(/email/);
  });
});
