import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Citizen, formAction, type Page } from '../helpers/citizen.ts';
import { authorizationUrl, redeem, registerRelyingParty, type RelyingParty } from '../helpers/relying-party.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { ReceivedMail } from '../../src/mail/mail-sink.ts';

const ACTIVATION = /^Aktivieren Sie Ihr Servicekonto$/;
const ATTEMPT = /^Registrierungsversuch mit Ihrer E-Mail-Adresse$/;
const RESET = /^Neues Passwort für Ihr Servicekonto festlegen$/;
const CONTACT_EMAIL = 'kundenservice@servicekonto.localhost';
const HOUR = 3600_000;

/** Undoes the HTML escaping Handlebars applies to attribute values and text. */
function decode(html: string): string {
  return html
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#x27;/g, "'")
    .replace(/&#x60;/g, '`').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}

/** The decoded value attribute of the input with this id ('' when it has none). */
function inputValue(page: Page, id: string): string {
  const tag = new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`).exec(page.body);
  if (!tag) throw new Error(`no input #${id} on ${page.url}`);
  const value = /\bvalue="([^"]*)"/.exec(tag[0]);
  return value ? decode(value[1]!) : '';
}

/** The text of the error message shown right at the field (`<p class="kern-error" id="<id>-error">`). */
function fieldError(page: Page, id: string): string | undefined {
  const match = new RegExp(`<p class="kern-error" id="${id}-error">([\\s\\S]*?)</p>`).exec(page.body);
  return match ? decode(match[1]!.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim() : undefined;
}

/** The hidden inputs of the form whose action ends with the suffix, as a browser would send them. */
function hiddenFields(page: Page, suffix: string): Record<string, string> {
  const forms = [...page.body.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => decode(f[1]!).endsWith(suffix));
  if (!form) throw new Error(`no form ending in ${suffix} on ${page.url}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(input[0])?.[1];
    const value = /\bvalue="([^"]*)"/.exec(input[0])?.[1];
    if (name && name !== '_csrf') fields[name] = decode(value ?? '');
  }
  return fields;
}

/** The decoded href of the first link in the main content (else anywhere) whose text is exactly `text`. */
function linkHref(page: Page, text: string): string {
  const main = /<main[\s\S]*?<\/main>/.exec(page.body)?.[0] ?? '';
  for (const m of `${main}${page.body}`.matchAll(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)) {
    if (decode(m[2]!.replace(/<[^>]+>/g, '')).trim() === text) return decode(m[1]!);
  }
  throw new Error(`no link "${text}" on ${page.url}`);
}

/** A page body without per-request values (CSRF token, ids), to compare two answers. */
function normalised(page: Page): string {
  return page.body.replace(/name="_csrf" value="[^"]+"/g, '').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID');
}

interface Person {
  displayName: string;
  email: string;
  password: string;
}

describe('registration, activation, recovery and contact (REG, ACT, RST, CON)', () => {
  let t: TestApp;
  let rp: RelyingParty;
  let markers = 0;

  beforeAll(async () => {
    t = await startTestApp('registration');
    rp = await registerRelyingParty(t.app, t.url, { clientId: 'elterngeld' });
  });
  afterAll(async () => t.close());

  /** Waits until at least n mails to `to` with a matching subject arrived; returns the n-th. */
  const nthMail = async (to: string, subject: RegExp, n: number): Promise<ReceivedMail> => {
    await t.mail.waitFor(to, subject);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const list = t.mail.to(to).filter((m) => subject.test(m.subject));
      if (list.length >= n) return list[n - 1]!;
      if (Date.now() > deadline) throw new Error(`only ${list.length} mails to ${to} matching ${subject}, wanted ${n}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  /**
   * Mails are sent by a job queue. A mail requested afterwards arriving means everything
   * requested before has had its turn, so "no mail" checks come after this barrier.
   */
  const mailBarrier = async () => {
    const email = `marker${++markers}@example.org`;
    await t.app.services.accounts.createAccount({ email, password: 'ABab1234', displayName: 'Marker' });
    await t.app.services.selfService.requestPasswordReset(email, '127.0.0.1');
    await t.mail.waitFor(email, RESET);
  };

  const openForm = async (citizen: Citizen, url = '/registrieren/servicekonto') => {
    const form = await citizen.visit(url);
    expect(form.status).toBe(200);
    expect(form.body).toContain('action="/registrieren/servicekonto"');
    return form;
  };

  /** "Weiter" on the form, with the form's hidden fields (weiter, draft) as a browser sends them. */
  const weiter = (citizen: Citizen, form: Page, person: Person, extra: Record<string, string> = {}) =>
    citizen.submit(form, '/registrieren/servicekonto', {
      ...hiddenFields(form, '/registrieren/servicekonto'),
      displayName: person.displayName, email: person.email, password: person.password, passwordRepeat: person.password, ...extra,
    });

  const anlegen = (citizen: Citizen, overview: Page, consent = true) =>
    citizen.submit(overview, '/registrieren/servicekonto/anlegen', {
      ...hiddenFields(overview, '/registrieren/servicekonto/anlegen'), ...(consent ? { consent: 'yes' } : {}),
    });

  /** The whole registration up to "Fast geschafft". */
  const register = async (person: Person, citizen = new Citizen(t.url)) => {
    const overview = await weiter(citizen, await openForm(citizen), person);
    expect(overview.status).toBe(200);
    const done = await anlegen(citizen, overview);
    expect(done.url).toBe(`${t.url}/registrieren/fertig`);
    expect(done.status).toBe(200);
    return done;
  };

  const activationLink = (mail: ReceivedMail) => {
    const link = mail.links.find((l) => l.includes('/aktivieren?token='));
    if (!link) throw new Error(`no activation link in ${mail.text}`);
    return link;
  };

  /** Signs in to Mein Bereich and returns its overview page. */
  const signInToKonto = async (citizen: Citizen, credentials: { email: string; password: string }) => {
    const login = await citizen.visit('/konto');
    expect(login.url).toMatch(/\/interaction\//);
    return citizen.submit(login, formAction(login, '/login'), credentials);
  };

  it('REG-02 REG-05 the overview shows name and e-mail and never the password', async () => {
    const citizen = new Citizen(t.url);
    const form = await openForm(citizen);
    // REG-02: name, e-mail and password (twice) are all the form asks for.
    const inputs = [...form.body.matchAll(/<input[^>]*name="([^"]+)"[^>]*>/g)].map((m) => m[1]).filter((n) => n !== '_csrf');
    expect(inputs.sort()).toEqual(['displayName', 'email', 'password', 'passwordRepeat']);

    const person = { displayName: 'Ulla Übersicht', email: 'ulla@example.org', password: 'Geheim!Pass42' };
    const overview = await weiter(citizen, form, person);
    expect(overview.status).toBe(200);
    expect(overview.body).toContain('Übersicht Ihrer Eingaben');
    expect(overview.body).toContain('Ulla Übersicht');
    expect(overview.body).toContain('ulla@example.org');
    expect(overview.body).not.toContain(person.password);
    expect(decode(overview.body)).not.toContain(person.password);
    expect(overview.body).toContain('niemals angezeigt');
  });

  it('REG-05 "Zurück" returns to the form with name and e-mail kept', async () => {
    const citizen = new Citizen(t.url);
    const person = { displayName: 'Bernd Zurück', email: 'bernd.zurueck@example.org', password: 'Zurueck#2024' };
    const overview = await weiter(citizen, await openForm(citizen), person);
    expect(overview.status).toBe(200);
    const back = await citizen.submit(overview, '/registrieren/servicekonto/zurueck', hiddenFields(overview, '/registrieren/servicekonto/zurueck'));
    expect(back.status).toBe(200);
    expect(back.body).toContain('action="/registrieren/servicekonto"');
    expect(inputValue(back, 'displayName')).toBe('Bernd Zurück');
    expect(inputValue(back, 'email')).toBe('bernd.zurueck@example.org');
    expect(back.body).not.toContain(person.password);
    // With the password fields left empty the kept password still completes the registration.
    const again = await weiter(citizen, back, { ...person, displayName: 'Bernd Zurück-Korrigiert', password: '' });
    expect(again.status).toBe(200);
    expect(again.body).toContain('Bernd Zurück-Korrigiert');
    await anlegen(citizen, again);
    const mail = await t.mail.waitFor(person.email, ACTIVATION);
    expect((await citizen.visit(activationLink(mail))).status).toBe(200);
    const konto = await signInToKonto(new Citizen(t.url), person);
    expect(konto.body).toContain('Bernd Zurück-Korrigiert');
  });

  it('REG-06 "Servicekonto anlegen" without consent shows the German consent error and sends nothing', async () => {
    const citizen = new Citizen(t.url);
    const person = { displayName: 'Olga Ohne', email: 'olga.ohne@example.org', password: 'Einwill!9' };
    const overview = await weiter(citizen, await openForm(citizen), person);
    const refused = await anlegen(citizen, overview, false);
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('Übersicht Ihrer Eingaben');
    expect(refused.body).toContain('Bitte stimmen Sie der Datenverarbeitung zu.');
    expect(refused.body).toContain('olga.ohne@example.org');
    await mailBarrier();
    expect(t.mail.to(person.email)).toEqual([]);
    // With the consent ticked the same overview completes it: exactly one activation mail.
    const done = await anlegen(citizen, refused);
    expect(done.url).toBe(`${t.url}/registrieren/fertig`);
    await t.mail.waitFor(person.email, ACTIVATION);
    await mailBarrier();
    expect(t.mail.to(person.email)).toHaveLength(1);
  });

  it.each([
    ['a weak password', { password: 'abcdefgh' }, 'password', 'Das Passwort muss mindestens zwei der drei Kriterien erfüllen: Groß- und Kleinbuchstaben, Ziffern, Sonderzeichen.'],
    ['a password with a space', { password: 'ABab 1234' }, 'password', 'Das Passwort darf keine Leerzeichen enthalten.'],
    ['an e-mail with "<"', { email: 'pia<@example.org' }, 'email', 'Die E-Mail-Adresse darf die Zeichen „<“ und „>“ nicht enthalten.'],
  ])('PW-01 PW-02 REG-04 the server refuses %s with the German message at the field and keeps name and e-mail', async (_label, change, field, message) => {
    const citizen = new Citizen(t.url);
    const person = { displayName: 'Pia Prüfung', email: 'pia@example.org', password: 'ABab1234', ...change };
    const page = await weiter(citizen, await openForm(citizen), person);
    expect(page.status).toBe(422);
    expect(fieldError(page, field)).toBe(message);
    expect(page.body).toContain('Bitte prüfen Sie Ihre Eingaben');
    expect(inputValue(page, 'displayName')).toBe('Pia Prüfung');
    expect(inputValue(page, 'email')).toBe(person.email);
    // No draft was saved: the page is the form again, not the overview.
    expect(page.body).not.toContain('/registrieren/servicekonto/anlegen');
  });

  it('ACT-01 the activation mail arrives, its link activates and the account signs in', async () => {
    const person = { displayName: 'Anna Aktiv', email: 'anna.aktiv@example.org', password: 'Aktiv!2024' };
    await register(person);
    const mail = await t.mail.waitFor(person.email, ACTIVATION);
    expect(mail.text).toContain('Anna Aktiv');
    expect(mail.text).not.toContain(person.password);

    // Before activation there is no account.
    expect((await signInToKonto(new Citizen(t.url), person)).status).toBe(401);

    const citizen = new Citizen(t.url);
    const activated = await citizen.visit(activationLink(mail));
    expect(activated.status).toBe(200);
    expect(activated.body).toContain('Ihr Servicekonto ist aktiviert');
    expect(linkHref(activated, 'Anmelden')).toBe('/konto');

    const login = await citizen.visit(linkHref(activated, 'Anmelden'));
    expect(login.body).toContain('name="password"');
    const konto = await citizen.submit(login, formAction(login, '/login'), person);
    expect(konto.url).toBe(`${t.url}/konto`);
    expect(konto.status).toBe(200);
    expect(konto.body).toContain('Willkommen, Anna Aktiv.');
    expect(konto.body).toContain('anna.aktiv@example.org');

    // The link works once.
    expect((await new Citizen(t.url).visit(activationLink(mail))).status).toBe(410);
  });

  it('ACT-01 a sign-in started at an online service continues there after activation', async () => {
    const person = { displayName: 'Rita Rückweg', email: 'rita.rueckweg@example.org', password: 'Rueckweg+7' };
    const citizen = new Citizen(t.url);
    const flow = await authorizationUrl(rp);
    const login = await citizen.visit(flow.url.href);
    expect(login.url).toMatch(/\/interaction\//);

    const registrieren = linkHref(login, 'Registrieren');
    // What the link carries: the authorization request to return to.
    const returnTo = new URL(registrieren, t.url).searchParams.get('weiter') ?? '';
    expect(new URL(registrieren, t.url).pathname).toBe('/registrieren');
    expect(returnTo).toMatch(/^\/auth\?/);
    expect(new URLSearchParams(returnTo.slice('/auth?'.length)).get('client_id')).toBe('elterngeld');
    expect(new URLSearchParams(returnTo.slice('/auth?'.length)).get('redirect_uri')).toBe(rp.redirectUri);

    // "Registrieren" → "als Bürger" → "Servicekonto", as a person clicks through.
    const start = await citizen.visit(registrieren);
    expect(start.status).toBe(200);
    const kind = await citizen.visit(linkHref(start, 'als Bürger'));
    expect(kind.status).toBe(200);
    const form = await citizen.visit(linkHref(kind, 'Servicekonto'));
    expect(form.status).toBe(200);
    expect(hiddenFields(form, '/registrieren/servicekonto').weiter).toBe(returnTo);

    const overview = await weiter(citizen, form, person);
    expect(overview.status).toBe(200);
    const done = await anlegen(citizen, overview);
    expect(done.url).toBe(`${t.url}/registrieren/fertig`);

    const mail = await t.mail.waitFor(person.email, ACTIVATION);
    const activated = await citizen.visit(activationLink(mail));
    expect(activated.status).toBe(200);
    const next = linkHref(activated, 'Anmelden');
    expect(next).toBe(returnTo);
    const params = new URLSearchParams(next.slice('/auth?'.length));
    expect(params.get('redirect_uri')).toBe(rp.redirectUri);
    expect(params.get('state')).toBe(flow.state);

    const again = await citizen.visit(next);
    expect(again.url).toMatch(/\/interaction\//);
    expect(again.body).toContain('name="password"');
    let page = await citizen.submit(again, formAction(again, '/login'), person);
    if (page.status === 200 && page.body.includes('/confirm"')) page = await citizen.submit(page, formAction(page, '/confirm'));
    expect(page.location).toBeDefined();
    const callback = new URL(page.location!);
    expect(`${callback.origin}${callback.pathname}`).toBe(rp.redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(flow.state);
    const tokens = await redeem(rp, flow, callback.href);
    expect(tokens.claims()!.acr).toBe('http://eidas.europa.eu/LoA/low');
  });

  it('ACT-02 a registration opened after 24 hours fails; the purge deletes pending data and the address can register again', async () => {
    const late = { displayName: 'Lena Spät', email: 'lena.spaet@example.org', password: 'Spaet!2024' };
    const never = { displayName: 'Nils Nie', email: 'nils.nie@example.org', password: 'NieNie#42' };
    await register(late);
    await register(never);
    const lateMail = await t.mail.waitFor(late.email, ACTIVATION);
    await t.mail.waitFor(never.email, ACTIVATION);
    const pending = async (email: string) =>
      Number((await t.app.dataSource.query('SELECT count(*) AS n FROM registration WHERE lower(email) = lower($1)', [email]) as { n: string }[])[0]!.n);
    expect(await pending(never.email)).toBe(1);

    t.clock.advance(24 * HOUR + 60_000);
    const expired = await new Citizen(t.url).visit(activationLink(lateMail));
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('Aktivierungs-Link ungültig');

    await t.app.jobs.runNow('registrations.purge', {});
    expect(await pending(never.email)).toBe(0);
    expect(await pending(late.email)).toBe(0);

    // The same address registers again and gets a new link; the old one stays dead.
    await register(late);
    const second = await nthMail(late.email, ACTIVATION, 2);
    expect(activationLink(second)).not.toBe(activationLink(lateMail));
    expect((await new Citizen(t.url).visit(activationLink(lateMail))).status).toBe(410);
    expect((await new Citizen(t.url).visit(activationLink(second))).status).toBe(200);
    const konto = await signInToKonto(new Citizen(t.url), late);
    expect(konto.body).toContain('Lena Spät');
  });

  it('ACT-02 a link just under 24 hours old still activates', async () => {
    const person = { displayName: 'Jana Knapp', email: 'jana.knapp@example.org', password: 'Knapp!2024' };
    await register(person);
    const mail = await t.mail.waitFor(person.email, ACTIVATION);
    t.clock.advance(24 * HOUR - 60_000);
    expect((await new Citizen(t.url).visit(activationLink(mail))).status).toBe(200);
  });

  it('ACT-02 registering the same pending address twice: the latest registration wins', async () => {
    const first = { displayName: 'Doppelt Erst', email: 'doppelt@example.org', password: 'Erstes!111' };
    const second = { displayName: 'Doppelt Zweit', email: 'doppelt@example.org', password: 'Zweites!222' };
    await register(first);
    const firstMail = await nthMail(first.email, ACTIVATION, 1);
    await register(second);
    const secondMail = await nthMail(second.email, ACTIVATION, 2);
    expect(secondMail.text).toContain('Doppelt Zweit');

    expect((await new Citizen(t.url).visit(activationLink(firstMail))).status).toBe(410);
    expect((await new Citizen(t.url).visit(activationLink(secondMail))).status).toBe(200);
    const konto = await signInToKonto(new Citizen(t.url), second);
    expect(konto.body).toContain('Doppelt Zweit');
    expect((await signInToKonto(new Citizen(t.url), first)).status).toBe(401);
  });

  it('REG-07 registering a taken address answers like a fresh one, sends no link and tells the owner', async () => {
    const owner = { displayName: 'Olaf Owner', email: 'olaf@example.org', password: 'Besitz!123' };
    await t.app.services.accounts.createAccount(owner);

    const taken = await register({ displayName: 'Mallory', email: owner.email, password: 'Angriff!99' });
    const fresh = await register({ displayName: 'Mallory', email: 'frisch@example.org', password: 'Angriff!99' });
    expect(taken.status).toBe(fresh.status);
    expect(normalised(taken)).toEqual(normalised(fresh));

    const notice = await t.mail.waitFor(owner.email, ATTEMPT);
    expect(notice.text).toContain('Olaf Owner');
    expect(notice.text).not.toContain('Angriff!99');
    await t.mail.waitFor('frisch@example.org', ACTIVATION);
    await mailBarrier();
    expect(t.mail.to(owner.email).filter((m) => ACTIVATION.test(m.subject))).toEqual([]);
    // The owner's account is untouched: the old password works, the attacker's does not.
    const konto = await signInToKonto(new Citizen(t.url), owner);
    expect(konto.body).toContain('Olaf Owner');
    expect((await signInToKonto(new Citizen(t.url), { email: owner.email, password: 'Angriff!99' })).status).toBe(401);
  });

  it('REG-03 the address is unique case-insensitively: ERIKA@Example.org is treated as the taken erika@example.org', async () => {
    await t.app.services.accounts.createAccount({ email: 'erika@example.org', password: 'ABab1234', displayName: 'Erika Mustermann' });
    const done = await register({ displayName: 'Erika Zwei', email: 'ERIKA@Example.org', password: 'Zweit!Konto9' });
    expect(done.body).toContain('Fast geschafft');

    const notice = await t.mail.waitFor('erika@example.org', ATTEMPT);
    expect(notice.to).toEqual(['erika@example.org']);
    await mailBarrier();
    expect(t.mail.to('erika@example.org').filter((m) => ACTIVATION.test(m.subject))).toEqual([]);
    // No second account: the new password does not sign in, the old one still does.
    expect((await signInToKonto(new Citizen(t.url), { email: 'ERIKA@Example.org', password: 'Zweit!Konto9' })).status).toBe(401);
    const konto = await signInToKonto(new Citizen(t.url), { email: 'ERIKA@Example.org', password: 'ABab1234' });
    expect(konto.body).toContain('Erika Mustermann');
  });

  it('RST-01 REG-07 "Passwort vergessen?" answers the same for a known and an unknown address; only the known one gets a mail', async () => {
    await t.app.services.accounts.createAccount({ email: 'vergesslich@example.org', password: 'Vergessen!1', displayName: 'Vera Vergesslich' });
    const ask = async (email: string) => {
      const citizen = new Citizen(t.url);
      const login = await citizen.visit('/konto');
      const form = await citizen.visit(linkHref(login, 'Passwort vergessen?'));
      expect(form.url).toBe(`${t.url}/passwort-vergessen`);
      return citizen.submit(form, '/passwort-vergessen', { email });
    };
    const known = await ask('vergesslich@example.org');
    const unknown = await ask('unbekannt@example.org');
    expect(known.url).toBe(`${t.url}/passwort-vergessen/gesendet`);
    expect(known.status).toBe(200);
    expect(unknown.url).toBe(known.url);
    expect(unknown.status).toBe(known.status);
    expect(normalised(unknown)).toEqual(normalised(known));

    const mail = await t.mail.waitFor('vergesslich@example.org', RESET);
    expect(mail.links.some((l) => l.startsWith(`${t.url}/passwort-zuruecksetzen?token=`))).toBe(true);
    await mailBarrier();
    expect(t.mail.to('unbekannt@example.org')).toEqual([]);
  });

  it('CON-01 the contact form mails the customer service, refuses an empty message and the sixth message within an hour', async () => {
    const citizen = new Citizen(t.url);
    const form = await citizen.visit('/kontakt');
    expect(form.status).toBe(200);
    const message = (n: number) => ({ name: 'Karl Kontakt', email: 'karl@example.org', subject: `Frage ${n} zur Registrierung`, message: `Wie lange ist der Link gültig? (${n})` });

    const empty = await citizen.submit(form, '/kontakt', { ...message(0), message: '' });
    expect(empty.status).toBe(422);
    expect(fieldError(empty, 'message')).toBe('Bitte geben Sie Ihre Nachricht ein.');
    expect(inputValue(empty, 'name')).toBe('Karl Kontakt');

    const sent = await citizen.submit(form, '/kontakt', message(1));
    expect(sent.url).toBe(`${t.url}/kontakt?gesendet=1`);
    expect(sent.body).toContain('Vielen Dank für Ihre Nachricht');
    const mail = await t.mail.waitFor(CONTACT_EMAIL, /^Kontaktformular: Frage 1 zur Registrierung$/);
    expect(mail.text).toContain('Wie lange ist der Link gültig? (1)');
    expect(mail.text).toContain('karl@example.org');

    for (let n = 2; n <= 5; n++) {
      expect((await citizen.submit(form, '/kontakt', message(n))).url).toBe(`${t.url}/kontakt?gesendet=1`);
    }
    const sixth = await citizen.submit(form, '/kontakt', message(6));
    expect(sixth.status).toBe(429);
    expect(sixth.body).toContain('Sie haben bereits mehrere Nachrichten gesendet.');
    await nthMail(CONTACT_EMAIL, /^Kontaktformular: Frage \d zur Registrierung$/, 5);
    await mailBarrier();
    expect(t.mail.to(CONTACT_EMAIL).filter((m) => m.subject.startsWith('Kontaktformular: Frage'))).toHaveLength(5);
    expect(t.mail.to(CONTACT_EMAIL).some((m) => m.subject.includes('Frage 6'))).toBe(false);
  });

  it('SESS-02 "Abmelden" ends the session: Mein Bereich asks for the password again', async () => {
    const person = { email: 'abmelder@example.org', password: 'Abmelden!1', displayName: 'Arno Abmelder' };
    await t.app.services.accounts.createAccount(person);
    const citizen = new Citizen(t.url);
    const konto = await signInToKonto(citizen, person);
    expect(konto.url).toBe(`${t.url}/konto`);
    expect(konto.body).toContain('href="/abmelden"');
    // Still signed in on the next visit.
    expect((await citizen.visit('/konto')).url).toBe(`${t.url}/konto`);

    const out = await citizen.visit(linkHref(konto, 'Abmelden'));
    expect(out.status).toBe(200);
    expect(out.body).toContain('Sie wurden abgemeldet');
    expect(out.body).not.toContain('Arno Abmelder');

    const after = await citizen.visit('/konto');
    expect(after.url).toMatch(/\/interaction\//);
    expect(after.body).toContain('name="password"');
    expect(after.body).not.toContain('Willkommen, Arno Abmelder');
  });
});
