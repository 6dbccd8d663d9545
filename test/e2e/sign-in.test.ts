import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { Citizen, formAction } from '../helpers/citizen.ts';
import { authorizationUrl, redeem, registerRelyingParty, signIn, type RelyingParty } from '../helpers/relying-party.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const ERIKA = { email: 'erika@example.org', password: 'ABab1234' };

describe('sign-in through the provider (code + PKCE)', () => {
  let t: TestApp;
  let rp: RelyingParty;
  let other: RelyingParty;

  beforeAll(async () => {
    t = await startTestApp('sign-in');
    await t.app.services.accounts.createAccount({ ...ERIKA, displayName: 'Erika Mustermann', givenName: 'Erika', familyName: 'Mustermann' });
    rp = await registerRelyingParty(t.app, t.url, { clientId: 'wohngeld' });
    other = await registerRelyingParty(t.app, t.url, { clientId: 'kita-anmeldung' });
  });
  afterAll(async () => t.close());

  it('OIDC-02 publishes discovery with code flow only, PKCE S256 and the three acr values', async () => {
    const meta = rp.config.serverMetadata();
    expect(meta.issuer).toBe(t.url);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.subject_types_supported).toEqual(['pairwise']);
    expect(meta.acr_values_supported).toEqual([
      'http://eidas.europa.eu/LoA/low', 'http://eidas.europa.eu/LoA/substantial', 'http://eidas.europa.eu/LoA/high',
    ]);
    const jwks = await (await fetch(`${t.url}/jwks`)).json() as { keys: { alg: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.alg)).toEqual(expect.arrayContaining(['ES256', 'RS256']));
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('OIDC-01 OIDC-03 LOGIN-01 OIDC-04 LOA-01 signs in, shows consent once, then remembers it; ID token carries acr niedrig and amr pwd', async () => {
    const citizen = new Citizen(t.url);
    const flow = await authorizationUrl(rp);
    const first = await signIn(citizen, flow, ERIKA);
    expect(first.consentShown).toBe(true);
    const consentPage = first.pages.find((p) => p.body.includes('/confirm"'))!;
    expect(consentPage.body).toContain('E-Mail-Adresse');
    const tokens = await redeem(rp, flow, first.callback);
    const claims = tokens.claims()!;
    expect(claims.acr).toBe('http://eidas.europa.eu/LoA/low');
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const userinfo = await client.fetchUserInfo(rp.config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ email: ERIKA.email, name: 'Erika Mustermann', given_name: 'Erika' });

    // A fresh browser signs in again: consent is remembered per service (OIDC-04).
    const second = await signIn(new Citizen(t.url), await authorizationUrl(rp), ERIKA);
    expect(second.consentShown).toBe(false);
    expect(new URL(second.callback).searchParams.get('code')).toBeTruthy();
  });

  it('LOA-04 two services see different pairwise subjects for one account, each stable', async () => {
    const subFor = async (party: RelyingParty) => {
      const flow = await authorizationUrl(party);
      const { callback } = await signIn(new Citizen(t.url), flow, ERIKA);
      return (await redeem(party, flow, callback)).claims()!.sub;
    };
    const a1 = await subFor(rp);
    const b1 = await subFor(other);
    const a2 = await subFor(rp);
    expect(a1).toBe(a2);
    expect(a1).not.toBe(b1);
  });

  it('OIDC-02 rotates refresh tokens; reusing a rotated one revokes the whole grant', async () => {
    const flow = await authorizationUrl(rp);
    const { callback } = await signIn(new Citizen(t.url), flow, ERIKA);
    const tokens = await redeem(rp, flow, callback);
    const first = tokens.refresh_token!;
    const rotated = await client.refreshTokenGrant(rp.config, first);
    expect(rotated.refresh_token).toBeTruthy();
    expect(rotated.refresh_token).not.toBe(first);
    await expect(client.refreshTokenGrant(rp.config, first)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The reuse revoked the grant: the newest refresh token and the access token are dead too.
    await expect(client.refreshTokenGrant(rp.config, rotated.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const introspected = await client.tokenIntrospection(rp.config, rotated.access_token);
    expect(introspected.active).toBe(false);
  });

  it('OIDC-02 introspection reports an active token and revocation ends it', async () => {
    const flow = await authorizationUrl(rp);
    const { callback } = await signIn(new Citizen(t.url), flow, ERIKA);
    const tokens = await redeem(rp, flow, callback);
    const active = await client.tokenIntrospection(rp.config, tokens.access_token);
    expect(active).toMatchObject({ active: true, client_id: 'wohngeld' });
    await client.tokenRevocation(rp.config, tokens.access_token);
    expect((await client.tokenIntrospection(rp.config, tokens.access_token)).active).toBe(false);
    await client.tokenRevocation(rp.config, tokens.refresh_token!);
    await expect(client.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('OIDC-02 twenty parallel redemptions of one code yield exactly one token response', async () => {
    const flow = await authorizationUrl(rp);
    const { callback } = await signIn(new Citizen(t.url), flow, ERIKA);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => redeem(rp, flow, callback)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ error: 'invalid_grant' });
    }
  });

  it('SESS-02 OIDC-02 RP-initiated logout ends the provider session', async () => {
    const citizen = new Citizen(t.url);
    const flow = await authorizationUrl(rp);
    const { callback } = await signIn(citizen, flow, ERIKA);
    const tokens = await redeem(rp, flow, callback);
    const logoutUrl = client.buildEndSessionUrl(rp.config, {
      id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://wohngeld.dienste.example/',
    });
    const question = await citizen.visit(logoutUrl.href);
    expect(question.status).toBe(200);
    expect(question.body).toContain('op.logoutForm');
    const action = /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"/.exec(question.body)!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(question.body)![1]!;
    const done = await citizen.request(action[1] ?? action[2]!, { form: { xsrf, logout: 'yes' } });
    expect(done.location).toMatch(/^https:\/\/wohngeld\.dienste\.example\//);
    // Without a session the next authorization asks for the password again.
    const again = await citizen.visit((await authorizationUrl(rp)).url.href);
    expect(again.body).toContain('name="password"');
  });

  it('LOGIN-01 prompt=none with a live session returns a code without any page', async () => {
    const citizen = new Citizen(t.url);
    await signIn(citizen, await authorizationUrl(rp), ERIKA);
    const silent = await citizen.visit((await authorizationUrl(rp, { prompt: 'none' })).url.href);
    expect(new URL(silent.location!).searchParams.get('code')).toBeTruthy();
    const anonymous = await new Citizen(t.url).visit((await authorizationUrl(rp, { prompt: 'none' })).url.href);
    expect(new URL(anonymous.location!).searchParams.get('error')).toBe('login_required');
  });

  it('LOGIN-01 a new sign-in renews the session id (no session fixation)', async () => {
    const citizen = new Citizen(t.url);
    const sessionId = async () => (await citizen.jar.getCookies(t.url)).find((c) => c.key === '_session')?.value;
    await signIn(citizen, await authorizationUrl(rp), ERIKA);
    const first = await sessionId();
    expect(first).toBeTruthy();
    await signIn(citizen, await authorizationUrl(rp, { prompt: 'login' }), ERIKA);
    const second = await sessionId();
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
  });

  it('LOGIN-01 cancelling on the sign-in page returns access_denied to the service', async () => {
    const citizen = new Citizen(t.url);
    const page = await citizen.visit((await authorizationUrl(rp)).url.href);
    const back = await citizen.submit(page, formAction(page, '/abort'));
    expect(new URL(back.location!).searchParams.get('error')).toBe('access_denied');
  });
});

describe('operations endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('ops', { METRICS_TOKEN: 'metrics-token-0123456789' });
  });
  afterAll(async () => t.close());

  it('OIDC-05 /healthz and /readyz answer; /metrics needs the token and counts sign-ins', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await (await fetch(`${t.url}/readyz`)).json() as { checks: Record<string, string> };
    expect(ready.checks).toEqual({ database: 'ok', redis: 'ok' });
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('servicekonto_http_request_duration_seconds');
  });
});
