import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Citizen, formAction } from '../helpers/citizen.ts';
import * as client from 'openid-client';
import { useEid, useEidFrom } from '../helpers/eid.ts';
import { openKonto } from '../helpers/portal.ts';
import { authorizationUrl, redeem, registerRelyingParty, signIn, type RelyingParty } from '../helpers/relying-party.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const LOW = 'http://eidas.europa.eu/LoA/low';
const SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';
const HIGH = 'http://eidas.europa.eu/LoA/high';

describe('eID and Servicekonto Plus through the simulator', () => {
  let t: TestApp;
  let basicService: RelyingParty;
  let plusService: RelyingParty;
  let eidService: RelyingParty;
  const erika = { email: 'erika@example.org', password: 'ABab1234' };

  beforeAll(async () => {
    t = await startTestApp('eid');
    await t.app.services.accounts.createAccount({ ...erika, displayName: 'Erika' });
    basicService = await registerRelyingParty(t.app, t.url, { clientId: 'buergerbuero' });
    plusService = await registerRelyingParty(t.app, t.url, { clientId: 'wohnsitz', minLevel: 'substanziell', scopes: ['openid', 'profile', 'email', 'address', 'birthdate', 'account_type'] });
    eidService = await registerRelyingParty(t.app, t.url, { clientId: 'waffenschein', minLevel: 'hoch' });
  });
  afterAll(async () => t.close());

  const account = () => t.app.services.accounts.findByEmail(erika.email);

  it('LOA-03 EID-04 a basic account reaching a Plus service upgrades inside the flow and arrives with substanziell', async () => {
    const citizen = new Citizen(t.url);
    const flow = await authorizationUrl(plusService);
    const login = await citizen.visit(flow.url.href);
    const gap = await citizen.submit(login, formAction(login, '/login'), erika);
    expect(gap.status).toBe(403);
    expect(gap.body).toContain('Upgrade starten');
    const upgraded = await useEid(citizen, gap, formAction(gap, '/upgrade'));
    expect(upgraded.body).toContain('Servicekonto Plus');
    const stored = (await account())!;
    expect(stored.kind).toBe('citizen_plus');
    expect(stored.identity).toMatchObject({ givenNames: 'ERIKA', familyName: 'MUSTERMANN', birthName: 'GABLER', birthDate: '19640812' });
    expect(stored.identity!.address).toMatchObject({ city: 'KÖLN', zipCode: '51147' });
    expect(stored.eidPseudonym).toMatch(/^[0-9a-f]{64}$/);
    // Signed in again with the password, now Plus: the service gets at least substanziell.
    const again = await citizen.visit(`/interaction/${/\/interaction\/([^/"]+)/.exec(gap.url)![1]}`);
    const done = await citizen.submit(again, formAction(again, '/login'), erika);
    let callback = done.location;
    if (!callback) callback = (await citizen.submit(done, formAction(done, '/confirm'))).location;
    const claims = (await redeem(plusService, flow, callback!)).claims()!;
    expect(claims.acr).toBe(SUBSTANTIAL);
    expect(claims.amr).toEqual(['pwd']);
  });

  it('EID-07 LOGIN-02 RST-03 LOA-01 signs in with the eID: acr hoch, amr hwk', async () => {
    const citizen = new Citizen(t.url);
    const flow = await authorizationUrl(eidService);
    const login = await citizen.visit(flow.url.href);
    let page = await useEid(citizen, login, formAction(login, '/eid'));
    if (page.status === 200 && page.body.includes('/confirm"')) page = await citizen.submit(page, formAction(page, '/confirm'));
    const claims = (await redeem(eidService, flow, page.location!)).claims()!;
    expect(claims.acr).toBe(HIGH);
    expect(claims.amr).toEqual(['hwk']);
  });

  it('LOGIN-03 LOA-02 a password sign-in never satisfies a service requiring hoch; the eID step-up does', async () => {
    const citizen = new Citizen(t.url);
    const flow = await authorizationUrl(eidService);
    const login = await citizen.visit(flow.url.href);
    const refused = await citizen.submit(login, formAction(login, '/login'), erika);
    expect(refused.status).toBe(403);
    expect(refused.location).toBeUndefined();
    let page = await useEid(citizen, refused, formAction(refused, '/eid'));
    if (page.status === 200 && page.body.includes('/confirm"')) page = await citizen.submit(page, formAction(page, '/confirm'));
    expect((await redeem(eidService, flow, page.location!)).claims()!.acr).toBe(HIGH);
  });

  it('LOA-01 an eID sign-in counts as hoch for 30 minutes only (injected clock)', async () => {
    const citizen = new Citizen(t.url);
    const first = await authorizationUrl(eidService);
    const login = await citizen.visit(first.url.href);
    let page = await useEid(citizen, login, formAction(login, '/eid'));
    if (page.body.includes('/confirm"')) page = await citizen.submit(page, formAction(page, '/confirm'));
    // Consent to the basic service too, so silent requests there can succeed.
    const consent = await citizen.visit((await authorizationUrl(basicService)).url.href);
    if (consent.body.includes('/confirm"')) await citizen.submit(consent, formAction(consent, '/confirm'));
    t.clock.advance(10 * 60 * 1000);
    const silent = await citizen.visit((await authorizationUrl(eidService, { prompt: 'none' })).url.href);
    expect(new URL(silent.location!).searchParams.get('code')).toBeTruthy();
    t.clock.advance(15 * 60 * 1000);
    // Keep the session active (idle limit 20 min) but let the hoch level run out.
    await citizen.visit((await authorizationUrl(basicService, { prompt: 'none' })).url.href);
    t.clock.advance(10 * 60 * 1000);
    const stale = await citizen.visit((await authorizationUrl(eidService, { prompt: 'none' })).url.href);
    expect(new URL(stale.location!).searchParams.get('error')).toBe('login_required');
    const lower = await authorizationUrl(basicService, { prompt: 'none' });
    const lowerPage = await citizen.visit(lower.url.href);
    const claims = (await redeem(basicService, lower, lowerPage.location!)).claims()!;
    expect([SUBSTANTIAL, LOW]).toContain(claims.acr);
    expect(claims.acr).not.toBe(HIGH);
  });

  it('EID-05 a renewed card is synchronised and its new pseudonym stored', async () => {
    const before = (await account())!.eidPseudonym;
    const citizen = new Citizen(t.url);
    const page = await openKonto(citizen, '/konto/ausweis', erika);
    const synced = await useEid(citizen, page, '/konto/ausweis/synchronisieren', { card: 'erika-renewed' });
    expect(synced.url).toContain('erledigt=synchronisiert');
    const after = (await account())!.eidPseudonym;
    expect(after).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });

  it('EID-05 synchronising with another person\'s card fails and points to the Meldebehörde', async () => {
    const citizen = new Citizen(t.url);
    const page = await openKonto(citizen, '/konto/ausweis', erika);
    const failed = await useEid(citizen, page, '/konto/ausweis/synchronisieren', { card: 'lilly' });
    expect(failed.status).toBe(400);
    expect(failed.body).toContain('Meldebehörde');
  });

  it('EID-06 deactivating removes the pseudonym; eID sign-in is refused afterwards', async () => {
    const citizen = new Citizen(t.url);
    const page = await openKonto(citizen, '/konto/ausweis', erika);
    const done = await citizen.submit(page, '/konto/ausweis/deaktivieren');
    expect(done.url).toContain('erledigt=deaktiviert');
    expect((await account())!.eidPseudonym).toBeNull();
    const stranger = new Citizen(t.url);
    const login = await stranger.visit((await authorizationUrl(eidService)).url.href);
    const refused = await useEid(stranger, login, formAction(login, '/eid'), { card: 'erika-renewed' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('kein Servicekonto');
  });

  it('EID-08 the same card cannot be bound to a second account', async () => {
    const other = { email: 'zweit@example.org', password: 'CDcd5678' };
    await t.app.services.accounts.createAccount({ ...other, displayName: 'Zweit' });
    // Erika binds the renewed card again first.
    const erikaBrowser = new Citizen(t.url);
    const mine = await openKonto(erikaBrowser, '/konto/ausweis', erika);
    await useEid(erikaBrowser, mine, '/konto/ausweis/synchronisieren', { card: 'erika-renewed' });
    const citizen = new Citizen(t.url);
    const page = await openKonto(citizen, '/konto/ausweis', other);
    const refused = await useEid(citizen, page, '/konto/upgrade', { card: 'erika-renewed' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('bereits mit einem anderen Servicekonto verbunden');
    expect((await t.app.services.accounts.findByEmail(other.email))!.kind).toBe('citizen');
  });

  it('EID-04 EID-03 upgrading from Mein Profil signs the citizen out; after signing in again the service gets substanziell', async () => {
    const third = { email: 'dritt@example.org', password: 'EFef9012' };
    await t.app.services.accounts.createAccount({ ...third, displayName: 'Dritt' });
    const citizen = new Citizen(t.url);
    const profile = await openKonto(citizen, '/konto/profil', third);
    expect(profile.body).toContain('Upgrade starten');
    t.clock.advance(1000);
    const upgraded = await useEid(citizen, profile, '/konto/upgrade', { card: 'lilly', deselect: ['RestrictedID'] });
    expect(upgraded.body).toContain('erneut an');
    // Signed out automatically: Mein Bereich asks for the password again.
    const again = await citizen.visit('/konto');
    expect(again.url).not.toMatch(/\/konto$/);
    const flow = await authorizationUrl(plusService);
    const { callback } = await signIn(new Citizen(t.url), flow, third);
    expect((await redeem(plusService, flow, callback)).claims()!.acr).toBe(SUBSTANTIAL);
    const stored = (await t.app.services.accounts.findByEmail(third.email))!;
    expect(stored.kind).toBe('citizen_plus');
    expect(stored.eidPseudonym).toBeNull();
    // Under-18 data are stored as on the card.
    expect(stored.identity).toMatchObject({ givenNames: 'LILLY', birthDate: '20150330' });
  });

  it('EID-07 wrong PIN, cancel and an expired card each get a clear page and store nothing', async () => {
    for (const [step, text] of [[{ pin: '000000' }, 'PIN war nicht korrekt'], [{ action: 'cancel' as const }, 'abgebrochen'], [{ card: 'expired' }, 'abgelaufen']] as const) {
      const citizen = new Citizen(t.url);
      const login = await citizen.visit((await authorizationUrl(eidService)).url.href);
      const page = await useEid(citizen, login, formAction(login, '/eid'), step);
      expect(page.status).toBe(400);
      expect(page.body).toContain(text);
      expect(page.location).toBeUndefined();
    }
  });

  it('EID-01 ACC-02 PROF-02 OIDC-03 registers straight as Plus; the service receives the eID data only after consent', async () => {
    const citizen = new Citizen(t.url);
    const form = await citizen.visit('/registrieren/servicekonto-plus');
    const weak = await citizen.submit(form, '/registrieren/servicekonto-plus', { email: 'karl@example.org', password: 'kurz', passwordRepeat: 'kurz' });
    expect(weak.status).toBe(422);
    expect(weak.body).toContain('value="karl@example.org"');
    const started = await citizen.request('/registrieren/servicekonto-plus', { form: { _csrf: /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!, email: 'karl@example.org', password: 'KArl1234', passwordRepeat: 'KArl1234' } });
    const back = await useEidFrom(citizen, started.location!, { card: 'abroad' });
    expect(back.status).toBe(200);
    expect(back.body).toContain('Daten aus Ihrem Ausweis');
    expect(back.body).toContain('keine Wohnung in Deutschland');
    const draft = /name="draft" value="([^"]+)"/.exec(back.body)![1]!;
    await citizen.submit(back, '/registrieren/servicekonto/anlegen', { draft, consent: 'yes' });
    const mail = await t.mail.waitFor('karl@example.org', /Aktivieren/);
    expect((await citizen.visit(mail.links.find((l) => l.includes('/aktivieren'))!)).status).toBe(200);
    const karl = (await t.app.services.accounts.findByEmail('karl@example.org'))!;
    expect(karl.kind).toBe('citizen_plus');
    expect(karl.eidPseudonym).toMatch(/^[0-9a-f]{64}$/);
    expect(karl.identity!.address).toEqual({ text: 'keine Wohnung in Deutschland' });

    const profile = await openKonto(new Citizen(t.url), '/konto/profil', { email: 'karl@example.org', password: 'KArl1234' });
    expect(profile.body).toContain('keine Wohnung in Deutschland');
    expect(profile.body).not.toContain('name="givenNames"');

    const flow = await authorizationUrl(plusService, { scope: 'openid profile address birthdate account_type' });
    const signedIn = await signIn(new Citizen(t.url), flow, { email: 'karl@example.org', password: 'KArl1234' });
    const consentPage = signedIn.pages.find((p) => p.body.includes('/confirm"'))!;
    expect(consentPage.body).toContain('Anschrift');
    expect(consentPage.body).toContain('Geburtsdatum');
    const tokens = await redeem(plusService, flow, signedIn.callback);
    expect(tokens.claims()!.acr).toBe(SUBSTANTIAL);
    const info = await client.fetchUserInfo(plusService.config, tokens.access_token, tokens.claims()!.sub);
    expect(info).toMatchObject({ account_type: 'servicekonto_plus', address: { formatted: 'keine Wohnung in Deutschland' } });
    expect(info.birthdate).toMatch(/^\d{4}/);
    expect(info.email).toBeUndefined();
  });

  it('ACC-01 a basic account still signs in with its password at services not requiring Plus', async () => {
    const flow = await authorizationUrl(basicService);
    const { callback } = await signIn(new Citizen(t.url), flow, { email: 'zweit@example.org', password: 'CDcd5678' });
    expect((await redeem(basicService, flow, callback)).claims()!.acr).toBe(LOW);
  });
});
