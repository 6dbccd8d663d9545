import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { z } from 'zod';
import { systemClock } from '../../src/clock.ts';
import { UnitOfWork } from '../../src/db/unit-of-work.ts';
import {
  FederationMemberService, federationRepos, type FederationMemberSpec,
} from '../../src/federation/federation-member.service.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { TEST_DATABASE_URL, createTestDatabase, uniqueName, type TestDatabase } from '../helpers/infra.ts';

const SECRET = 'ein-sehr-geheimes-client-secret-fuer-niedersachsen';

const member = (code: string, extra: Partial<FederationMemberSpec> = {}): FederationMemberSpec => ({
  code,
  displayName: `Land ${code}`,
  issuer: `https://servicekonto.${code.toLowerCase()}.example`,
  clientId: `servicekonto-${code.toLowerCase()}`,
  clientSecret: `${SECRET}-${code}`,
  acrMap: { 'http://eidas.europa.eu/LoA/substantial': 'substanziell' },
  ...extra,
});

describe('federation members (FED-05)', () => {
  let db: TestDatabase;
  let members: FederationMemberService;

  beforeAll(async () => {
    db = await createTestDatabase('federation');
    members = new FederationMemberService({
      uow: new UnitOfWork(db.dataSource, federationRepos(systemClock, createLogger('silent'))),
      keyEncryptionSecret: 'test-key-encryption-secret-with-enough-entropy',
    });
  });

  afterAll(async () => {
    await db.drop();
  });

  const storedCodes = async (): Promise<string[]> =>
    ((await db.dataSource.query(`SELECT code FROM federation_member ORDER BY code`)) as { code: string }[]).map((r) => r.code);

  it('FED-05 registers members with defaults, lists them and offers only the enabled ones', async () => {
    const { outcome, member: ni } = await members.register(member('NI', { displayName: 'Niedersachsen' }));
    expect(outcome).toBe('created');
    expect(ni).toMatchObject({
      code: 'NI', displayName: 'Niedersachsen', enabled: true, disabledBy: null, maxLevel: 'substanziell',
      acrMap: { 'http://eidas.europa.eu/LoA/substantial': 'substanziell' },
      claims: ['sub', 'name', 'given_name', 'family_name', 'email', 'account_type'],
    });
    expect(ni).not.toHaveProperty('clientSecretEncrypted');
    await members.register(member('ST', { displayName: 'Sachsen-Anhalt', enabled: false, maxLevel: 'hoch', claims: ['sub', 'email'] }));

    expect((await members.list()).map((m) => m.code)).toEqual(['NI', 'ST']);
    expect((await members.enabled()).map((m) => m.code)).toEqual(['NI']);
    // Registered as disabled by the operator: no federation list may switch it on.
    expect((await members.find('ST'))?.disabledBy).toBe('operator');

    expect(await members.setEnabled('ST', true)).toBe(true);
    expect(await members.find('ST')).toMatchObject({ enabled: true, disabledBy: null });
    expect((await members.enabled()).map((m) => m.code).sort()).toEqual(['NI', 'ST']);
    expect(await members.setEnabled('XX', true)).toBe(false);

    const audit = (await db.dataSource.query(
      `SELECT details FROM audit_event WHERE type = 'federation.member_changed' ORDER BY id`,
    )) as { details: Record<string, unknown> }[];
    expect(audit.map((a) => [a.details.code, a.details.change])).toEqual([['NI', 'created'], ['ST', 'created'], ['ST', 'enabled']]);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
  });

  it('FED-05 stores the client secret encrypted, decrypts it, and keeps it on an update without one', async () => {
    const rows = (await db.dataSource.query(`SELECT client_secret_encrypted FROM federation_member WHERE code = 'NI'`)) as { client_secret_encrypted: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.client_secret_encrypted).not.toContain(SECRET);
    expect(rows[0]!.client_secret_encrypted.split('.')).toHaveLength(5); // compact JWE
    expect(await members.clientSecret('NI')).toBe(`${SECRET}-NI`);

    const { clientSecret: _omitted, ...withoutSecret } = member('NI', { displayName: 'Niedersachsen (neu)' });
    const { outcome } = await members.register(withoutSecret);
    expect(outcome).toBe('updated');
    expect((await members.find('NI'))?.displayName).toBe('Niedersachsen (neu)');
    expect(await members.clientSecret('NI')).toBe(`${SECRET}-NI`);
    expect(await members.clientSecret('XX')).toBeNull();
  });

  it('FED-05 rejects invalid specs, naming the field', async () => {
    const rejected = async (spec: FederationMemberSpec): Promise<string[]> => {
      const error = await members.register(spec).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(z.ZodError);
      return (error as z.ZodError).issues.map((i) => i.path.join('.'));
    };
    expect(await rejected(member('nds'))).toEqual(['code']);
    expect(await rejected(member('BE', { issuer: 'http://servicekonto.be.example' }))).toEqual(['issuer']);
    expect(await rejected(member('BE', { acrMap: { 'urn:loa:high': 'sehr-hoch' as 'hoch' } }))).toEqual(['acrMap.urn:loa:high']);
    expect(await rejected(member('BE', { clientSecret: undefined }))).toEqual(['clientSecret']);
    expect(await rejected(member('BE', { clientSecret: 'zu-kurz' }))).toEqual(['clientSecret']);
    // http is allowed on the loopback interface (tests, local development).
    await members.register(member('BE', { issuer: 'http://127.0.0.1:4100' }));
    expect(await members.remove('BE')).toBe(true);
    expect(await storedCodes()).toEqual(['NI', 'ST']);
  });

  it('FED-05 an import with one invalid entry writes nothing; a valid import writes all', async () => {
    const error = await members.importMany([member('HH'), member('HB', { maxLevel: 'maximal' as 'hoch' })]).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(z.ZodError);
    expect((error as z.ZodError).issues.map((i) => i.path.join('.'))).toEqual(['1.maxLevel']);
    expect(await storedCodes()).toEqual(['NI', 'ST']);

    // A new member without a secret is only found against the database: still nothing written.
    const noSecret = await members.importMany([member('HH'), member('HB', { clientSecret: undefined })]).then(() => null, (e: unknown) => e);
    expect((noSecret as z.ZodError).issues.map((i) => i.path.join('.'))).toEqual(['1.clientSecret']);
    expect(await storedCodes()).toEqual(['NI', 'ST']);

    const results = await members.importMany([member('HH'), member('HB')]);
    expect(results.map((r) => `${r.outcome} ${r.member.code}`)).toEqual(['created HH', 'created HB']);
    expect(await storedCodes()).toEqual(['HB', 'HH', 'NI', 'ST']);
  });
});

describe('federation CLI (FED-05)', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  const NODE = join(ROOT, 'node_modules/.bin/node');
  const CLI = join(ROOT, 'src/cli/main.ts');
  const schema = uniqueName('cli_federation');
  const dataDir = mkdtempSync(join(tmpdir(), 'servicekonto-fed-'));
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  const env = {
    ...process.env, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir,
  };
  const cli = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(NODE, [CLI, ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });

  beforeAll(async () => {
    await client.connect();
  });

  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('FED-05 federation add then list shows the member but never its secret; invalid input exits with 2', async () => {
    const added = await cli(
      'federation', 'add', '--code', 'NI', '--name', 'Niedersachsen', '--issuer', 'https://servicekonto.niedersachsen.example',
      '--client-id', 'servicekonto-ni', '--client-secret', SECRET, '--acr', 'http://eidas.europa.eu/LoA/substantial=substanziell',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain(SECRET);

    const listed = await cli('federation', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NI\s+Niedersachsen\s+enabled\s+substanziell\s+https:\/\/servicekonto\.niedersachsen\.example\s+servicekonto-ni/m);
    expect(listed.stdout).not.toContain(SECRET);

    // FED-05: the list says why a member is disabled.
    expect(await cli('federation', 'disable', '--code', 'NI')).toMatchObject({ code: 0, stdout: 'Federation member disabled: NI\n' });
    expect((await cli('federation', 'list')).stdout).toMatch(/^NI\s+Niedersachsen\s+disabled \(by operator\)\s+substanziell\s/m);
    const { rows: state } = await client.query(`SELECT enabled, disabled_by FROM "${schema}".federation_member WHERE code = 'NI'`);
    expect(state).toEqual([{ enabled: false, disabled_by: 'operator' }]);

    const { rows } = await client.query(`SELECT client_secret_encrypted FROM "${schema}".federation_member WHERE code = 'NI'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].client_secret_encrypted).not.toContain(SECRET);

    const bad = await cli('federation', 'add', '--code', 'nds', '--name', 'X', '--issuer', 'https://x.example', '--client-id', 'x', '--client-secret', SECRET);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/code \(--code\)/);
  });
});
