import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Citizen, formAction } from '../helpers/citizen.ts';
import { authorizationUrl, redeem, registerRelyingParty, signIn, type RelyingParty } from '../helpers/relying-party.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const BASIC = { email: 'basis@example.org', password: 'ABab1234' };
const PLUS = { email: 'plus@example.org', password: '7890?!+-' };
const SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';
const HIGH = 'http://eidas.europa.eu/LoA/high';

describe('trust levels, redirect URIs, idle sessions and sign-in protection', () => {
  let t: TestApp;
  let rp: RelyingParty;
  let plusOnly: RelyingParty;

  beforeAll(async () => {
    t = await startTestApp('trust');
    await t.app.services.accounts.createAccount({ ...BASIC, displayName: 'Basis Nutzer' });
    await t.app.services.accounts.createAccount({ ...PLUS, displayName: 'Plus Nutzerin', kind: 'citizen_plus' });
    rp = await registerRelyingParty(t.app, t.url, { clientId: 'hundesteuer' });
    plusOnly = await registerRelyingParty(t.app, t.url, { clientId: 'fuehrungszeugnis', minLevel: 'substanziell' });
  });
  afterAll(async () => t.close());

  it('LOA-02 ACC-01 a service requiring substanziell never receives a token for a basic account', async () => {
    const citizen = new Citizen(t.url);
    const flow = await authorizationUrl(plusOnly);
    const page = await citizen.visit(flow.url.href);
    const refused = await citizen.submit(page, formAction(page, '/login'), BASIC);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Dieser Dienst erfordert ein Servicekonto Plus');
    expect(refused.location).toBeUndefined();
    // Cancelling hands the service an OIDC error, never a code.
    const back = await citizen.submit(refused, formAction(refused, '/abort'), { reason: 'level' });
    const callback = new URL(back.location!);
    expect(callback.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('LOA-02 a basic session is not reused silently for a service that requires more', async () => {
    const citizen = new Citizen(t.url);
    await signIn(citizen, await authorizationUrl(rp), BASIC);
    const silent = await citizen.visit((await authorizationUrl(plusOnly, { prompt: 'none' })).url.href);
    expect(new URL(silent.location!).searchParams.get('error')).toBe('login_required');
    const interactive = await citizen.visit((await authorizationUrl(rp, { acr_values: SUBSTANTIAL })).url.href);
    expect(interactive.body).toContain('name="password"');
  });

  it('LOA-01 LOA-02 a Plus account with its password gets acr substanziell where it is required', async () => {
    const flow = await authorizationUrl(plusOnly);
    const { callback } = await signIn(new Citizen(t.url), flow, PLUS);
    const claims = (await redeem(plusOnly, flow, callback)).claims()!;
    expect(claims.acr).toBe(SUBSTANTIAL);
    expect(claims.amr).toEqual(['pwd']);
  });

  it('LOA-02 an essential acr claim of hoch is never met by a password sign-in', async () => {
    const citizen = new Citizen(t.url);
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: [HIGH] } } });
    const page = await citizen.visit((await authorizationUrl(rp, { claims })).url.href);
    const refused = await citizen.submit(page, formAction(page, '/login'), PLUS);
    expect(refused.status).toBe(403);
    expect(refused.location).toBeUndefined();
  });

  it.each([
    ['one character', 'https://hundesteuer.dienste.example/callbacc'],
    ['case', 'https://hundesteuer.dienste.example/Callback'],
    ['trailing slash', 'https://hundesteuer.dienste.example/callback/'],
    ['path', 'https://hundesteuer.dienste.example/callback/x'],
    ['query', 'https://hundesteuer.dienste.example/callback?x=1'],
    ['host', 'https://hundesteuer.dienste.example.evil/callback'],
  ])('OIDC-02 rejects a redirect URI differing by %s', async (_label, redirectUri) => {
    const flow = await authorizationUrl(rp, { redirect_uri: redirectUri });
    const page = await new Citizen(t.url).visit(flow.url.href);
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
    expect(page.body).toContain('redirect_uri');
  });

  it('OIDC-02 requires PKCE from every client, confidential ones included', async () => {
    const flow = await authorizationUrl(rp);
    flow.url.searchParams.delete('code_challenge');
    flow.url.searchParams.delete('code_challenge_method');
    const page = await new Citizen(t.url).visit(flow.url.href);
    const callback = new URL(page.location!);
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('SESS-01 a session idle for 20 minutes ends on "Sitzung abgelaufen" with a way to sign in again', async () => {
    const citizen = new Citizen(t.url);
    await signIn(citizen, await authorizationUrl(rp), BASIC);
    t.clock.advance(19 * 60 * 1000);
    const stillThere = await citizen.visit((await authorizationUrl(rp)).url.href);
    expect(new URL(stillThere.location!).searchParams.get('code')).toBeTruthy();
    t.clock.advance(20 * 60 * 1000 + 1000);
    const flow = await authorizationUrl(rp);
    const expired = await citizen.visit(flow.url.href);
    expect(expired.status).toBe(200);
    expect(expired.url).toContain('/sitzung-abgelaufen');
    expect(expired.body).toContain('Sitzung abgelaufen');
    const restart = /href="([^"]*\/auth\?[^"]*)"/.exec(expired.body)![1]!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    const again = await citizen.visit(restart);
    expect(again.body).toContain('name="password"');
  });

  it('SESS-01 the idle rule holds for every spelling of the path (/AUTH is /auth)', async () => {
    const citizen = new Citizen(t.url);
    await signIn(citizen, await authorizationUrl(rp), BASIC);
    t.clock.advance(21 * 60 * 1000);
    const flow = await authorizationUrl(rp, { prompt: 'none' });
    const shouted = await citizen.visit(flow.url.href.replace('/auth?', '/AUTH?'));
    expect(new URL(shouted.location!).searchParams.get('error')).toBe('login_required');
  });

  it('SESS-01 "Sitzung abgelaufen" offers only this provider\'s sign-in as the way back', async () => {
    for (const weiter of ['https://evil.example/', '//evil.example', '/\\evil.example', '/auth?x=1\\evil']) {
      const page = await new Citizen(t.url).visit(`/sitzung-abgelaufen?weiter=${encodeURIComponent(weiter)}`);
      expect(page.body).not.toContain('evil');
    }
  });

  it('OIDC-03 OIDC-04 the claims parameter cannot release data outside the consented scopes', async () => {
    const narrow = await registerRelyingParty(t.app, t.url, { clientId: 'nur-openid', scopes: ['openid'] });
    const flow = await authorizationUrl(narrow, { scope: 'openid', claims: JSON.stringify({ userinfo: { email: null, name: null }, id_token: { email: null } }) });
    const page = await new Citizen(t.url).visit(flow.url.href);
    const callback = new URL(page.location!);
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('code')).toBeNull();
    // Within the scopes the claims parameter works as usual.
    const ok = await authorizationUrl(rp, { claims: JSON.stringify({ id_token: { email: null } }) });
    const tokens = await redeem(rp, ok, (await signIn(new Citizen(t.url), ok, BASIC)).callback);
    expect(tokens.claims()!.email).toBe(BASIC.email);
  });

  it('SESS-01 a sign-in page whose interaction is gone leads to "Sitzung abgelaufen"', async () => {
    const citizen = new Citizen(t.url);
    const page = await citizen.visit((await authorizationUrl(rp)).url.href);
    const uid = /\/interaction\/([^/"]+)\/login/.exec(page.body)![1]!;
    await citizen.jar.removeAllCookies();
    const gone = await citizen.visit(`/interaction/${uid}`);
    expect(gone.url).toContain('/sitzung-abgelaufen');
    expect(gone.body).toContain('Sitzung abgelaufen');
  });

  it('LOGIN-04 REG-07 a wrong password and an unknown address get byte-identical pages', async () => {
    const attempt = async (email: string) => {
      const citizen = new Citizen(t.url);
      const page = await citizen.visit((await authorizationUrl(rp)).url.href);
      const result = await citizen.submit(page, formAction(page, '/login'), { email, password: 'Falsch123!' });
      const uid = /\/interaction\/([^/"]+)\/login/.exec(result.body)![1]!;
      return { status: result.status, body: result.body.replaceAll(uid, 'UID').replaceAll(email, 'EMAIL').replace(/name="_csrf" value="[^"]+"/g, '').replace(/[0-9a-f-]{36}/g, 'ID').replace(/weiter=[^"]*/g, 'weiter=X') };
    };
    const known = await attempt(BASIC.email);
    const unknown = await attempt('niemand@example.org');
    expect(known.status).toBe(401);
    expect(unknown).toEqual(known);
    expect(known.body).toContain('E-Mail-Adresse oder Passwort ist falsch');
  });

  it('LOGIN-04 fifty parallel wrong passwords are all refused and the right one then has to wait', async () => {
    const victim = { email: 'ziel@example.org', password: 'Ziel1234!' };
    await t.app.services.accounts.createAccount({ ...victim, displayName: 'Ziel' });
    const context = { ip: '203.0.113.7' };
    const results = await Promise.all(Array.from({ length: 50 }, () =>
      t.app.services.accounts.signInWithPassword(victim.email, 'Falsch123!', context)));
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(results.filter((r) => !r.ok && r.reason === 'throttled').length).toBeGreaterThanOrEqual(45);
    const correct = await t.app.services.accounts.signInWithPassword(victim.email, victim.password, { ip: '198.51.100.9' });
    expect(correct).toMatchObject({ ok: false, reason: 'throttled' });
    // The same throttle answers for an address nobody owns (no enumeration through lock-outs).
    await Promise.all(Array.from({ length: 6 }, () => t.app.services.accounts.signInWithPassword('nobody@example.org', 'x', context)));
    expect(await t.app.services.accounts.signInWithPassword('nobody@example.org', 'x', { ip: '198.51.100.10' })).toMatchObject({ reason: 'throttled' });
  });

  it('LOGIN-04 the throttled page says how long to wait in German', async () => {
    const citizen = new Citizen(t.url);
    const page = await citizen.visit((await authorizationUrl(rp)).url.href);
    const result = await citizen.submit(page, formAction(page, '/login'), { email: 'ziel@example.org', password: 'Ziel1234!' });
    expect(result.status).toBe(429);
    expect(result.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(result.body).toMatch(/Bitte warten Sie \d+ Minuten/);
  });

  it('OIDC-05 audits sign-ins and failed sign-ins with client address and service', async () => {
    const events = await t.app.services.audit.recent({ type: 'login' }, 500);
    expect(events.some((e) => e.result === 'success' && e.clientId === 'hundesteuer' && e.ip)).toBe(true);
    expect(events.some((e) => e.result === 'failure' && e.details.reason === 'throttled')).toBe(true);
    expect(JSON.stringify(events)).not.toContain('Falsch123!');
  });

  it('SESS-03 sets only browser-session cookies, HttpOnly and SameSite', async () => {
    const res = await fetch((await authorizationUrl(rp)).url, { redirect: 'manual' });
    const interaction = await fetch(new URL(res.headers.get('location')!, t.url), {
      headers: { cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') },
    });
    const cookies = [...res.headers.getSetCookie(), ...interaction.headers.getSetCookie()];
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie.toLowerCase()).toContain('httponly');
      expect(cookie.toLowerCase()).toContain('samesite=lax');
      expect(cookie.toLowerCase()).not.toMatch(/expires=(?!thu, 01 jan 1970)|max-age=[1-9]/);
    }
    const csp = interaction.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });
});
