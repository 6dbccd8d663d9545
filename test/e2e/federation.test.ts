import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as openidClient from 'openid-client';
import { Citizen, formAction } from '../helpers/citizen.ts';
import { federatedCitizen, federationLink, signInAtHome, startFederation, type Federation } from '../helpers/federation.ts';
import { authorizationUrl, redeem, registerRelyingParty, signIn, type RelyingParty } from '../helpers/relying-party.ts';

const LOW = 'http://eidas.europa.eu/LoA/low';
const SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';
const BASIC = { email: 'heinz@niedersachsen.example', password: 'ABab1234' };
const PLUS = { email: 'erika@niedersachsen.example', password: '7890?!+-' };

describe('FED: sign-in with the service account of another Land (two providers on loopback)', () => {
  let f: Federation;
  let hundesteuer: RelyingParty;
  let plusService: RelyingParty;
  let localOnly: RelyingParty;

  beforeAll(async () => {
    f = await startFederation('fed');
    await f.ni.app.services.accounts.createAccount({ ...BASIC, displayName: 'Heinz Basis', givenName: 'Heinz', familyName: 'Basis' });
    await f.ni.app.services.accounts.createAccount({ ...PLUS, displayName: 'Erika Plus', kind: 'citizen_plus' });
    hundesteuer = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'hundesteuer-st', federationAllowed: true });
    plusService = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'bafoeg-st', federationAllowed: true, minLevel: 'substanziell' });
    localOnly = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'wohngeld-st' });
  });
  afterAll(async () => f.close());

  async function federatedSignIn(rp: RelyingParty, credentials: typeof BASIC, citizen = federatedCitizen(f)) {
    const flow = await authorizationUrl(rp);
    const login = await citizen.visit(flow.url.href);
    const consent = await signInAtHome(citizen, login, 'NI', credentials);
    return { flow, citizen, consent };
  }

  it('FED-01 FED-02 LOA-04 OIDC-04 a basic citizen of NI reaches an ST service as niedrig with a stable pairwise sub and only consented claims', async () => {
    const first = await federatedSignIn(hundesteuer, BASIC);
    // FED-02: our consent page names the home Land and lists the data with its values.
    expect(first.consent.status).toBe(200);
    expect(first.consent.url.startsWith(f.st.url)).toBe(true);
    expect(first.consent.body).toContain('Servicekonto aus Niedersachsen');
    expect(first.consent.body).toContain('heinz@niedersachsen.example');
    expect(first.consent.body).toContain('nur für diese Anmeldung');
    const back = await first.citizen.submit(first.consent, formAction(first.consent, '/confirm'));
    const tokens = await redeem(hundesteuer, first.flow, back.location!);
    const claims = tokens.claims()!;
    expect(claims.acr).toBe(LOW);
    const userinfo = await fetchUserInfo(hundesteuer, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ email: BASIC.email, given_name: 'Heinz', family_name: 'Basis', name: 'Heinz Basis' });
    // Only what the service asked for (openid profile email): no account type, no address.
    expect(userinfo).not.toHaveProperty('account_type');
    // No refresh token: the home Land's data lives only as long as this sign-in.
    expect(tokens.refresh_token).toBeUndefined();

    // A second sign-in in a fresh browser: consent again (nothing remembered), same pairwise sub.
    const second = await federatedSignIn(hundesteuer, BASIC);
    expect(second.consent.body).toContain('/confirm"');
    const again = await second.citizen.submit(second.consent, formAction(second.consent, '/confirm'));
    const claims2 = (await redeem(hundesteuer, second.flow, again.location!)).claims()!;
    expect(claims2.sub).toBe(claims.sub);
    // The sub is ours (pairwise), not the home Land's.
    expect(claims.sub).not.toMatch(/^fed:/);
    const counted = await f.st.app.metrics.registry.getSingleMetricAsString('servicekonto_federation_sign_ins_total');
    expect(counted).toMatch(/member="NI",outcome="success"} [2-9]/);
  });

  it('FED-06 LOA-02 a Plus citizen of NI arrives as substanziell at a service requiring Plus', async () => {
    const { flow, citizen, consent } = await federatedSignIn(plusService, PLUS);
    const back = await citizen.submit(consent, formAction(consent, '/confirm'));
    expect((await redeem(plusService, flow, back.location!)).claims()!.acr).toBe(SUBSTANTIAL);
  });

  it('FED-02 declining the consent returns access_denied to the service and stores no consent', async () => {
    const fresh = { email: 'zoegernd@niedersachsen.example', password: 'EFef9012' };
    await f.ni.app.services.accounts.createAccount({ ...fresh, displayName: 'Zögernde Nutzerin' });
    const linksBefore = await f.st.app.dataSource.query(`SELECT count(*)::int AS n FROM federated_identity`);
    const { citizen, consent } = await federatedSignIn(hundesteuer, fresh);
    const back = await citizen.submit(consent, formAction(consent, '/abort'));
    const callback = new URL(back.location!);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
    const rows = await f.st.app.dataSource.query(`SELECT count(*)::int AS n FROM consent`);
    expect(rows[0].n).toBe(0);
    const declined = await f.st.app.dataSource.query(`SELECT details FROM audit_event WHERE type = 'consent.declined'`);
    expect(declined.length).toBe(1);
    expect(declined[0].details.federatedAccount).toMatch(/^fed:/);
    // Declined at the first sign-in: not even the (issuer, sub) link is kept.
    expect(await f.st.app.dataSource.query(`SELECT count(*)::int AS n FROM federated_identity`)).toEqual(linksBefore);
    // The home Land's data is gone: the same browser gets no silent sign-in from that session.
    const silent = await citizen.visit((await authorizationUrl(hundesteuer, { prompt: 'none' })).url.href);
    expect(new URL(silent.location!).searchParams.get('error')).toBe('login_required');
  });

  it('FED-04 a service without the flag shows no "Mit anderem Servicekonto", and the choice page is not reachable', async () => {
    const citizen = new Citizen(f.st.url);
    const login = await citizen.visit((await authorizationUrl(localOnly)).url.href);
    expect(login.body).toContain('name="password"');
    expect(login.body).not.toContain('Mit anderem Servicekonto');
    const uid = /\/interaction\/([^/"]+)\/login"/.exec(login.body)![1]!;
    const direct = await citizen.request(`/interaction/${uid}/federation`);
    expect(direct.status).toBe(303);
    expect(direct.location).toBe(`${f.st.url}/interaction/${uid}`);
    const forced = await citizen.request(`/interaction/${uid}/federation`, { form: { _csrf: csrfOf(login), land: 'NI' } });
    expect(forced.location).toBe(`${f.st.url}/interaction/${uid}`);
  });

  it('FED-01 the Land choice lists the members and keeps the user on the page when none is chosen', async () => {
    const citizen = federatedCitizen(f);
    const login = await citizen.visit((await authorizationUrl(hundesteuer)).url.href);
    expect(login.body).toContain('Mit anderem Servicekonto');
    const choice = await citizen.visit(federationLink(login));
    expect(choice.body).toContain('Niedersachsen');
    expect(choice.body).toContain('value="NI"');
    const none = await citizen.submit(choice, formAction(choice, '/federation'), {});
    expect(none.status).toBe(400);
    expect(none.body).toContain('Bitte wählen Sie ein Bundesland aus.');
    const unknown = await citizen.submit(choice, formAction(choice, '/federation'), { land: 'BY' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('aus der Liste');
  });

  it('FED-01 the hand-over to the home Land uses code + PKCE + state + nonce, asks for the required level and only the needed scopes', async () => {
    const citizen = federatedCitizen(f);
    const login = await citizen.visit((await authorizationUrl(plusService)).url.href);
    const choice = await citizen.visit(federationLink(login));
    const redirect = await citizen.request(formAction(choice, '/federation'), { form: { _csrf: csrfOf(choice), land: 'NI' } });
    const url = new URL(redirect.location!);
    expect(url.origin).toBe(f.ni.url);
    const p = url.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(p.get('state')).toBeTruthy();
    expect(p.get('nonce')).toBeTruthy();
    expect(p.get('redirect_uri')).toBe(`${f.st.url}/federation/callback`);
    // NI may assert at most substanziell here, so hoch is not asked for.
    expect(p.get('acr_values')).toBe(SUBSTANTIAL);
    expect(p.get('scope')!.split(' ').sort()).toEqual(['account_type', 'email', 'openid', 'profile']);
  });

  it('FED-06 the home Land shows its citizen exactly the claims transferred to the partner portal', async () => {
    const fresh = { email: 'neu@niedersachsen.example', password: 'CDcd5678' };
    await f.ni.app.services.accounts.createAccount({ ...fresh, displayName: 'Neu Nutzer' });
    const citizen = federatedCitizen(f);
    const login = await citizen.visit((await authorizationUrl(hundesteuer)).url.href);
    const choice = await citizen.visit(federationLink(login));
    const redirect = await citizen.request(formAction(choice, '/federation'), { form: { _csrf: csrfOf(choice), land: 'NI' } });
    const homeLogin = await citizen.visit(redirect.location!);
    const homeConsent = await citizen.submit(homeLogin, formAction(homeLogin, '/login'), fresh);
    expect(homeConsent.url.startsWith(f.ni.url)).toBe(true);
    expect(homeConsent.body).toContain('Serviceportal ST');
    const listed = [...homeConsent.body.matchAll(/<li>([^<:]+)/g)].map((m) => m[1]!.trim());
    expect(listed).toEqual(expect.arrayContaining(['Name', 'Vorname', 'Nachname', 'E-Mail-Adresse', 'Kontoart (Servicekonto oder Servicekonto Plus)']));
    // The partner portal may ask for the address, but this service did not need it.
    expect(listed).not.toContain('Anschrift');
  });

  it('FED-06 OIDC-04 the consent page marks asked-for data the account does not have as not transferred', async () => {
    const partner = await registerRelyingParty(f.ni.app, f.ni.url, { clientId: 'meldebescheinigung-ni', scopes: ['openid', 'profile', 'email', 'address'] });
    const citizen = new Citizen(f.ni.url);
    const login = await citizen.visit((await authorizationUrl(partner, { scope: 'openid email address' })).url.href);
    const consent = await citizen.submit(login, formAction(login, '/login'), BASIC);
    const items = [...consent.body.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());
    expect(items).toContain('Anschrift (liegt in Ihrem Konto nicht vor – wird nicht übermittelt)');
    expect(items).toContain('E-Mail-Adresse');
  });

  it('FED sessions: a federated session serves only the service that started it (no SSO)', async () => {
    const { citizen, consent } = await federatedSignIn(hundesteuer, BASIC);
    await citizen.submit(consent, formAction(consent, '/confirm'));
    const other = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'kita-st', federationAllowed: true });
    const silent = await citizen.visit((await authorizationUrl(other, { prompt: 'none' })).url.href);
    expect(new URL(silent.location!).searchParams.get('error')).toBe('login_required');
    const interactive = await citizen.visit((await authorizationUrl(other)).url.href);
    expect(interactive.body).toContain('name="password"');
  });

  it('FED sign-out drops the home Land\'s data at once; two browsers\' sign-ins for two services never mix', async () => {
    const kita = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'kita2-st', federationAllowed: true });
    const a = await federatedSignIn(hundesteuer, BASIC);
    const aTokens = await redeem(hundesteuer, a.flow, (await a.citizen.submit(a.consent, formAction(a.consent, '/confirm'))).location!);
    // Another browser, another service: the first browser's sign-in keeps its own session and data.
    const b = await federatedSignIn(kita, BASIC);
    await redeem(kita, b.flow, (await b.citizen.submit(b.consent, formAction(b.consent, '/confirm'))).location!);
    const silent = await a.citizen.visit((await authorizationUrl(hundesteuer, { prompt: 'none' })).url.href);
    expect(new URL(silent.location!).searchParams.get('code')).toBeTruthy();
    expect((await fetchUserInfo(hundesteuer, aTokens.access_token, aTokens.claims()!.sub)).given_name).toBe('Heinz');

    const logout = await a.citizen.visit(openidClient.buildEndSessionUrl(hundesteuer.config, {
      id_token_hint: aTokens.id_token!, post_logout_redirect_uri: 'https://hundesteuer-st.dienste.example/',
    }).href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logout.body)![1]!;
    const action = /<form[^>]*action="([^"]+)"/.exec(logout.body)![1]!;
    expect((await a.citizen.request(action, { form: { xsrf, logout: 'yes' } })).location).toMatch(/^https:\/\/hundesteuer-st\./);
    // The access token is still unexpired, but there is nothing left to release.
    await expect(fetchUserInfo(hundesteuer, aTokens.access_token, aTokens.claims()!.sub)).rejects.toThrow();
  });

  it('FED a second federated sign-in in the same browser, for another service, reaches that service', async () => {
    const citizen = federatedCitizen(f);
    const a = await federatedSignIn(hundesteuer, BASIC, citizen);
    await redeem(hundesteuer, a.flow, (await citizen.submit(a.consent, formAction(a.consent, '/confirm'))).location!);
    const other = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'elterngeld-st', federationAllowed: true });
    const b = await federatedSignIn(other, BASIC, citizen);
    expect(b.consent.body).toContain('Servicekonto aus Niedersachsen');
    const back = await citizen.submit(b.consent, formAction(b.consent, '/confirm'));
    expect(back.location).toMatch(/^https:\/\/elterngeld-st\./);
    expect((await redeem(other, b.flow, back.location!)).claims()!.acr).toBe(LOW);
  });

  it('FED identity: a local account with the same e-mail is never signed in or linked', async () => {
    await f.st.app.services.accounts.createAccount({ email: BASIC.email, password: 'Lokal-123', displayName: 'Heinz Lokal' });
    const localFlow = await authorizationUrl(hundesteuer);
    const local = await signIn(new Citizen(f.st.url), localFlow, { email: BASIC.email, password: 'Lokal-123' });
    const localSub = (await redeem(hundesteuer, localFlow, local.callback)).claims()!.sub;
    const { flow, citizen, consent } = await federatedSignIn(hundesteuer, BASIC);
    // Still the home Land's data and our federation consent, not the local account's.
    expect(consent.body).toContain('Servicekonto aus Niedersachsen');
    expect(consent.body).not.toContain('Heinz Lokal');
    const back = await citizen.submit(consent, formAction(consent, '/confirm'));
    const tokens = await redeem(hundesteuer, flow, back.location!);
    expect(tokens.claims()!.sub).not.toBe(localSub);
    expect((await fetchUserInfo(hundesteuer, tokens.access_token, tokens.claims()!.sub)).name).toBe('Heinz Basis');
    const links: { issuer: string }[] = await f.st.app.dataSource.query(`SELECT issuer FROM federated_identity`);
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((l) => l.issuer === f.ni.url)).toBe(true);
  });
});

function csrfOf(page: { body: string }): string {
  return /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
}

async function fetchUserInfo(rp: RelyingParty, accessToken: string, sub: string) {
  const client = await import('openid-client');
  return client.fetchUserInfo(rp.config, accessToken, sub);
}
