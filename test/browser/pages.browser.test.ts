import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { authorizationUrl, registerRelyingParty, type RelyingParty } from '../helpers/relying-party.ts';
import { axe, launchChromium, SCREENSHOTS } from '../helpers/browser.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const OUTPUT = SCREENSHOTS;


describe('the citizen pages in Chromium are accessible', () => {
  let t: TestApp;
  let rp: RelyingParty;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp('browser-pages');
    // The service's callback is on loopback so the browser's last redirect lands somewhere real.
    rp = await registerRelyingParty(t.app, t.url, { clientId: 'bauantrag', redirectUris: [`${t.url}/healthz`] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  const newPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ locale: 'de-DE', bypassCSP: true });
    return { context, page: await context.newPage() };
  };


  /**
   * Checks the page is the expected one (its h1), runs axe and saves a full-page screenshot.
   * Violations are collected so one run reports every page and rule at once.
   */
  const audit = async (page: Page, name: string, heading: string | RegExp, violations: string[]) => {
    await page.waitForLoadState('load');
    const h1 = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
    if (typeof heading === 'string') expect(h1.trim()).toBe(heading);
    else expect(h1).toMatch(heading);
    const result = await axe(page);
    // axe really looked at the page (an empty run would report no violations too).
    expect(result.passes.length).toBeGreaterThan(10);
    for (const v of result.violations) {
      violations.push(`${name} (${new URL(page.url()).pathname}): ${v.id} – ${v.help} – ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    }
    await page.screenshot({ path: `${OUTPUT}/${name}.png`, fullPage: true });
  };

  const main = (page: Page) => page.getByRole('main');
  const SLOW = 90_000;

  it('REG-01 REG-05 REG-06 ACT-01 the registration pages have no axe violations', async () => {
    const violations: string[] = [];
    const { context, page } = await newPage();
    await page.goto(`${t.url}/`);
    await page.getByRole('banner').getByRole('link', { name: 'Registrieren' }).click();
    await page.waitForURL(/\/registrieren$/);
    await main(page).getByRole('link', { name: 'als Bürger' }).click();
    await page.waitForURL(/\/registrieren\/buerger/);
    await main(page).getByRole('link', { name: 'Servicekonto', exact: true }).click();
    await page.waitForURL(/\/registrieren\/servicekonto$/);
    await audit(page, '10-registrieren', 'Servicekonto registrieren', violations);

    // Errors shown by the server: a weak password and an address with "<".
    await page.getByLabel('Name', { exact: true }).fill('Bruno Browser');
    await page.getByLabel('E-Mail-Adresse', { exact: true }).fill('bruno<@example.org');
    await page.getByLabel('Passwort', { exact: true }).fill('abcdefgh');
    await page.getByLabel('Passwort wiederholen').fill('abcdefgh');
    await page.getByRole('button', { name: 'Weiter' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Bitte prüfen Sie Ihre Eingaben');
    await expect(main(page).textContent()).resolves.toContain('Die E-Mail-Adresse darf die Zeichen „<“ und „>“ nicht enthalten.');
    await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('Bruno Browser');
    await audit(page, '11-registrieren-fehler', 'Servicekonto registrieren', violations);

    await page.getByLabel('E-Mail-Adresse', { exact: true }).fill('bruno@example.org');
    await page.getByLabel('Passwort', { exact: true }).fill('Browser!2024');
    await page.getByLabel('Passwort wiederholen').fill('Browser!2024');
    await page.getByRole('button', { name: 'Weiter' }).click();
    await expect(main(page).textContent()).resolves.toContain('bruno@example.org');
    expect(await page.content()).not.toContain('Browser!2024');
    await audit(page, '12-uebersicht', 'Übersicht Ihrer Eingaben', violations);

    // REG-06: without the consent the overview comes back with the error.
    await page.getByRole('button', { name: 'Servicekonto anlegen' }).click();
    await expect(main(page).textContent()).resolves.toContain('Bitte stimmen Sie der Datenverarbeitung zu.');
    await audit(page, '13-uebersicht-fehler', 'Übersicht Ihrer Eingaben', violations);

    await page.getByLabel('Ja, ich erteile die Einwilligung zur Datenverarbeitung.').check();
    await page.getByRole('button', { name: 'Servicekonto anlegen' }).click();
    await page.waitForURL(/\/registrieren\/fertig$/);
    await audit(page, '14-registrieren-fertig', 'Fast geschafft', violations);

    const mail = await t.mail.waitFor('bruno@example.org', /Aktivieren Sie Ihr Servicekonto/);
    await page.goto(mail.links.find((l) => l.includes('/aktivieren?token='))!);
    await audit(page, '15-aktiviert', 'Ihr Servicekonto ist aktiviert', violations);

    await main(page).getByRole('link', { name: 'Anmelden' }).click();
    await page.waitForURL(/\/interaction\//);
    await audit(page, '16-anmelden', 'Anmelden', violations);
    await page.getByLabel('E-Mail-Adresse').fill('bruno@example.org');
    await page.getByLabel('Passwort', { exact: true }).fill('Browser!2024');
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await page.waitForURL(/\/konto$/);
    await expect(main(page).textContent()).resolves.toContain('Willkommen, Bruno Browser.');
    await context.close();
    expect(violations).toEqual([]);
  }, SLOW);

  it('PROF-01 MAIL-01 OIDC-04 DEL-01 the pages of Mein Bereich have no axe violations', async () => {
    const violations: string[] = [];
    await t.app.services.accounts.createAccount({ email: 'maria@example.org', password: 'Bereich!42', displayName: 'Maria Meinbereich' });
    const { context, page } = await newPage();
    // Sign in at an online service first, so "Einwilligungen" lists a consent.
    await page.goto((await authorizationUrl(rp)).url.href);
    await page.getByLabel('E-Mail-Adresse').fill('maria@example.org');
    await page.getByLabel('Passwort', { exact: true }).fill('Bereich!42');
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await page.getByRole('button', { name: /Zustimmen/ }).click();
    await page.waitForURL(/\/healthz\?/);

    await page.goto(`${t.url}/konto`);
    await audit(page, '20-mein-bereich', 'Mein Bereich', violations);
    await expect(main(page).textContent()).resolves.toContain('Sie haben einem Online-Dienst eine Einwilligung zur Datenübermittlung erteilt.');

    const subnav = page.getByRole('navigation', { name: 'Mein Bereich' });
    await subnav.getByRole('link', { name: 'Mein Profil' }).click();
    await page.waitForURL(/\/konto\/profil$/);
    await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('Maria Meinbereich');
    await audit(page, '21-mein-profil', 'Mein Profil', violations);

    await page.getByLabel('Name', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect(main(page).textContent()).resolves.toContain('Bitte geben Sie Ihren Namen ein.');
    await audit(page, '21-mein-profil-fehler', 'Mein Profil', violations);

    await subnav.getByRole('link', { name: 'Konto verwalten' }).click();
    await page.waitForURL(/\/konto\/verwalten$/);
    await audit(page, '22-konto-verwalten', 'Konto verwalten', violations);

    await main(page).getByRole('link', { name: 'E-Mail-Adresse ändern' }).click();
    await page.waitForURL(/\/konto\/email$/);
    await expect(main(page).textContent()).resolves.toContain('maria@example.org');
    await audit(page, '23-email-aendern', 'E-Mail-Adresse ändern', violations);
    await page.getByLabel('Neue E-Mail-Adresse', { exact: true }).fill('maria.neu@example.org');
    await page.getByLabel('Neue E-Mail-Adresse wiederholen').fill('maria.anders@example.org');
    await page.getByRole('button', { name: 'Bestätigung versenden' }).click();
    await expect(main(page).textContent()).resolves.toContain('Die beiden E-Mail-Adressen stimmen nicht überein.');
    await audit(page, '23-email-aendern-fehler', 'E-Mail-Adresse ändern', violations);

    await subnav.getByRole('link', { name: 'Konto verwalten' }).click();
    await main(page).getByRole('link', { name: 'Passwort ändern' }).click();
    await page.waitForURL(/\/konto\/passwort$/);
    await audit(page, '24-passwort-aendern', 'Passwort ändern', violations);
    await page.getByLabel('Aktuelles Passwort').fill('Bereich!42');
    await page.getByLabel('Neues Passwort', { exact: true }).fill('kurz');
    await page.getByLabel('Neues Passwort wiederholen').fill('kurz');
    await page.getByRole('button', { name: 'Passwort ändern' }).click();
    await expect(main(page).textContent()).resolves.toContain('Das Passwort muss mindestens 8 Zeichen lang sein.');
    await audit(page, '24-passwort-aendern-fehler', 'Passwort ändern', violations);

    await subnav.getByRole('link', { name: 'Konto verwalten' }).click();
    await main(page).getByRole('link', { name: 'Einwilligungen' }).click();
    await page.waitForURL(/\/konto\/einwilligungen$/);
    await expect(main(page).textContent()).resolves.toContain('Dienst bauantrag');
    await audit(page, '25-einwilligungen', 'Einwilligungen', violations);

    await subnav.getByRole('link', { name: 'Konto verwalten' }).click();
    await main(page).getByRole('link', { name: 'Servicekonto löschen' }).click();
    await page.waitForURL(/\/konto\/loeschen$/);
    await audit(page, '26-konto-loeschen', 'Servicekonto löschen', violations);
    // Without the confirmation nothing is deleted and the error is shown.
    await page.getByLabel('Zur Bestätigung: Ihr Passwort').fill('Bereich!42');
    await page.getByRole('button', { name: 'Servicekonto löschen' }).click();
    await expect(main(page).textContent()).resolves.toContain('Bitte bestätigen Sie, dass Sie Ihr Servicekonto endgültig löschen möchten.');
    await audit(page, '26-konto-loeschen-fehler', 'Servicekonto löschen', violations);

    await page.getByRole('banner').getByRole('link', { name: 'Abmelden' }).click();
    await audit(page, '27-abgemeldet', 'Sie wurden abgemeldet', violations);
    await context.close();
    expect(violations).toEqual([]);
  }, SLOW);

  it('RST-01 RST-02 CON-01 the password reset and contact pages have no axe violations', async () => {
    const violations: string[] = [];
    await t.app.services.accounts.createAccount({ email: 'rudi@example.org', password: 'Vergessen!7', displayName: 'Rudi Reset' });
    const { context, page } = await newPage();
    await page.goto(`${t.url}/konto`);
    await page.waitForURL(/\/interaction\//);
    await page.getByRole('link', { name: 'Passwort vergessen?' }).click();
    await page.waitForURL(/\/passwort-vergessen$/);
    await audit(page, '30-passwort-vergessen', 'Passwort vergessen', violations);

    await page.getByLabel('E-Mail-Adresse').fill('rudi@example.org');
    await page.getByRole('button', { name: 'Weiter' }).click();
    await page.waitForURL(/\/passwort-vergessen\/gesendet$/);
    await audit(page, '31-passwort-vergessen-gesendet', 'Bitte prüfen Sie Ihr E-Mail-Postfach', violations);

    const mail = await t.mail.waitFor('rudi@example.org', /Neues Passwort für Ihr Servicekonto festlegen/);
    await page.goto(mail.links.find((l) => l.includes('/passwort-zuruecksetzen?token='))!);
    await audit(page, '32-passwort-zuruecksetzen', 'Neues Passwort festlegen', violations);
    await page.getByLabel('Neues Passwort', { exact: true }).fill('Neu Pass 1');
    await page.getByLabel('Neues Passwort wiederholen').fill('Anders!123');
    await page.getByRole('button', { name: 'Passwort speichern' }).click();
    await expect(main(page).textContent()).resolves.toContain('Das Passwort darf keine Leerzeichen enthalten.');
    await expect(main(page).textContent()).resolves.toContain('Die beiden Passwörter stimmen nicht überein.');
    await audit(page, '33-passwort-zuruecksetzen-fehler', 'Neues Passwort festlegen', violations);
    await page.getByLabel('Neues Passwort', { exact: true }).fill('Anders!123');
    await page.getByLabel('Neues Passwort wiederholen').fill('Anders!123');
    await page.getByRole('button', { name: 'Passwort speichern' }).click();
    await page.waitForURL(/\/passwort-zuruecksetzen\/fertig$/);
    await audit(page, '34-passwort-geaendert', 'Passwort geändert', violations);

    await page.getByRole('contentinfo').getByRole('link', { name: 'Kontakt' }).click();
    await page.waitForURL(/\/kontakt$/);
    await audit(page, '40-kontakt', 'Kontakt', violations);
    await page.getByLabel('Name', { exact: true }).fill('Rudi Reset');
    await page.getByLabel('E-Mail-Adresse').fill('rudi@example.org');
    await page.getByLabel('Betreff').fill('Frage zum Browser');
    await page.getByRole('button', { name: 'Nachricht senden' }).click();
    await expect(main(page).textContent()).resolves.toContain('Bitte geben Sie Ihre Nachricht ein.');
    await audit(page, '41-kontakt-fehler', 'Kontakt', violations);
    await page.getByLabel('Ihre Nachricht').fill('Funktioniert die Seite mit dem Screenreader?');
    await page.getByRole('button', { name: 'Nachricht senden' }).click();
    await page.waitForURL(/\/kontakt\?gesendet=1$/);
    await audit(page, '42-kontakt-gesendet', 'Kontakt', violations);
    const sent = await t.mail.waitFor('kundenservice@servicekonto.localhost', /Kontaktformular: Frage zum Browser/);
    expect(sent.text).toContain('Funktioniert die Seite mit dem Screenreader?');
    await context.close();
    expect(violations).toEqual([]);
  }, SLOW);
});
