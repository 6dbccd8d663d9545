import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { formAction } from '../helpers/citizen.ts';
import { callbackFromHome, federatedCitizen, federationLink, handOver, heading, homeAccount, lastSignInEvent, signInAtHome, startFederation, storedLinks, type Federation } from '../helpers/federation.ts';
import { authorizationUrl, redeem, registerRelyingParty, type RelyingParty } from '../helpers/relying-party.ts';

const HOUR = 3600_000;

/** Freshness and lifetime of a federated sign-in: whose time counts, and what ends it. */
describe('FED sessions: the home Land\'s sign-in time, freshness demands and switched-off Länder', () => {
  let f: Federation;
  let service: RelyingParty;
  let plusService: RelyingParty;

  beforeAll(async () => {
    f = await startFederation('fedsess');
    service = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'hundesteuer-st', federationAllowed: true });
    plusService = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'bafoeg-st', federationAllowed: true, minLevel: 'substanziell' });
    // A second Land whose configuration an operator broke (never contacted).
    await f.st.app.services.federationMembers.register({
      code: 'BY', displayName: 'Bayern', issuer: 'https://servicekonto.bayern.example', clientId: 'portal-st', clientSecret: 'by-secret-0123456789abcdef',
    });
  });
  afterAll(async () => f.close());

  async function signIn(rp: RelyingParty, kind: 'citizen' | 'citizen_plus' = 'citizen', params: Record<string, string> = {}) {
    const citizen = federatedCitizen(f);
    const flow = await authorizationUrl(rp, params);
    const consent = await signInAtHome(citizen, await citizen.visit(flow.url.href), 'NI', await homeAccount(f.ni, kind));
    return { citizen, flow, consent };
  }

  it('LOA-02 FED-06 the service\'s freshness demands travel to the home Land: max_age (at most the level\'s age limit) and prompt=login', async () => {
    const citizen = federatedCitizen(f);
    const plain = new URL(await handOver(citizen, await citizen.visit((await authorizationUrl(plusService)).url.href), 'NI'));
    expect(plain.searchParams.get('max_age')).toBe(String(2 * 3600));
    expect(plain.searchParams.get('prompt')).toBeNull();
    const strict = new URL(await handOver(citizen, await citizen.visit((await authorizationUrl(service, { max_age: '60', prompt: 'login' })).url.href), 'NI'));
    expect(strict.searchParams.get('max_age')).toBe('60');
    expect(strict.searchParams.get('prompt')).toBe('login');
  });

  it('LOA-02 the ID token states the home Land\'s sign-in time, and amr marks the sign-in as federated', async () => {
    // NI's clock runs an hour behind: its sign-in happened "an hour ago" as far as ST can tell.
    f.ni.clock.advance(-HOUR);
    try {
      // max_age makes oidc-provider state auth_time in the ID token.
      const { citizen, flow, consent } = await signIn(service, 'citizen', { max_age: String(12 * 3600) });
      const claims = (await redeem(service, flow, (await citizen.submit(consent, formAction(consent, '/confirm'))).location!)).claims()!;
      const expected = Math.floor((f.st.clock.now().getTime() - HOUR) / 1000);
      expect(Math.abs(claims.auth_time! - expected)).toBeLessThan(30);
      expect(claims.amr).toEqual(['pwd', 'fed']);
    } finally {
      f.ni.clock.advance(HOUR);
    }
  });

  it('LOA-02 a home sign-in older than the level allows (substanziell: 2 h) is refused, not passed off as fresh', async () => {
    f.ni.clock.advance(-3 * HOUR);
    try {
      const links = await storedLinks(f.st);
      const { consent } = await signIn(plusService, 'citizen_plus');
      expect({ status: consent.status, heading: heading(consent) }).toEqual({ status: 400, heading: 'Anmeldebestätigung abgelaufen' });
      expect((await lastSignInEvent(f.st)).details.reason).toBe('expired');
      expect(await storedLinks(f.st)).toBe(links);
    } finally {
      f.ni.clock.advance(3 * HOUR);
    }
  });

  it('FED-05 a Land switched off after the sign-in no longer vouches for the session: no silent sign-in, the data is dropped', async () => {
    const { citizen, flow, consent } = await signIn(service);
    await redeem(service, flow, (await citizen.submit(consent, formAction(consent, '/confirm'))).location!);
    const before = await citizen.visit((await authorizationUrl(service, { prompt: 'none' })).url.href);
    expect(new URL(before.location!).searchParams.get('code')).toBeTruthy();
    await f.st.app.services.federationMembers.setEnabled('NI', false);
    try {
      const after = await citizen.visit((await authorizationUrl(service, { prompt: 'none' })).url.href);
      expect(new URL(after.location!).searchParams.get('error')).toBe('login_required');
    } finally {
      await f.st.app.services.federationMembers.setEnabled('NI', true);
    }
    // Switching it on again does not bring the dropped sign-in back.
    const again = await citizen.visit((await authorizationUrl(service, { prompt: 'none' })).url.href);
    expect(new URL(again.location!).searchParams.get('error')).toBe('login_required');
  });

  it('FED-04 a service that stops allowing it while the citizen is at the home Land gets no federated sign-in', async () => {
    const election = await registerRelyingParty(f.st.app, f.st.url, { clientId: 'briefwahl-st', federationAllowed: true });
    const citizen = federatedCitizen(f);
    const flow = await authorizationUrl(election);
    const callback = await callbackFromHome(citizen, await handOver(citizen, await citizen.visit(flow.url.href), 'NI'), await homeAccount(f.ni));
    await registerRelyingParty(f.st.app, f.st.url, { clientId: 'briefwahl-st', federationAllowed: false });
    const links = await storedLinks(f.st);
    const page = await citizen.visit(callback.href);
    expect(page.status).toBe(409);
    expect(heading(page)).toBe('Anmeldung mit Ihrem Bundesland zurzeit nicht möglich');
    expect(await storedLinks(f.st)).toBe(links);
  });

  it('FED-05 a Land whose stored client secret cannot be read is "zurzeit nicht möglich", not a token error', async () => {
    await f.st.app.dataSource.query(`UPDATE federation_member SET client_secret_encrypted = 'not.a.valid.jwe.value' WHERE code = 'BY'`);
    const citizen = federatedCitizen(f);
    const login = await citizen.visit((await authorizationUrl(service)).url.href);
    const choice = await citizen.visit(federationLink(login));
    const page = await citizen.submit(choice, formAction(choice, '/federation'), { land: 'BY' });
    expect({ status: page.status, heading: heading(page) }).toEqual({ status: 409, heading: 'Anmeldung mit Bayern zurzeit nicht möglich' });
    expect((await lastSignInEvent(f.st)).details).toMatchObject({ member: 'BY', reason: 'disabled' });
  });

  it('FED-05 removing a Land deletes every link to its citizens in the same step (last test: NI is gone afterwards)', async () => {
    const { citizen, consent } = await signIn(service);
    await citizen.submit(consent, formAction(consent, '/confirm'));
    expect(await storedLinks(f.st)).toBeGreaterThan(0);
    expect(await f.st.app.services.federationMembers.remove('NI')).toBe(true);
    expect(await storedLinks(f.st)).toBe(0);
    const [event] = await f.st.app.dataSource.query(`SELECT details FROM audit_event WHERE type = 'federation.member_changed' ORDER BY id DESC LIMIT 1`);
    expect(event.details).toMatchObject({ code: 'NI', change: 'removed' });
    expect(event.details.linksRemoved).toBeGreaterThan(0);
  });
});
