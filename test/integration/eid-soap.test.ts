import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EidRequest, EidResult } from '../../src/eid/eid-service.ts';
import { EID_WSDL_PATH, SoapEidService, type EidKv } from '../../src/eid/soap-eid-service.ts';
import { createSimulatedEidService, startEidSimulator, type EidSimulator } from '../../src/eid/simulator/index.ts';

/** In-memory stand-in for the app's KvStore (only get/set are used by the adapter). */
class MapKv implements EidKv {
  readonly map = new Map<string, string>();
  async get(key: string): Promise<string | null> {
    return this.map.get(key) ?? null;
  }
  async set(key: string, value: string): Promise<void> {
    this.map.set(key, value);
  }
}

const RETURN_URL = 'http://127.0.0.1:9/eid/return?flow=abc';

let simulator: EidSimulator;
let tcServer: Server;
let tcTokenBaseUrl: string;
let tcTokenFetches = 0;
let eid: SoapEidService;
const kv = new MapKv();

beforeAll(async () => {
  simulator = await startEidSimulator({ production: false });
  let serve: (ref: string) => Promise<string | null> = async () => null;
  tcServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    tcTokenFetches++;
    serve(url.searchParams.get('ref') ?? '').then((xml) => {
      if (xml === null) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(xml);
    }, () => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => tcServer.listen(0, '127.0.0.1', resolve));
  tcTokenBaseUrl = `http://127.0.0.1:${(tcServer.address() as AddressInfo).port}/eid/tctoken`;
  eid = createSimulatedEidService({ kv, simulator, tcTokenBaseUrl, pollDelayMs: 10 });
  serve = (ref) => eid.tcToken(ref);
});

afterAll(async () => {
  tcServer.closeAllConnections();
  await new Promise((resolve) => tcServer.close(resolve));
  await simulator.close();
});

interface Step { card?: string; pin?: string; deselect?: string[]; dropHidden?: boolean; action?: 'identify' | 'cancel' }

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) out[m[1]!] = m[2] ?? '';
  return out;
}

/** Plays the citizen's browser on the simulator's eID-client page; returns page HTML and 303 target. */
async function browserStep(clientUrl: string, step: Step = {}): Promise<{ html: string; location: URL }> {
  const page = await fetch(clientUrl, { redirect: 'manual' });
  expect(page.status).toBe(200);
  const html = await page.text();
  const form = new URLSearchParams();
  for (const [, tag] of html.matchAll(/<input([^>]*)>/g)) {
    const a = attrs(tag!);
    if (!a['name'] || 'disabled' in a) continue;
    if (a['type'] === 'hidden' && !(step.dropHidden && a['name'] === 'field')) form.append(a['name'], a['value'] ?? '');
    if (a['type'] === 'checkbox' && !step.deselect?.includes(a['value'] ?? '')) form.append(a['name'], a['value'] ?? '');
  }
  form.set('card', step.card ?? 'erika');
  form.set('pin', step.pin ?? '123456');
  form.set('action', step.action ?? 'identify');
  const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1]!, clientUrl);
  const post = await fetch(action, { method: 'POST', body: form, redirect: 'manual' });
  expect(post.status).toBe(303);
  const location = new URL(post.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:9/eid/return');
  expect(location.searchParams.get('flow')).toBe('abc');
  return { html, location };
}

const BASE: EidRequest['fields'] = {
  GivenNames: 'REQUIRED', FamilyNames: 'REQUIRED', DateOfBirth: 'REQUIRED', PlaceOfResidence: 'REQUIRED',
  DocumentType: 'REQUIRED', DateOfExpiry: 'REQUIRED', Nationality: 'ALLOWED', BirthName: 'ALLOWED', RestrictedID: 'ALLOWED',
};

async function identify(step: Step = {}, fields = BASE): Promise<{ result: EidResult; location: URL; html: string }> {
  const start = await eid.start({ fields, returnUrl: RETURN_URL, transactionInfo: 'Registrierung Servicekonto' });
  const { html, location } = await browserStep(start.clientUrl, step);
  return { result: await eid.result(start.sessionId), location, html };
}

function person(result: EidResult) {
  if (!result.ok) throw new Error(`expected success, got ${result.reason}`);
  return result;
}

describe('eID over SOAP against the simulator', () => {
  it('EID-09 the real adapter talks SOAP over HTTP to the simulator and the client fetches the TC token', async () => {
    const before = simulator.stats.soapRequests;
    const fetchesBefore = tcTokenFetches;
    const start = await eid.start({ fields: BASE, returnUrl: RETURN_URL });
    expect(start.sessionId).toMatch(/^[0-9a-f]{32,}$/);
    expect(start.clientUrl.startsWith(`${simulator.baseUrl}/eID-Client?tcTokenURL=`)).toBe(true);
    const { location, html } = await browserStep(start.clientUrl);
    expect(location.searchParams.get('ResultMajor')).toBe('ok');
    expect(html).not.toMatch(/<script|style=/);
    const { person: p, allowed } = person(await eid.result(start.sessionId));
    expect(p).toMatchObject({ givenNames: 'ERIKA', familyNames: 'MUSTERMANN', birthName: 'GABLER', dateOfBirth: '19640812', documentType: 'ID' });
    expect(p.placeOfResidence).toEqual({ kind: 'structured', street: 'HEIDESTRASSE 17', city: 'KÖLN', country: 'D', zipCode: '51147' });
    expect(allowed.GivenNames).toBe('ALLOWED');
    expect(allowed.AcademicTitle).toBe('PROHIBITED');
    expect(simulator.stats.soapRequests - before).toBeGreaterThanOrEqual(2);
    expect(tcTokenFetches - fetchesBefore).toBe(1);
  });

  it('EID-09 the TC token has the TR-03124 layout', async () => {
    const start = await eid.start({ fields: BASE, returnUrl: RETURN_URL });
    const tcTokenUrl = new URL(start.clientUrl).searchParams.get('tcTokenURL')!;
    const xml = await (await fetch(tcTokenUrl)).text();
    expect(xml).toMatch(/^<TCTokenType>\s*<ServerAddress>[^<]+<\/ServerAddress>\s*<SessionIdentifier>[^<]{16,}<\/SessionIdentifier>\s*<RefreshAddress>/);
    expect(xml).toContain('<Binding>urn:liberty:paos:2006-08</Binding>');
    expect(xml).toContain('<PathSecurity-Protocol>urn:ietf:rfc:4279</PathSecurity-Protocol>');
    expect(xml).toMatch(/<PathSecurity-Parameters><PSK>[0-9a-f]{64}<\/PSK><\/PathSecurity-Parameters>/);
    expect(await (await fetch(`${tcTokenBaseUrl}?ref=unknown`)).status).toBe(404);
  });

  it('EID-02 REQUIRED fields cannot be deselected, a deselected ALLOWED field comes back PROHIBITED', async () => {
    const { result, html } = await identify({ dropHidden: true, deselect: ['BirthName'] });
    expect(html).toMatch(/<input type="checkbox" id="field-GivenNames" checked disabled>/);
    expect(html).toContain('Registrierung Servicekonto');
    const { person: p, allowed } = person(result);
    expect(p.givenNames).toBe('ERIKA');
    expect(p.placeOfResidence?.kind).toBe('structured');
    expect(p.birthName).toBeUndefined();
    expect(allowed.BirthName).toBe('PROHIBITED');
    expect(allowed.GivenNames).toBe('ALLOWED');
  });

  it('EID-03 the pseudonym is only transferred when selected, stable per card and new for a renewed card', async () => {
    const off = person((await identify({ deselect: ['RestrictedID'] })).result);
    expect(off.person.restrictedId).toBeUndefined();
    expect(off.allowed.RestrictedID).toBe('PROHIBITED');
    const first = person((await identify()).result).person.restrictedId;
    const again = person((await identify()).result).person.restrictedId;
    const renewed = person((await identify({ card: 'erika-renewed' })).result);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(again).toBe(first);
    expect(renewed.person.restrictedId).toMatch(/^[0-9a-f]{64}$/);
    expect(renewed.person.restrictedId).not.toBe(first);
    expect(renewed.person.dateOfExpiry).toBe('2039-10-31');
  });

  it('EID-07 a wrong PIN fails with wrong_pin', async () => {
    const { result, location } = await identify({ pin: '000000' });
    expect(location.searchParams.get('ResultMajor')).toBe('error');
    expect(result).toMatchObject({ ok: false, reason: 'wrong_pin' });
  });

  it('EID-07 cancelling fails with cancelled', async () => {
    const { result, location } = await identify({ action: 'cancel', pin: '' });
    expect(location.searchParams.get('ResultMajor')).toBe('error');
    expect(location.searchParams.get('ResultMinor')).toBe('cancellationByUser');
    expect(result).toMatchObject({ ok: false, reason: 'cancelled' });
  });

  it('EID-05 an expired card fails with card_expired', async () => {
    expect((await identify({ card: 'expired' })).result).toMatchObject({ ok: false, reason: 'card_expired' });
  });

  it('EID-01 a residence permit reports document type AR and a foreign nationality', async () => {
    const { person: p } = person((await identify({ card: 'permit' })).result);
    expect(p.documentType).toBe('AR');
    expect(p.nationality).toBe('FIN');
  });

  it('EID-01 a card without German residence reports NoPlaceInfo', async () => {
    const { person: p } = person((await identify({ card: 'abroad' })).result);
    expect(p.placeOfResidence).toEqual({ kind: 'none', text: 'keine Wohnung in Deutschland' });
  });

  it('EID-01 a partial birth date stays a DateString and missing data groups are NOTONCHIP', async () => {
    const { person: p, allowed } = person((await identify({ card: 'partial' })).result);
    expect(p.dateOfBirth).toBe('199409  ');
    expect(p.placeOfResidence).toBeUndefined();
    expect(allowed.PlaceOfResidence).toBe('NOTONCHIP');
    expect(p.givenNames).toBeUndefined();
    expect(allowed.GivenNames).toBe('NOTONCHIP');
  });

  it('EID-09 getResult before the browser step gives no_result_yet after the bounded polls', async () => {
    const quick = createSimulatedEidService({ kv, simulator, tcTokenBaseUrl, maxPolls: 3, pollDelayMs: 5 });
    const start = await quick.start({ fields: BASE, returnUrl: RETURN_URL });
    const before = simulator.stats.soapRequests;
    expect(await quick.result(start.sessionId)).toMatchObject({ ok: false, reason: 'no_result_yet' });
    expect(simulator.stats.soapRequests - before).toBe(3);
    // The session survives noResultYet and can still finish.
    await browserStep(start.clientUrl);
    expect((await quick.result(start.sessionId)).ok).toBe(true);
  });

  it('EID-09 a second getResult after success is invalid_session', async () => {
    const start = await eid.start({ fields: BASE, returnUrl: RETURN_URL });
    await browserStep(start.clientUrl);
    expect((await eid.result(start.sessionId)).ok).toBe(true);
    expect(await eid.result(start.sessionId)).toMatchObject({ ok: false, reason: 'invalid_session' });
  });

  it('EID-09 the simulator is refused in production', async () => {
    await expect(startEidSimulator({ production: true })).rejects.toThrow(/production/);
  });
});

describe('eID adapter with WS-Security signing', () => {
  it('EID-09 signs useID and getResult with WSSecurityCert when signing is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eid-sign-'));
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '1', '-subj', '/CN=eService Test'], { stdio: 'ignore' });
    const signed = new SoapEidService({
      wsdlPath: EID_WSDL_PATH, endpoint: simulator.soapEndpoint, tcTokenBaseUrl, kv, maxPolls: 1,
      signing: { certFile, keyFile },
    });
    const before = simulator.stats.signedRequests;
    const start = await signed.start({ fields: BASE, returnUrl: RETURN_URL });
    expect(await signed.result(start.sessionId)).toMatchObject({ ok: false, reason: 'no_result_yet' });
    expect(simulator.stats.signedRequests - before).toBe(2);
    rmSync(dir, { recursive: true, force: true });
  });
});
