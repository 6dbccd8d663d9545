import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Account, type Adapter, type AdapterPayload } from 'oidc-provider';
import { Citizen, csrfToken, formAction } from '../helpers/citizen.ts';
import {
  expectAbortReaches, expectRefused, federatedCitizen, federationLink, handOver, homeAccount, lastSignInEvent, signInAtHome, startFederation, storedLinks,
  type Federation,
} from '../helpers/federation.ts';
import { authorizationUrl, redeem, registerRelyingParty, type RelyingParty } from '../helpers/relying-party.ts';

const LOW = 'http://eidas.europa.eu/LoA/low';
const SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';

/** A federated sign-in of a fresh citizen of NI through our consent page: the service's acr, and the acr_values NI was asked for. */
async function signInFromNi(f: Federation, service: RelyingParty, kind: 'citizen' | 'citizen_plus') {
  const citizen = federatedCitizen(f);
  const flow = await authorizationUrl(service);
  const handedOver: URL[] = [];
  const consent = await signInAtHome(citizen, await citizen.visit(flow.url.href), 'NI', await homeAccount(f.ni, kind), (url) => handedOver.push(url));
  expect(consent.body).toContain('Servicekonto aus Niedersachsen');
  const back = await citizen.submit(consent, formAction(consent, '/confirm'));
  const claims = (await redeem(service, flow, back.location!)).claims()!;
  return { acr: claims.acr, asked: handedOver[0]!.searchParams.get('acr_values') };
}

describe('FED-05 FED-06 a Land that may assert only niedrig', () => {
  let f: Federation;
  let basic: RelyingParty;
  let plus: RelyingParty;

  beforeAll(async () => {
    f = await startFederation('fedlvl-low', { member: { maxLevel: 'niedrig' } });
    basic = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'hundesteuer-st', federationAllowed: true });
    plus = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'bafoeg-st', federationAllowed: true, minLevel: 'substanziell' });
  });
  afterAll(async () => f.close());

  it('FED-04 FED-05 is not offered to a service requiring substanziell, neither on the login page nor when asked directly; a niedrig service offers it', async () => {
    const citizen = new Citizen(f.st.url);
    const login = await citizen.visit((await authorizationUrl(plus)).url.href);
    expect(login.body).toContain('name="password"');
    expect(login.body).not.toContain('Mit anderem Servicekonto');
    const uid = /\/interaction\/([^/"]+)\/login"/.exec(login.body)![1]!;
    expect((await citizen.request(`/interaction/${uid}/federation`)).location).toBe(`${f.st.url}/interaction/${uid}`);
    const forced = await citizen.request(`/interaction/${uid}/federation`, { form: { _csrf: csrfToken(login), land: 'NI' } });
    expect(forced.location).toBe(`${f.st.url}/interaction/${uid}`);

    const offered = await citizen.visit((await authorizationUrl(basic)).url.href);
    const choice = await citizen.visit(federationLink(offered));
    expect(choice.body).toContain('value="NI"');
  });

  it('FED-06 a Plus citizen of NI (asserted substanziell) arrives capped at niedrig', async () => {
    const { acr, asked } = await signInFromNi(f, basic, 'citizen_plus');
    expect({ asked, acr }).toEqual({ asked: LOW, acr: LOW });
    expect((await lastSignInEvent(f.st)).details).toMatchObject({ member: 'NI', level: 'niedrig', acr: SUBSTANTIAL });
  });
});

describe('FED-06 a Land whose acr maps above its maximum', () => {
  let f: Federation;
  let basic: RelyingParty;
  let plus: RelyingParty;

  beforeAll(async () => {
    // NI's substantial would mean hoch here, but NI may assert at most substanziell.
    f = await startFederation('fedlvl-cap', { member: { maxLevel: 'substanziell', acrMap: { [LOW]: 'niedrig', [SUBSTANTIAL]: 'hoch' } } });
    basic = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'hundesteuer-st', federationAllowed: true });
    plus = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'bafoeg-st', federationAllowed: true, minLevel: 'substanziell' });
  });
  afterAll(async () => f.close());

  it('FED-06 a Plus citizen of NI reaches a substanziell service capped at substanziell, never hoch', async () => {
    // Only NI's substantial reaches substanziell (capped from hoch), so that is what NI is asked for.
    const atPlus = await signInFromNi(f, plus, 'citizen_plus');
    expect({ asked: atPlus.asked, acr: atPlus.acr }).toEqual({ asked: SUBSTANTIAL, acr: SUBSTANTIAL });
    expect((await lastSignInEvent(f.st)).details).toMatchObject({ member: 'NI', level: 'substanziell', acr: SUBSTANTIAL });
    // At a service that only needs niedrig, NI is asked for low; its substantial is capped all the same.
    const atBasic = await signInFromNi(f, basic, 'citizen_plus');
    expect({ asked: atBasic.asked, acr: atBasic.acr }).toEqual({ asked: LOW, acr: SUBSTANTIAL });
    // A service requiring hoch is never offered a Land capped at substanziell.
    const high = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'waffenschein-st', federationAllowed: true, minLevel: 'hoch' });
    const login = await new Citizen(f.st.url).visit((await authorizationUrl(high)).url.href);
    expect(login.body).toContain('name="password"');
    expect(login.body).not.toContain('Mit anderem Servicekonto');
  });

  it('FED audit: events of federated sign-ins are kept 7 days, then purged; other events stay', async () => {
    await signInFromNi(f, basic, 'citizen');
    const count = async (where: string): Promise<number> => (await f.st.app.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE ${where}`))[0].n;
    const federationEvents = `type = 'federation.sign_in' OR details ? 'federatedAccount'`;
    const purgeable = await count(federationEvents);
    // The sign-in itself, and the consent given by the citizen of NI (named by the federated id).
    expect(await count(`type = 'federation.sign_in' AND result = 'success'`)).toBeGreaterThan(0);
    expect(await count(`type = 'consent.granted' AND details ? 'federatedAccount'`)).toBeGreaterThan(0);
    const others = await count(`NOT (${federationEvents})`);
    expect(await count(`type = 'federation.member_changed'`)).toBeGreaterThan(0);
    const purge = () => f.st.app.services.audit.purgeFederationEvents();
    expect(await purge()).toBe(0);
    const before = f.st.clock.now();
    try {
      f.st.clock.advance(6 * 86400_000);
      expect(await purge()).toBe(0);
      f.st.clock.advance(2 * 86400_000);
      expect(await purge()).toBe(purgeable);
      expect(await count(federationEvents)).toBe(0);
      expect(await count(`NOT (${federationEvents})`)).toBe(others);
    } finally {
      f.st.clock.set(before);
    }
  });
});

interface StubAccount { acr: string; claims: Record<string, string> }

/** Bayern's storage: a Map, nothing more (oidc-provider's own one warns on every start). */
const byStore = new Map<string, AdapterPayload>();
class MapAdapter implements Adapter {
  private readonly name: string;
  constructor(name: string) { this.name = name; }
  async upsert(id: string, payload: AdapterPayload) { byStore.set(`${this.name}:${id}`, payload); }
  async find(id: string) { return byStore.get(`${this.name}:${id}`); }
  async findByUid(uid: string) { return [...byStore].find(([key, p]) => key.startsWith(`${this.name}:`) && p.uid === uid)?.[1]; }
  async findByUserCode() { return undefined; }
  async consume(id: string) { byStore.get(`${this.name}:${id}`)!.consumed = true; }
  async destroy(id: string) { byStore.delete(`${this.name}:${id}`); }
  async revokeByGrantId(grantId: string) { for (const [key, p] of byStore) if (p.grantId === grantId) byStore.delete(key); }
}
const BY_SECRET = 'partner-secret-of-by-0123456789abcdef';

/**
 * Bayern as a minimal oidc-provider of its own: it signs in whichever account the test chose
 * (`as`), with that account's claims and acr, and consents on the spot. Our provider knows only
 * citizen accounts, so organisation accounts and wrong levels need this stand-in.
 */
async function startBavaria(redirectUri: string, accounts: Record<string, StubAccount>) {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.4', resolve));
  const url = `http://127.0.0.4:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const state = { as: Object.keys(accounts)[0]! };
  const provider = new Provider(url, {
    clients: [{
      client_id: 'portal-st', client_secret: BY_SECRET, redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256', grant_types: ['authorization_code'], response_types: ['code'],
    }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'by-1', alg: 'ES256', use: 'sig' }] },
    acrValues: [LOW, SUBSTANTIAL],
    claims: { acr: null, openid: ['sub'], profile: ['name'], email: ['email'], account_type: ['account_type'] },
    pkce: { required: () => true },
    cookies: { keys: ['by-cookie-key-0123456789abcdef'] },
    features: { devInteractions: { enabled: false } },
    adapter: MapAdapter,
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub): Account | undefined => (accounts[sub] ? { accountId: sub, claims: () => ({ sub, ...accounts[sub]!.claims }) } : undefined),
  });
  const oidc = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void oidc(req, res);
    void (async () => {
      const { params } = await provider.interactionDetails(req, res);
      const grant = new provider.Grant({ accountId: state.as, clientId: String(params.client_id) });
      grant.addOIDCScope(String(params.scope));
      const result = { login: { accountId: state.as, acr: accounts[state.as]!.acr }, consent: { grantId: await grant.save() } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => { res.statusCode = 500; res.end(String(error)); });
  });
  return {
    url, state,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('FED-03 FED-06 a Land whose accounts are not all citizens, or not at the level asked', () => {
  let f: Federation;
  let by: Awaited<ReturnType<typeof startBavaria>>;
  let basic: RelyingParty;
  let plus: RelyingParty;

  beforeAll(async () => {
    f = await startFederation('fedlvl-by');
    by = await startBavaria(`${f.st.url}/federation/callback`, {
      firma: { acr: LOW, claims: { account_type: 'unternehmen', name: 'Firma GmbH', email: 'post@firma.example' } },
      'ohne-kontoart': { acr: LOW, claims: { name: 'Ohne Angabe', email: 'ohne@bayern.example' } },
      buerger: { acr: LOW, claims: { account_type: 'servicekonto', name: 'Bürger Bayern', email: 'buerger@bayern.example' } },
      'eigenes-niveau': { acr: 'urn:bayern:loa:eigenes', claims: { account_type: 'servicekonto', name: 'Bürger Bayern', email: 'niveau@bayern.example' } },
    });
    await f.st.app.services.federationMembers.register({ code: 'BY', displayName: 'Bayern', issuer: by.url, clientId: 'portal-st', clientSecret: BY_SECRET });
    basic = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'hundesteuer-st', federationAllowed: true });
    plus = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'bafoeg-st', federationAllowed: true, minLevel: 'substanziell' });
  });
  afterAll(async () => {
    await by.close();
    await f.close();
  });

  async function viaBavaria(service: RelyingParty, account: string) {
    by.state.as = account;
    const citizen = federatedCitizen(f, by.url);
    const flow = await authorizationUrl(service);
    const page = await citizen.visit((await handOver(citizen, await citizen.visit(flow.url.href), 'BY')).href);
    return { citizen, flow, page };
  }

  it('FED-03 an organisation account is refused (403 "Nur mit einem Bürger-Servicekonto möglich"), and the citizen may sign in here instead', async () => {
    const { citizen, flow, page } = await viaBavaria(basic, 'firma');
    await expectRefused(f.st, page, {
      status: 403, heading: 'Nur mit einem Bürger-Servicekonto möglich', reason: 'not_citizen', member: 'BY', details: { member: 'BY', accountType: 'unternehmen' },
    });
    expect(page.body).not.toContain('Firma GmbH');
    const local = /<a[^>]*href="([^"]+)"[^>]*><span class="kern-label">Mit einem Servicekonto dieses Portals anmelden</.exec(page.body)![1]!;
    const login = await citizen.visit(local);
    expect(login.body).toContain('name="password"');
    expect(login.body).toContain('Mit anderem Servicekonto');
    await expectAbortReaches(citizen, page, basic, flow);
  });

  it('FED-03 a token that does not state the account type is not taken on trust', async () => {
    const { citizen, flow, page } = await viaBavaria(basic, 'ohne-kontoart');
    await expectRefused(f.st, page, {
      status: 403, heading: 'Nur mit einem Bürger-Servicekonto möglich', reason: 'not_citizen', member: 'BY', details: { member: 'BY', accountType: '' },
    });
    await expectAbortReaches(citizen, page, basic, flow);
  });

  it('FED-06 LOA-02 a citizen whose home Land confirms less than the service requires is refused, and the service learns unmet_authentication_requirements', async () => {
    const { citizen, flow, page } = await viaBavaria(plus, 'buerger');
    await expectRefused(f.st, page, {
      status: 403, heading: 'Vertrauensniveau nicht ausreichend', reason: 'level_too_low', member: 'BY', details: { member: 'BY', acr: LOW },
    });
    await expectAbortReaches(citizen, page, plus, flow, 'unmet_authentication_requirements');
    expect(await storedLinks(f.st)).toBe(0);
  });

  it('FED-06 an acr that is not in the Land\'s map is never guessed at: "Vertrauensniveau nicht erkannt"', async () => {
    const { citizen, flow, page } = await viaBavaria(basic, 'eigenes-niveau');
    await expectRefused(f.st, page, {
      status: 502, heading: 'Vertrauensniveau nicht erkannt', reason: 'level_unknown', member: 'BY', details: { member: 'BY', acr: 'urn:bayern:loa:eigenes' },
    });
    await expectAbortReaches(citizen, page, basic, flow);
  });
});
