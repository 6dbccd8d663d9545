import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import {
  callbackFromHome, expectAbortReaches, expectRefused, federatedCitizen, federationLink, handOver, heading, homeAccount, lastSignInEvent, startFederation, storedLinks,
  type Federation,
} from '../helpers/federation.ts';
import { authorizationUrl, registerRelyingParty, type RelyingParty } from '../helpers/relying-party.ts';
import { formAction } from '../helpers/citizen.ts';

/**
 * FED-01/02: every way a home Land's answer can go wrong ends on a German page that says what
 * happened, stores nothing about the citizen, is audited with its reason, and lets the citizen
 * return to the online service with a proper OIDC error. No test here completes a sign-in, so
 * "nothing stored" means: no link at all.
 */
describe('FED failures: refused answers of the home Land', () => {
  let f: Federation;
  let service: RelyingParty;

  beforeAll(async () => {
    f = await startFederation('fedfail');
    service = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'hundesteuer-st', federationAllowed: true });
  });
  afterAll(async () => f.close());

  /** An online service's authorization request, up to the hand-over to Niedersachsen. */
  async function toHomeLand() {
    const citizen = federatedCitizen(f);
    const flow = await authorizationUrl(service);
    const authorize = await handOver(citizen, await citizen.visit(flow.url.href), 'NI');
    return { citizen, flow, authorize };
  }

  it('FED-01 an ID token with a nonce other than ours is refused: "Anmeldebestätigung passt nicht"', async () => {
    const { citizen, flow, authorize } = await toHomeLand();
    authorize.searchParams.set('nonce', 'nonce-chosen-by-someone-else');
    const page = await citizen.visit((await callbackFromHome(citizen, authorize, await homeAccount(f.ni))).href);
    await expectRefused(f.st, page, { status: 400, heading: 'Anmeldebestätigung passt nicht', reason: 'nonce', details: { member: 'NI' } });
    await expectAbortReaches(citizen, page, service, flow);
  });

  it('FED-01 a callback with an altered state is refused ("Anmeldung nicht zuzuordnen") and spends the hand-over: the genuine one is refused afterwards', async () => {
    const { citizen, flow, authorize } = await toHomeLand();
    const callback = await callbackFromHome(citizen, authorize, await homeAccount(f.ni));
    const state = callback.searchParams.get('state')!;
    const altered = new URL(callback);
    altered.searchParams.set('state', `${state.slice(0, state.lastIndexOf('.'))}.${'x'.repeat(43)}`);
    const page = await citizen.visit(altered.href);
    await expectRefused(f.st, page, { status: 400, heading: 'Anmeldung nicht zuzuordnen', reason: 'state' });
    expect((await lastSignInEvent(f.st)).client_id).toBe('hundesteuer-st');
    // The pending hand-over is single-use: a guessed state burns it, the real code is never redeemed.
    const genuine = await citizen.visit(callback.href);
    await expectRefused(f.st, genuine, { status: 400, heading: 'Anmeldung nicht zuzuordnen', reason: 'state' });
    await expectAbortReaches(citizen, genuine, service, flow);
  });

  it('FED-01 a callback that belongs to no sign-in in this browser is refused, and nothing is stored', async () => {
    const orphan = await federatedCitizen(f).visit(`${f.st.url}/federation/callback?code=abc&state=ohne-punkt`);
    expect({ status: orphan.status, heading: heading(orphan) }).toEqual({ status: 400, heading: 'Anmeldung nicht zuzuordnen' });
    expect(orphan.body).toContain('gehört zu keiner laufenden Anmeldung');
    const unknown = await federatedCitizen(f).visit(`${f.st.url}/federation/callback?code=abc&state=${'A'.repeat(43)}.zufall`);
    expect({ status: unknown.status, heading: heading(unknown) }).toEqual({ status: 400, heading: 'Anmeldung nicht zuzuordnen' });
    // A genuine callback opened in another browser (no interaction cookie there) leads nowhere.
    const { citizen, authorize } = await toHomeLand();
    const callback = await callbackFromHome(citizen, authorize, await homeAccount(f.ni));
    const stranger = federatedCitizen(f);
    const relayed = await stranger.request(callback.href);
    expect(relayed.location).toMatch(/\/federation\/return\?/);
    expect((await stranger.request(relayed.location!)).location).toBe(`${f.st.url}/sitzung-abgelaufen`);
    expect(await storedLinks(f.st)).toBe(0);
  });

  it('FED-05 a Land disabled while the citizen is away is refused on the way back (409), and the callback cannot be replayed once it is enabled again', async () => {
    const { citizen, flow, authorize } = await toHomeLand();
    const callback = await callbackFromHome(citizen, authorize, await homeAccount(f.ni));
    // The citizen signed in at home and is on the way back when the operator disables NI.
    await f.st.app.services.federationMembers.setEnabled('NI', false);
    try {
      const page = await citizen.visit(callback.href);
      await expectRefused(f.st, page, { status: 409, heading: 'Anmeldung mit Niedersachsen zurzeit nicht möglich', reason: 'disabled', details: { member: 'NI' } });
    } finally {
      await f.st.app.services.federationMembers.setEnabled('NI', true);
    }
    // Single use: the same callback, with a code the home Land would still accept, is not taken again.
    const replay = await citizen.visit(callback.href);
    await expectRefused(f.st, replay, { status: 400, heading: 'Anmeldung nicht zuzuordnen', reason: 'state' });
    await expectAbortReaches(citizen, replay, service, flow);
  });

  it('FED-02 declining at the home Land (its "Ablehnen") comes back as access_denied: "Anmeldung in Niedersachsen abgebrochen"', async () => {
    const { citizen, flow, authorize } = await toHomeLand();
    const callback = await callbackFromHome(citizen, authorize, await homeAccount(f.ni), '/abort');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const page = await citizen.visit(callback.href);
    await expectRefused(f.st, page, {
      status: 400, heading: 'Anmeldung in Niedersachsen abgebrochen', reason: 'upstream_cancelled', details: { member: 'NI', upstreamError: 'access_denied' },
    });
    await expectAbortReaches(citizen, page, service, flow);
  });

  it('FED-01 any other error= answer of the home Land is refused and named: "Anmeldung in Niedersachsen nicht abgeschlossen"', async () => {
    const { citizen, flow, authorize } = await toHomeLand();
    const callback = await callbackFromHome(citizen, authorize, await homeAccount(f.ni));
    const failed = new URL(`${callback.origin}${callback.pathname}`);
    // As the home Land would send it: with its state and its issuer (RFC 9207).
    failed.search = new URLSearchParams({ error: 'server_error', state: callback.searchParams.get('state')!, iss: callback.searchParams.get('iss')! }).toString();
    const page = await citizen.visit(failed.href);
    await expectRefused(f.st, page, {
      status: 502, heading: 'Anmeldung in Niedersachsen nicht abgeschlossen', reason: 'upstream_error', details: { member: 'NI', upstreamError: 'server_error' },
    });
    expect(page.body).toContain('<code>server_error</code>');
    await expectAbortReaches(citizen, page, service, flow);
  });

  it('FED-01 an ID token that expired before the citizen came back is refused: "Anmeldebestätigung abgelaufen"', async () => {
    const { citizen, flow, authorize } = await toHomeLand();
    const callback = await callbackFromHome(citizen, authorize, await homeAccount(f.ni));
    const before = f.st.clock.now();
    // The home Land's ID tokens live ttl.idToken (10 minutes); the visited Land's clock moves on 2 h.
    f.st.clock.advance(2 * 3600_000);
    try {
      const page = await citizen.visit(callback.href);
      await expectRefused(f.st, page, { status: 400, heading: 'Anmeldebestätigung abgelaufen', reason: 'expired', details: { member: 'NI' } });
      await expectAbortReaches(citizen, page, service, flow);
    } finally {
      f.st.clock.set(before);
    }
  });
});

/** What the visited Land's fetch (member-client's test seam) does to the home Land's answers. */
type Mode = 'pass' | 'tamper-signature' | 'hang-token';

describe('FED failures: the home Land\'s answer in transit (tampered, slow, unreachable)', () => {
  let f: Federation;
  let service: RelyingParty;
  let silent: Server;
  let mode: Mode = 'pass';

  const tokenEndpoint = (url: string) => new URL(url).pathname === '/token';
  const fetchOfVisitedLand: client.CustomFetch = async (url, options) => {
    if (mode === 'hang-token' && tokenEndpoint(url)) {
      // Never answers; only the request's own time-out ends the wait.
      return new Promise<Response>((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal!.reason)));
    }
    const response = await fetch(url, options as RequestInit);
    if (mode !== 'tamper-signature' || !tokenEndpoint(url) || !response.ok) return response;
    const body = (await response.json()) as { id_token: string };
    const [header, payload, signature] = body.id_token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(JSON.stringify({ ...body, id_token: `${header}.${payload}.${flipped}` }), { status: response.status, headers });
  };

  beforeAll(async () => {
    f = await startFederation('fedfail-net', { st: { federation: { fetch: fetchOfVisitedLand, timeoutSeconds: 2 } } });
    service = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'hundesteuer-st', federationAllowed: true });
    // Bremen's provider accepts connections and never answers.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.3', resolve));
    await f.st.app.services.federationMembers.register({
      code: 'HB', displayName: 'Bremen', issuer: `http://127.0.0.3:${(silent.address() as AddressInfo).port}`,
      clientId: 'portal-st', clientSecret: 'partner-secret-of-hb-0123456789abcdef',
    });
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await f.close();
  });

  async function atLogin() {
    const citizen = federatedCitizen(f);
    const flow = await authorizationUrl(service);
    return { citizen, flow, login: await citizen.visit(flow.url.href) };
  }

  /** Signed in at NI; the way back is in hand, not yet taken. */
  async function backFromNi() {
    const { citizen, flow, login } = await atLogin();
    return { citizen, flow, callback: await callbackFromHome(citizen, await handOver(citizen, login, 'NI'), await homeAccount(f.ni)) };
  }

  it('FED-01 an ID token whose signature was tampered with is refused: "Anmeldebestätigung ungültig"', async () => {
    const { citizen, flow, callback } = await backFromNi();
    mode = 'tamper-signature';
    try {
      const page = await citizen.visit(callback.href);
      await expectRefused(f.st, page, { status: 502, heading: 'Anmeldebestätigung ungültig', reason: 'signature', details: { member: 'NI' } });
      await expectAbortReaches(citizen, page, service, flow);
    } finally {
      mode = 'pass';
    }
  });

  it('FED-01 a Land that does not answer is given up after the time-out (no hung request): "Bremen ist nicht erreichbar" (504)', async () => {
    const { citizen, flow, login } = await atLogin();
    const choice = await citizen.visit(federationLink(login));
    expect(choice.body).toContain('value="HB"');
    const started = Date.now();
    const page = await citizen.submit(choice, formAction(choice, '/federation'), { land: 'HB' });
    // A bound proving the request was cut off (time-out 2 s), not a performance target.
    expect(Date.now() - started).toBeLessThan(8000);
    await expectRefused(f.st, page, { status: 504, heading: 'Bremen ist nicht erreichbar', reason: 'unreachable', details: { member: 'HB' } });
    expect((await lastSignInEvent(f.st)).client_id).toBe('hundesteuer-st');
    await expectAbortReaches(citizen, page, service, flow);
  });

  it('FED-01 a home Land whose token endpoint stops answering after the sign-in is given up too: "Niedersachsen ist nicht erreichbar"', async () => {
    const { citizen, flow, callback } = await backFromNi();
    mode = 'hang-token';
    try {
      const started = Date.now();
      const page = await citizen.visit(callback.href);
      expect(Date.now() - started).toBeLessThan(8000);
      await expectRefused(f.st, page, { status: 504, heading: 'Niedersachsen ist nicht erreichbar', reason: 'unreachable', details: { member: 'NI' } });
      await expectAbortReaches(citizen, page, service, flow);
    } finally {
      mode = 'pass';
    }
  });
});
