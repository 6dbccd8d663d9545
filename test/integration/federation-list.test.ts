import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../../config/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { UnitOfWork } from '../../src/db/unit-of-work.ts';
import { FederationMemberService, federationRepos, type FederationListEntry } from '../../src/federation/federation-member.service.ts';
import { MemberListSync, type MemberListSyncDeps } from '../../src/federation/member-list.ts';
import { RedisKvStore } from '../../src/kv/redis-kv-store.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { TEST_DATABASE_URL, createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '../helpers/infra.ts';

const SECRET = 'unser-client-secret-beim-land';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const entry = (code: string, extra: Partial<FederationListEntry> = {}): FederationListEntry => ({
  code, displayName: `Land ${code}`, issuer: `https://servicekonto.${code.toLowerCase()}.example`,
  acrMap: { 'http://eidas.europa.eu/LoA/substantial': 'substanziell' }, ...extra,
});

describe('signed federation list (FED-05)', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let server: Server;
  let url: string;
  let members: FederationMemberService;
  let federationKey: { privateKey: CryptoKey; publicKey: CryptoKey };
  let deps: MemberListSyncDeps;
  let sync: MemberListSync;
  let reply: { status: number; type: string; body: string | Buffer };
  const clock = new ManualClock(new Date());
  const metrics = new Metrics(false);
  const logs: { level: number; msg: string; skipped?: string[] }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });

  const now = () => Math.floor(clock.now().getTime() / 1000);
  /** Signs a list with the federation key; each list is issued a minute after the one before. */
  const sign = async (list: FederationListEntry[], claims: JWTPayload = {}, key: CryptoKey = federationKey.privateKey, alg = 'ES256') => {
    clock.advance(60_000);
    return new SignJWT({ members: list, ...claims } as JWTPayload).setProtectedHeader({ alg }).setIssuedAt(now()).sign(key);
  };
  const serve = (body: string | Buffer, status = 200, type = 'application/jose') => {
    reply = { status, type, body };
  };
  const snapshot = () => db.dataSource.query(`SELECT * FROM federation_member ORDER BY code`);
  const gauge = async (name: 'federationListStale' | 'federationListLastSuccess') => (await metrics[name].get()).values[0]?.value;
  const refreshes = async (result: string) => (await metrics.federationListRefreshes.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  /** A refused refresh: the reason matches, nothing in the database moved, the alert is raised. */
  const expectRefused = async (reason: RegExp, by: MemberListSync = sync) => {
    const before = await snapshot();
    const failures = await refreshes('failure');
    const result = await by.refresh();
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(reason) });
    expect(await snapshot()).toEqual(before);
    expect(await gauge('federationListStale')).toBe(1);
    expect(await refreshes('failure')).toBe(failures + 1);
    expect(logs.at(-1)).toMatchObject({ level: 50, msg: expect.stringContaining('last valid list stays in force') });
  };

  beforeAll(async () => {
    db = await createTestDatabase('federation_list');
    redis = await createTestRedis('federation_list');
    members = new FederationMemberService({
      uow: new UnitOfWork(db.dataSource, federationRepos(clock, logger)),
      keyEncryptionSecret: 'test-key-encryption-secret-with-enough-entropy',
    });
    for (const code of ['NI', 'ST', 'HB']) {
      await members.register({ ...entry(code), clientId: `servicekonto-${code}`, clientSecret: `${SECRET}-${code}` });
    }
    federationKey = await generateKeyPair('ES256');
    server = createServer((_req, res) => {
      res.writeHead(reply.status, { 'content-type': reply.type });
      res.end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/foederation/liste.jws`;
    deps = {
      url, key: JSON.stringify(await exportJWK(federationKey.publicKey)), members,
      kv: new RedisKvStore(redis.redis, redis.prefix), clock, logger, metrics,
    };
    sync = new MemberListSync(deps);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await redis.cleanup();
    await db.drop();
  });

  it('FED-05 applies a signed member list: updates public fields, keeps our credentials, disables Länder no longer listed', async () => {
    const [niBefore] = (await snapshot()).filter((m: { code: string }) => m.code === 'NI');
    serve(await sign([
      entry('NI', { displayName: 'Niedersachsen', maxLevel: 'hoch', acrMap: { 'urn:ni:loa:hoch': 'hoch' }, claims: ['sub', 'email'] }),
      entry('ST', { displayName: 'Sachsen-Anhalt' }),
    ], { exp: now() + 7 * 86400 }));

    expect(await sync.refresh()).toEqual({ ok: true, applied: ['NI', 'ST'], disabled: ['HB'], skipped: [], held: [] });
    const ni = await members.find('NI');
    expect(ni).toMatchObject({
      displayName: 'Niedersachsen', maxLevel: 'hoch', acrMap: { 'urn:ni:loa:hoch': 'hoch' }, claims: ['sub', 'email'],
      enabled: true, clientId: 'servicekonto-NI',
    });
    const [niAfter] = (await snapshot()).filter((m: { code: string }) => m.code === 'NI');
    expect(niAfter.client_secret_encrypted).toBe(niBefore.client_secret_encrypted);
    expect(await members.clientSecret('NI')).toBe(`${SECRET}-NI`);
    expect((await members.enabled()).map((m) => m.code)).toEqual(['NI', 'ST']);
    expect(await members.find('HB')).toMatchObject({ enabled: false, disabledBy: 'list' });

    const audit = (await db.dataSource.query(
      `SELECT details FROM audit_event WHERE type = 'federation.member_changed' AND details->>'change' = 'list' ORDER BY id`,
    )) as { details: Record<string, unknown> }[];
    expect(audit.map((a) => [a.details.code, a.details.fields])).toEqual([
      ['NI', ['displayName', 'maxLevel', 'acrMap', 'claims']], ['ST', ['displayName']], ['HB', ['enabled', 'disabledBy']],
    ]);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(await gauge('federationListStale')).toBe(0);
    expect(await gauge('federationListLastSuccess')).toBe(now());
    expect(await refreshes('success')).toBe(1);
  });

  it('FED-05 rejects a list with a bad signature and keeps the last valid list; raises the stale metric', async () => {
    const [header, , signature] = (await sign([entry('NI', { displayName: 'Niedersachsen' }), entry('ST'), entry('HB')])).split('.');
    const forged = b64({ iat: now(), members: [entry('NI', { displayName: 'Gefälscht', issuer: 'https://evil.example' })] });
    serve(`${header}.${forged}.${signature}`);
    await expectRefused(/signature verification failed/);
    expect((await members.find('NI'))?.issuer).toBe('https://servicekonto.ni.example');

    // The next valid list ends the alert.
    serve(await sign([entry('NI', { displayName: 'Niedersachsen' }), entry('ST', { displayName: 'Sachsen-Anhalt' })]));
    expect(await sync.refresh()).toMatchObject({ ok: true });
    expect(await gauge('federationListStale')).toBe(0);
  });

  it('FED-05 rejects a list signed by another key', async () => {
    const other = await generateKeyPair('ES256');
    serve(await sign([entry('NI', { displayName: 'Fremd' })], {}, other.privateKey));
    await expectRefused(/signature verification failed/);
  });

  it('FED-05 refuses alg none, HMAC with the public key as secret, and algorithms outside the allowed set', async () => {
    clock.advance(60_000);
    serve(`${b64({ alg: 'none' })}.${b64({ iat: now(), members: [entry('NI', { displayName: 'Unsigniert' })] })}.`);
    await expectRefused(/algorithm not allowed/);
    serve(await sign([entry('NI', { displayName: 'HMAC' })], {}, new TextEncoder().encode(deps.key) as unknown as CryptoKey, 'HS256'));
    await expectRefused(/algorithm not allowed/);
    const es384 = await generateKeyPair('ES384');
    serve(await sign([entry('NI', { displayName: 'ES384' })], {}, es384.privateKey, 'ES384'));
    await expectRefused(/algorithm not allowed/);
  });

  it('FED-05 refuses a replayed older list and a different list under the same iat; the list in force may be fetched again', async () => {
    const older = await sign([entry('NI', { displayName: 'Alt' })]);
    const current = await sign([entry('NI', { displayName: 'Niedersachsen' }), entry('ST', { displayName: 'Sachsen-Anhalt' })]);
    serve(current);
    expect(await sync.refresh()).toMatchObject({ ok: true });
    serve(older);
    await expectRefused(/replayed/);

    const iat = now();
    const sameIat = await new SignJWT({ members: [entry('NI', { displayName: 'Gleichzeitig' })] })
      .setProtectedHeader({ alg: 'ES256' }).setIssuedAt(iat).sign(federationKey.privateKey);
    serve(sameIat);
    await expectRefused(/not newer than the list in force/);

    serve(current);
    expect(await sync.refresh()).toEqual({ ok: true, applied: ['NI', 'ST'], disabled: ['HB'], skipped: [], held: [] });
    expect(await gauge('federationListStale')).toBe(0);
    expect((await members.find('NI'))?.displayName).toBe('Niedersachsen');
  });

  it('FED-05 refuses an expired list and one issued in the future (injected clock)', async () => {
    const list = await sign([entry('NI', { displayName: 'Abgelaufen' })], { exp: now() + 3600 });
    clock.advance(2 * 3600_000);
    serve(list);
    await expectRefused(/expired/);

    const future = await new SignJWT({ members: [entry('NI', { displayName: 'Zukunft' })] })
      .setProtectedHeader({ alg: 'ES256' }).setIssuedAt(now() + 3600).sign(federationKey.privateKey);
    serve(future);
    await expectRefused(/issued in the future/);
  });

  it('FED-05 an unreachable URL, HTTP 500, a wrong content type or an oversized body keep the list', async () => {
    const valid = await sign([entry('NI', { displayName: 'Nie angewandt' })]);
    serve(valid, 500);
    await expectRefused(/HTTP 500/);
    serve(valid, 200, 'text/html');
    await expectRefused(/content-type 'text\/html'/);
    serve(Buffer.alloc(1024 * 1024 + 1, 'a'));
    await expectRefused(/larger than/);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expectRefused(/cannot fetch: ECONNREFUSED/, new MemberListSync({ ...deps, url: `http://127.0.0.1:${port}/liste.jws` }));
  });

  it('FED-05 refuses a list that breaks the member rules or carries client credentials', async () => {
    serve(await sign([entry('NI', { maxLevel: 'maximal' as 'hoch' })]));
    await expectRefused(/invalid list: members\.0\.maxLevel/);
    serve(await sign([{ ...entry('NI'), clientSecret: 'gehört-nicht-in-eine-öffentliche-liste' } as FederationListEntry]));
    await expectRefused(/invalid list: members\.0/);
    serve(await sign([entry('ST', { issuer: 'https://servicekonto.hb.example' })]));
    await expectRefused(/already used by member HB/);
  });

  it('FED-05 skips listed Länder without local client credentials, reports them and logs a warning', async () => {
    serve(await sign([entry('NI', { displayName: 'Niedersachsen' }), entry('BE', { displayName: 'Berlin' }), entry('HB')]));
    expect(await sync.refresh()).toEqual({ ok: true, applied: ['NI', 'HB'], disabled: ['ST'], skipped: ['BE'], held: [] });
    expect(await members.find('BE')).toBeNull();
    expect((await members.enabled()).map((m) => m.code).sort()).toEqual(['HB', 'NI']);
    expect(logs.find((l) => l.level === 40 && l.skipped)).toMatchObject({ skipped: ['BE'], msg: expect.stringContaining('federation add') });
  });

  it('FED-05 verifies with an SPKI PEM key too (EdDSA)', async () => {
    const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const pem = new MemberListSync({ ...deps, key: await exportSPKI(ed.publicKey) });
    serve(await sign([entry('NI', { displayName: 'Niedersachsen (Ed25519)' }), entry('ST'), entry('HB')], {}, ed.privateKey, 'EdDSA'));
    expect(await pem.refresh()).toEqual({ ok: true, applied: ['NI', 'ST', 'HB'], disabled: [], skipped: [], held: [] });
    expect((await members.find('NI'))?.displayName).toBe('Niedersachsen (Ed25519)');
    serve(await sign([entry('NI', { displayName: 'ES256 gegen EdDSA-Schlüssel' })]));
    await expectRefused(/federation key cannot verify ES256/, pem);
  });

  /** `npm run cli -- federation <command>` against this schema, without Redis. */
  const cli = async (...args: string[]) => {
    const ROOT = fileURLToPath(new URL('../../', import.meta.url));
    const dataDir = mkdtempSync(join(tmpdir(), 'servicekonto-fedlist-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: db.schema, NODE_ENV: 'test', LOG_LEVEL: 'silent',
      DATA_DIR: dataDir, FEDERATION_LIST_URL: url, FEDERATION_LIST_KEY: deps.key,
    };
    delete env.REDIS_URL;
    try {
      return await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'src/cli/main.ts'), 'federation', ...args], { cwd: ROOT, env, timeout: 60_000 },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }));
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  /** The CLI runs on the system clock and keeps its replay mark in the database. */
  const signNow = (list: FederationListEntry[], iat = Math.floor(Date.now() / 1000)) =>
    new SignJWT({ members: list }).setProtectedHeader({ alg: 'ES256' }).setIssuedAt(iat).sign(federationKey.privateKey);

  it('FED-05 npm run cli -- federation sync applies the list (exit 0) and fails with exit 1 on a bad signature', async () => {
    const list = (name: string) => signNow([entry('NI', { displayName: name }), entry('BE')]);
    serve(await list('Niedersachsen (CLI)'));
    const ok = await cli('sync');
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/updated\/confirmed: NI\n.*disabled \(not listed\): HB, ST\n.*skipped .*: BE/);
    expect(ok.stdout).not.toContain('held');
    expect((await members.find('NI'))?.displayName).toBe('Niedersachsen (CLI)');

    const [header, , signature] = (await list('x')).split('.');
    serve(`${header}.${b64({ iat: Math.floor(Date.now() / 1000) + 1, members: [entry('NI', { displayName: 'Gefälscht' })] })}.${signature}`);
    const bad = await cli('sync');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: federation sync: signature verification failed; the last valid list stays in force\n$/);
    expect((await members.find('NI'))?.displayName).toBe('Niedersachsen (CLI)');
  });

  const stateOf = async (code: string) => {
    const member = await members.find(code);
    return member && { enabled: member.enabled, disabledBy: member.disabledBy };
  };
  const enabledCodes = async () => (await members.enabled()).map((m) => m.code).sort();
  const lastChange = async (code: string) => ((await db.dataSource.query(
    `SELECT details FROM audit_event WHERE type = 'federation.member_changed' AND details->>'code' = $1 ORDER BY id DESC LIMIT 1`, [code],
  )) as { details: Record<string, unknown> }[])[0]?.details;
  const ALL = () => [entry('NI'), entry('ST'), entry('HB')];
  const applied = (extra: Record<string, string[]> = {}) => ({ ok: true, applied: ['NI', 'ST', 'HB'], disabled: [], skipped: [], held: [], ...extra });

  it('FED-05 a Land the operator disabled stays disabled when the signed list lists it', async () => {
    serve(await sign(ALL()));
    expect(await sync.refresh()).toEqual(applied());
    expect(await enabledCodes()).toEqual(['HB', 'NI', 'ST']);

    // An incident: the operator switches NI off (npm run cli -- federation disable --code NI).
    expect(await members.setEnabled('NI', false)).toBe(true);
    expect(await stateOf('NI')).toEqual({ enabled: false, disabledBy: 'operator' });
    expect(await lastChange('NI')).toMatchObject({ change: 'disabled', disabledBy: 'operator' });

    // The next daily list names NI as enabled: its public fields are taken, the switch is not.
    serve(await sign([entry('NI', { displayName: 'Niedersachsen', enabled: true }), entry('ST'), entry('HB')]));
    expect(await sync.refresh()).toEqual(applied());
    expect(await members.find('NI')).toMatchObject({ displayName: 'Niedersachsen', enabled: false, disabledBy: 'operator' });
    // A restart fetches the list in force again (a new MemberListSync, as at start-up).
    expect(await new MemberListSync(deps).refresh()).toEqual(applied());
    expect(await stateOf('NI')).toEqual({ enabled: false, disabledBy: 'operator' });
    expect(await enabledCodes()).toEqual(['HB', 'ST']);

    // Dropped from the list, it stays the operator's: a later list naming it would not undo that either.
    serve(await sign([entry('ST'), entry('HB')]));
    expect(await sync.refresh()).toEqual({ ok: true, applied: ['ST', 'HB'], disabled: ['NI'], skipped: [], held: [] });
    expect(await stateOf('NI')).toEqual({ enabled: false, disabledBy: 'operator' });
    serve(await sign(ALL()));
    expect(await sync.refresh()).toEqual(applied());
    expect(await stateOf('NI')).toEqual({ enabled: false, disabledBy: 'operator' });

    // An operator's import with enabled: false counts as the operator's too.
    await members.importMany([{ ...entry('HB'), clientId: 'servicekonto-HB', enabled: false }]);
    serve(await sign(ALL()));
    expect(await sync.refresh()).toEqual(applied());
    expect(await stateOf('HB')).toEqual({ enabled: false, disabledBy: 'operator' });

    // Only the operator's enable ends it; from then on the list is in force again.
    expect(await members.setEnabled('NI', true)).toBe(true);
    expect(await members.setEnabled('HB', true)).toBe(true);
    expect(await stateOf('NI')).toEqual({ enabled: true, disabledBy: null });
    expect(await lastChange('NI')).toMatchObject({ change: 'enabled', disabledBy: null, previouslyDisabledBy: 'operator' });
    serve(await sign(ALL()));
    expect(await sync.refresh()).toEqual(applied());
    expect(await enabledCodes()).toEqual(['HB', 'NI', 'ST']);
  });

  it('FED-05 a Land the list itself disabled is enabled again when a later list lists it', async () => {
    serve(await sign([entry('NI'), entry('ST')]));
    expect(await sync.refresh()).toEqual({ ok: true, applied: ['NI', 'ST'], disabled: ['HB'], skipped: [], held: [] });
    expect(await stateOf('HB')).toEqual({ enabled: false, disabledBy: 'list' });
    expect(await lastChange('HB')).toMatchObject({ change: 'list', fields: ['enabled', 'disabledBy'], enabled: false, disabledBy: 'list' });

    serve(await sign(ALL()));
    expect(await sync.refresh()).toEqual(applied());
    expect(await stateOf('HB')).toEqual({ enabled: true, disabledBy: null });
    expect(await lastChange('HB')).toMatchObject({ change: 'list', fields: ['enabled', 'disabledBy'], enabled: true, disabledBy: null });

    // Published as disabled: off by the list's word, and on again by it.
    serve(await sign([entry('NI'), entry('ST', { enabled: false }), entry('HB')]));
    expect(await sync.refresh()).toEqual(applied());
    expect(await stateOf('ST')).toEqual({ enabled: false, disabledBy: 'list' });
    expect(await enabledCodes()).toEqual(['HB', 'NI']);
    serve(await sign(ALL()));
    expect(await sync.refresh()).toEqual(applied());
    expect(await enabledCodes()).toEqual(['HB', 'NI', 'ST']);
  });

  it('FED-05 an issuer change from the list holds the Land until an operator enables it', async () => {
    const original = 'https://servicekonto.st.example';
    const moved = 'https://neu.servicekonto.st.example';
    const movedList = (extra: Partial<FederationListEntry> = {}) => [entry('NI'), entry('ST', { issuer: moved, ...extra }), entry('HB')];
    serve(await sign(movedList({ displayName: 'Sachsen-Anhalt (neu)' })));
    expect(await sync.refresh()).toEqual(applied({ held: ['ST'] }));
    // Updated, but not offered: our client secret must not go to the new host unchecked.
    expect(await members.find('ST')).toMatchObject({ issuer: moved, displayName: 'Sachsen-Anhalt (neu)', enabled: false, disabledBy: 'issuer_change' });
    expect(await enabledCodes()).toEqual(['HB', 'NI']);
    expect(await members.clientSecret('ST')).toBe(`${SECRET}-ST`);
    expect(await lastChange('ST')).toEqual(expect.objectContaining({
      change: 'list', fields: ['displayName', 'issuer', 'enabled', 'disabledBy'], issuer: moved, previousIssuer: original,
      enabled: false, disabledBy: 'issuer_change',
    }));
    expect(logs.at(-1)).toMatchObject({ level: 40, held: ['ST'], msg: expect.stringContaining('federation enable') });

    // Neither the list naming it as enabled, nor dropping and re-listing it, lifts the hold; each refresh reports it.
    serve(await sign(movedList({ enabled: true })));
    expect(await sync.refresh()).toEqual(applied({ held: ['ST'] }));
    serve(await sign([entry('NI'), entry('HB')]));
    expect(await sync.refresh()).toEqual({ ok: true, applied: ['NI', 'HB'], disabled: ['ST'], skipped: [], held: [] });
    expect(await stateOf('ST')).toEqual({ enabled: false, disabledBy: 'issuer_change' });
    serve(await sign(movedList()));
    expect(await sync.refresh()).toEqual(applied({ held: ['ST'] }));
    expect(await stateOf('ST')).toEqual({ enabled: false, disabledBy: 'issuer_change' });

    // The CLI reports the hold at sync and says why in the list.
    serve(await signNow(movedList(), Math.floor(Date.now() / 1000) + 2));
    const synced = await cli('sync');
    expect(synced).toMatchObject({ code: 0, stderr: '' });
    expect(synced.stdout).toMatch(/^ {2}held \(issuer changed by the list; .*federation enable --code <CODE>.*\): ST$/m);
    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ST\s+Land ST\s+disabled \(issuer changed\)\s+substanziell\s+https:\/\/neu\.servicekonto\.st\.example\s/m);
    expect(listed.stdout).toMatch(/^NI\s+Land NI\s+enabled\s/m);
    expect(listed.stdout).toMatch(/Held after the federation list changed their issuer: ST;/);

    // The operator checked the new host: `federation enable` ends the hold, and the list is in force again.
    const enabled = await cli('enable', '--code', 'ST');
    expect(enabled).toMatchObject({ code: 0, stdout: 'Federation member enabled: ST\n' });
    expect(await stateOf('ST')).toEqual({ enabled: true, disabledBy: null });
    expect(await lastChange('ST')).toMatchObject({ change: 'enabled', issuer: moved, previouslyDisabledBy: 'issuer_change' });
    serve(await sign(movedList()));
    expect(await sync.refresh()).toEqual(applied());
    expect(await enabledCodes()).toEqual(['HB', 'NI', 'ST']);

    const disabled = await cli('disable', '--code', 'ST');
    expect(disabled.code).toBe(0);
    expect((await cli('list')).stdout).toMatch(/^ST\s+Land ST\s+disabled \(by operator\)\s/m);
  });

  it('FED-05 configuration: the list URL needs the federation key, https and a public key', () => {
    const base = { DATA_DIR: mkdtempSync(join(tmpdir(), 'cfg-fedlist-')), FEDERATION_LIST_URL: 'https://foederation.example/liste.jws' };
    expect(() => loadConfig(base)).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow(/FEDERATION_LIST_KEY is required when FEDERATION_LIST_URL is set/);
    expect(() => loadConfig({ ...base, FEDERATION_LIST_URL: 'http://foederation.example/liste.jws', FEDERATION_LIST_KEY: deps.key })).toThrow(/FEDERATION_LIST_URL/);
    expect(() => loadConfig({ ...base, FEDERATION_LIST_KEY: JSON.stringify({ ...JSON.parse(deps.key), d: 'privat' }) })).toThrow(/must be a public key/);
    expect(() => loadConfig({ ...base, FEDERATION_LIST_KEY: 'kein schlüssel' })).toThrow(/FEDERATION_LIST_KEY/);
    expect(loadConfig({ ...base, FEDERATION_LIST_KEY: deps.key }).federationList).toEqual({ url: base.FEDERATION_LIST_URL, key: deps.key });
    expect(loadConfig({ DATA_DIR: base.DATA_DIR }).federationList).toBeUndefined();
  });
});
