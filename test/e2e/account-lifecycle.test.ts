import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { Citizen, formAction } from '../helpers/citizen.ts';
import { decode, openKonto, registerAccount } from '../helpers/portal.ts';
import { authorizationUrl, redeem, registerRelyingParty, signIn, type RelyingParty } from '../helpers/relying-party.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

describe('the whole life of a basic Servicekonto', () => {
  let t: TestApp;
  let rp: RelyingParty;
  const citizen = () => new Citizen(t.url);
  const me = { displayName: 'Max Mustermann', email: 'max@example.org', password: 'ABab1234' };
  let refreshToken: string;

  beforeAll(async () => {
    t = await startTestApp('lifecycle');
    rp = await registerRelyingParty(t.app, t.url, { clientId: 'elterngeld' });
  });
  afterAll(async () => t.close());

  it('REG-01 REG-02 PW-03 ACT-01 ACT-03 registers, activates by mail and signs in to an online service', async () => {
    const browser = citizen();
    const link = await registerAccount(t, browser, me);
    // PW-03: only an argon2id hash is stored, and no mail ever carries the password.
    const [row] = await t.app.dataSource.query('SELECT password_hash FROM registration WHERE lower(email) = lower($1)', [me.email]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(t.mail.mails.some((m) => m.text.includes(me.password) || m.html.includes(me.password))).toBe(false);
    const activated = await browser.visit(link);
    expect(activated.status).toBe(200);
    expect(activated.body).toContain('href="/konto"');
    const flow = await authorizationUrl(rp, { scope: 'openid profile email' });
    const { callback, consentShown } = await signIn(citizen(), flow, me);
    expect(consentShown).toBe(true);
    const tokens = await redeem(rp, flow, callback);
    expect(tokens.claims()!.acr).toBe('http://eidas.europa.eu/LoA/low');
    refreshToken = tokens.refresh_token!;
    const info = await client.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub);
    expect(info.email).toBe(me.email);
  });

  it('PROF-01 PROF-02 changes the name in Mein Profil and the service sees it', async () => {
    const browser = citizen();
    const profile = await openKonto(browser, '/konto/profil', me);
    expect(profile.body).toContain('Max Mustermann');
    // PROF-02: a basic Servicekonto has no locked fields; the name is editable.
    expect(profile.body).toMatch(/<input[^>]*name="displayName"(?![^>]*readonly)/);
    const saved = await browser.submit(profile, '/konto/profil', { displayName: 'Max Muster' });
    expect(saved.url).toContain('gespeichert=1');
    const empty = await browser.submit(saved, '/konto/profil', { displayName: '' });
    expect(empty.status).toBe(422);
    me.displayName = 'Max Muster';
    const flow = await authorizationUrl(rp);
    const tokens = await redeem(rp, flow, (await signIn(citizen(), flow, me)).callback);
    expect((await client.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub)).name).toBe('Max Muster');
  });

  it('MAIL-01 MAIL-02 changes the e-mail address: both mails, confirmation after signing in with the old address', async () => {
    const browser = citizen();
    const page = await openKonto(browser, '/konto/email', me);
    const mismatch = await browser.submit(page, '/konto/email', { newEmail: 'neu@example.org', newEmailRepeat: 'anders@example.org' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body).toContain('value="neu@example.org"');
    const sent = await browser.submit(page, '/konto/email', { newEmail: 'neu@example.org', newEmailRepeat: 'neu@example.org' });
    expect(sent.url).toContain('gesendet=1');
    const confirm = await t.mail.waitFor('neu@example.org', /Bestätigen/);
    await t.mail.waitFor(me.email, /Änderung der E-Mail-Adresse/);
    const link = confirm.links.find((l) => l.includes('/konto/email-bestaetigen'))!;

    // The link leads to a fresh sign-in, with the old address and password (MAIL-02).
    const other = citizen();
    const login = await other.visit(link);
    expect(login.body).toContain('name="password"');
    const done = await other.submit(login, formAction(login, '/login'), { email: me.email, password: me.password });
    expect(done.status).toBe(200);
    expect(done.body).toContain('neu@example.org');
    await t.mail.waitFor('neu@example.org', /ist aktiviert/);

    const stranger = citizen();
    const old = await stranger.visit((await authorizationUrl(rp)).url.href);
    const refused = await stranger.submit(old, formAction(old, '/login'), { email: me.email, password: me.password });
    expect(refused.status).toBe(401);
    me.email = 'neu@example.org';
    const flow = await authorizationUrl(rp);
    expect(new URL((await signIn(citizen(), flow, me)).callback).searchParams.get('code')).toBeTruthy();
  });

  it('PW-01 changes the password with the current one; a wrong current password is refused', async () => {
    const browser = citizen();
    const page = await openKonto(browser, '/konto/passwort', me);
    const wrong = await browser.submit(page, '/konto/passwort', { currentPassword: 'Falsch123!', password: 'CDcd5678', passwordRepeat: 'CDcd5678' });
    expect(wrong.status).toBe(422);
    const weak = await browser.submit(page, '/konto/passwort', { currentPassword: me.password, password: 'kurz', passwordRepeat: 'kurz' });
    expect(weak.status).toBe(422);
    const ok = await browser.submit(page, '/konto/passwort', { currentPassword: me.password, password: 'CDcd5678', passwordRepeat: 'CDcd5678' });
    expect(ok.url).toContain('gespeichert=1');
    await t.mail.waitFor(me.email, /Passwort wurde geändert/);
    me.password = 'CDcd5678';
  });

  it('RST-01 RST-02 resets the password by mail: single use, expired after 60 minutes, ends sessions and grants', async () => {
    const flow = await authorizationUrl(rp);
    const signedIn = citizen();
    const tokens = await redeem(rp, flow, (await signIn(signedIn, flow, me)).callback);
    t.clock.advance(1000);

    const browser = citizen();
    const request = await browser.visit('/passwort-vergessen');
    await browser.submit(request, '/passwort-vergessen', { email: me.email });
    const mail = await t.mail.waitFor(me.email, /Neues Passwort/);
    const link = mail.links.find((l) => l.includes('/passwort-zuruecksetzen?token='))!;
    const form = await browser.visit(link);
    expect(form.status).toBe(200);
    const token = new URL(link).searchParams.get('token')!;
    const done = await browser.submit(form, '/passwort-zuruecksetzen', { token, password: 'EFef9012', passwordRepeat: 'EFef9012' });
    expect(done.url).toContain('/passwort-zuruecksetzen/fertig');
    me.password = 'EFef9012';
    expect((await browser.visit(link)).status).toBe(410);

    // Everything signed in before the reset is over: tokens and the browser session.
    await expect(client.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const again = await signedIn.visit((await authorizationUrl(rp)).url.href);
    expect(again.url).toContain('/sitzung-abgelaufen');

    // A second link expires after 60 minutes (injected clock).
    mail.links.length = 0;
    t.mail.mails.length = 0;
    await browser.submit(request, '/passwort-vergessen', { email: me.email });
    const late = (await t.mail.waitFor(me.email, /Neues Passwort/)).links.find((l) => l.includes('token='))!;
    t.clock.advance(61 * 60 * 1000);
    expect((await browser.visit(late)).status).toBe(410);
  });

  it('OIDC-04 withdrawing the consent stops the service\'s refresh token', async () => {
    const flow = await authorizationUrl(rp);
    const tokens = await redeem(rp, flow, (await signIn(citizen(), flow, me)).callback);
    refreshToken = tokens.refresh_token!;
    const browser = citizen();
    const page = await openKonto(browser, '/konto/einwilligungen', me);
    expect(page.body).toContain('Dienst elterngeld');
    const after = await browser.submit(page, '/konto/einwilligungen/widerrufen', { clientId: 'elterngeld' });
    expect(decode(after.body)).toContain('Dienst elterngeld');
    expect(after.body).not.toContain('value="elterngeld"');
    await expect(client.refreshTokenGrant(rp.config, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The next sign-in asks for consent again.
    expect((await signIn(citizen(), await authorizationUrl(rp), me)).consentShown).toBe(true);
  });

  it('DEL-01 DEL-02 deletes the account after confirmation; sign-in fails and the address registers again', async () => {
    const accountId = (await t.app.services.accounts.findByEmail(me.email))!.id;
    const browser = citizen();
    const page = await openKonto(browser, '/konto/loeschen', me);
    const unconfirmed = await browser.submit(page, '/konto/loeschen', { password: me.password });
    expect(unconfirmed.status).toBe(422);
    const wrong = await browser.submit(page, '/konto/loeschen', { password: 'Falsch123!', confirm: 'yes' });
    expect(wrong.status).toBe(422);
    const deleted = await browser.submit(page, '/konto/loeschen', { password: me.password, confirm: 'yes' });
    expect(deleted.status).toBe(200);
    await t.mail.waitFor(me.email, /gelöscht/);
    expect(await t.app.services.accounts.findByEmail(me.email)).toBeNull();
    // OIDC-05 DEL-01: the trail of the deleted account stays, without personal data.
    const trail = await t.app.services.audit.recent({ accountId }, 500);
    expect(trail.length).toBeGreaterThan(5);
    expect(trail.every((e) => e.ip === null)).toBe(true);
    expect(trail.map((e) => e.type)).toEqual(expect.arrayContaining(['login', 'password.reset', 'email.changed', 'account.deleted']));

    const visitor = citizen();
    const login = await visitor.visit((await authorizationUrl(rp)).url.href);
    expect((await visitor.submit(login, formAction(login, '/login'), me)).status).toBe(401);
    const link = await registerAccount(t, citizen(), { displayName: 'Neu', email: me.email, password: 'GHgh3456' });
    expect((await citizen().visit(link)).status).toBe(200);
  });
});
