import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { authorizationUrl, redeem, registerRelyingParty, type RelyingParty } from '../helpers/relying-party.ts';
import { axe, launchChromium, SCREENSHOTS } from '../helpers/browser.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const OUTPUT = SCREENSHOTS;
const HIGH = 'http://eidas.europa.eu/LoA/high';
const SLOW = 90_000;
/** The simulator's page standing in for the AusweisApp (its own loopback origin). */
const CLIENT_PAGE = /\/eID-Client\?tcTokenURL=/;
const CLIENT_HEADING = 'Online-Ausweisfunktion (Simulator)';

describe('eID and Servicekonto Plus in Chromium, through the simulator', () => {
  let t: TestApp;
  let rp: RelyingParty;
  let browser: Browser;
  const erika = { email: 'erika.plus@example.org', password: 'Ausweis!2024' };

  beforeAll(async () => {
    t = await startTestApp('browser-eid');
    // The service's callback is on loopback so the browser's last redirect lands somewhere real.
    rp = await registerRelyingParty(t.app, t.url, { clientId: 'waffenschein', redirectUris: [`${t.url}/healthz`], minLevel: 'hoch' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  // Like the other browser tests, the walk-throughs bypass the CSP (axe is injected as a script);
  // the last test keeps the CSP on to check the hand-over a real browser performs.
  const newPage = async (bypassCSP = true): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ locale: 'de-DE', bypassCSP });
    return { context, page: await context.newPage() };
  };
  const main = (page: Page) => page.getByRole('main');

  /**
   * Checks the page is the expected one (its h1), runs axe and saves a full-page screenshot.
   * Violations are collected so one run reports every page and rule at once.
   */
  const audit = async (page: Page, name: string, heading: string, violations: string[]) => {
    await page.waitForLoadState('load');
    await expect(page.getByRole('heading', { level: 1 }).textContent().then((h) => h?.trim())).resolves.toBe(heading);
    const result = await axe(page);
    // axe really looked at the page (an empty run would report no violations too).
    expect(result.passes.length).toBeGreaterThan(5);
    for (const v of result.violations) {
      violations.push(`${name} (${new URL(page.url()).pathname}): ${v.id} – ${v.help} – ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    }
    await page.screenshot({ path: `${OUTPUT}/${name}.png`, fullPage: true });
  };

  /** Plays the citizen in the eID client: test card, PIN, "Identifizieren". */
  const identify = async (page: Page, card: string, pin = '123456') => {
    await page.getByRole('radio', { name: card, exact: true }).check();
    await page.getByLabel('PIN (Test-PIN: 123456)').fill(pin);
    await page.getByRole('button', { name: 'Identifizieren' }).click();
  };

  it('EID-01 EID-02 EID-03 PROF-02 registers straight as Servicekonto Plus with the eID and shows the Sperrfelder read-only', async () => {
    const violations: string[] = [];
    const { context, page } = await newPage();
    await page.goto(`${t.url}/registrieren/servicekonto-plus`);
    await audit(page, '50-plus-registrieren', 'Registrierung mit Servicekonto Plus', violations);

    await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(erika.email);
    await page.getByLabel('Passwort', { exact: true }).fill(erika.password);
    await page.getByLabel('Passwort wiederholen').fill(erika.password);
    await page.getByRole('button', { name: 'Weiter zur Online-Ausweisfunktion' }).click();

    // The eID client: on its own origin, like the AusweisApp on 127.0.0.1:24727.
    await page.waitForURL(CLIENT_PAGE);
    expect(new URL(page.url()).origin).not.toBe(t.url);
    await expect(page.locator('body').textContent()).resolves.toContain('Servicekonto Plus: Identität bestätigen');
    // EID-02: REQUIRED fields are shown checked and cannot be deselected.
    for (const field of ['Vornamen', 'Familienname', 'Geburtsdatum', 'Geburtsort', 'Anschrift']) {
      const box = page.getByRole('checkbox', { name: `${field} (Pflichtangabe)` });
      await expect(box.isChecked()).resolves.toBe(true);
      await expect(box.isDisabled()).resolves.toBe(true);
    }
    // EID-03: the pseudonym is the citizen's choice (it enables the eID sign-in later).
    const pseudonym = page.getByRole('checkbox', { name: /^Pseudonym .*\(freiwillig\)$/ });
    await expect(pseudonym.isEnabled()).resolves.toBe(true);
    await pseudonym.uncheck();
    await expect(pseudonym.isChecked()).resolves.toBe(false);
    await pseudonym.check();
    await audit(page, '51-eid-client', CLIENT_HEADING, violations);
    await identify(page, 'Erika Mustermann (Personalausweis)');

    // Back at the provider: the overview with the card's data.
    await page.waitForURL(/\/registrieren\/servicekonto-plus\/zurueck/);
    const identity = main(page).getByRole('region', { name: 'Daten aus Ihrem Ausweis' });
    await expect(identity.textContent()).resolves.toContain('MUSTERMANN');
    await expect(identity.textContent()).resolves.toContain('KÖLN');
    await expect(identity.textContent()).resolves.toContain('Die Anmeldung mit der Online-Ausweisfunktion ist eingerichtet.');
    await audit(page, '52-plus-uebersicht', 'Übersicht Ihrer Eingaben', violations);

    await page.getByLabel('Ja, ich erteile die Einwilligung zur Datenverarbeitung.').check();
    await page.getByRole('button', { name: 'Servicekonto anlegen' }).click();
    await page.waitForURL(/\/registrieren\/fertig$/);
    await audit(page, '53-plus-fertig', 'Fast geschafft', violations);

    const mail = await t.mail.waitFor(erika.email, /Aktivieren/);
    await page.goto(mail.links.find((l) => l.includes('/aktivieren?token='))!);
    await audit(page, '54-plus-aktiviert', 'Ihr Servicekonto ist aktiviert', violations);

    await main(page).getByRole('link', { name: 'Anmelden' }).click();
    await page.waitForURL(/\/interaction\//);
    await page.getByLabel('E-Mail-Adresse').fill(erika.email);
    await page.getByLabel('Passwort', { exact: true }).fill(erika.password);
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await page.waitForURL(/\/konto$/);
    await expect(main(page).textContent()).resolves.toContain('Willkommen, Erika Mustermann.');
    const profileTile = main(page).getByRole('region', { name: 'Mein Profil' });
    await expect(profileTile.getByRole('definition').nth(2).textContent()).resolves.toBe('Servicekonto Plus');
    await expect(profileTile.getByRole('definition').nth(3).textContent()).resolves.toBe('substanziell (Servicekonto Plus)');
    await audit(page, '55-plus-mein-bereich', 'Mein Bereich', violations);

    // PROF-02: the eID data are shown as Sperrfelder, with no way to edit them.
    await page.getByRole('navigation', { name: 'Mein Bereich' }).getByRole('link', { name: 'Mein Profil' }).click();
    await page.waitForURL(/\/konto\/profil$/);
    const locked = main(page).getByRole('region', { name: 'Sperrfelder' });
    const lockedText = (await locked.textContent()) ?? '';
    for (const value of ['ERIKA', 'MUSTERMANN', 'GABLER', '12.08.1964', 'HEIDESTRASSE 17, 51147 KÖLN']) expect(lockedText).toContain(value);
    await expect(locked.locator('input, select, textarea, button, [contenteditable]').count()).resolves.toBe(0);
    await expect(main(page).getByRole('textbox', { name: /Vorname|Familienname|Geburt|Anschrift/ }).count()).resolves.toBe(0);
    await audit(page, '56-plus-mein-profil', 'Mein Profil', violations);

    await locked.getByRole('link', { name: 'Ausweisdaten verwalten' }).click();
    await page.waitForURL(/\/konto\/ausweis$/);
    await expect(main(page).textContent()).resolves.toContain('Die Anmeldung mit der Online-Ausweisfunktion ist eingerichtet.');
    await expect(main(page).getByRole('button', { name: 'Daten mit Ausweis synchronisieren' }).isVisible()).resolves.toBe(true);
    await expect(main(page).getByRole('button', { name: 'Online-Ausweisfunktion deaktivieren' }).isVisible()).resolves.toBe(true);
    await audit(page, '57-ausweisdaten-verwalten', 'Ausweisdaten verwalten', violations);

    const stored = (await t.app.services.accounts.findByEmail(erika.email))!;
    expect(stored.kind).toBe('citizen_plus');
    expect(stored.eidPseudonym).toMatch(/^[0-9a-f]{64}$/);
    await context.close();
    expect(violations).toEqual([]);
  }, SLOW);

  it('EID-07 LOA-01 EID-03 signs in with the eID from an online service\'s login page and arrives with acr hoch', async () => {
    const violations: string[] = [];
    const { context, page } = await newPage();
    const flow = await authorizationUrl(rp);
    await page.goto(flow.url.href);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Anmelden');
    await page.getByRole('button', { name: 'Mit Online-Ausweisfunktion anmelden' }).click();

    await page.waitForURL(CLIENT_PAGE);
    await expect(page.locator('body').textContent()).resolves.toContain('Anmeldung am Servicekonto');
    // EID-03: in the eID sign-in the pseudonym is the one REQUIRED field, and nothing else is read.
    const pseudonym = page.getByRole('checkbox', { name: /^Pseudonym .*\(Pflichtangabe\)$/ });
    await expect(pseudonym.isChecked()).resolves.toBe(true);
    await expect(pseudonym.isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('group', { name: 'Angefragte Daten' }).getByRole('checkbox').count()).resolves.toBe(1);
    await audit(page, '58-eid-anmelden-client', CLIENT_HEADING, violations);
    await identify(page, 'Erika Mustermann (Personalausweis)');

    // First visit at this service: the consent page, then the service's callback.
    await page.waitForURL((url) => url.pathname.startsWith('/interaction/') || url.pathname === '/healthz');
    if (new URL(page.url()).pathname !== '/healthz') {
      await page.getByRole('button', { name: /Zustimmen/ }).click();
      await page.waitForURL(/\/healthz\?/);
    }
    const claims = (await redeem(rp, flow, page.url())).claims()!;
    expect(claims.acr).toBe(HIGH);
    expect(claims.amr).toEqual(['hwk']);
    await context.close();
    expect(violations).toEqual([]);
  }, SLOW);

  it('EID-07 cancelling in the eID client leads to a clear page at the provider and signs nobody in', async () => {
    const violations: string[] = [];
    const { context, page } = await newPage();
    const flow = await authorizationUrl(rp);
    await page.goto(flow.url.href);
    await page.getByRole('button', { name: 'Mit Online-Ausweisfunktion anmelden' }).click();
    await page.waitForURL(CLIENT_PAGE);
    // "Abbrechen" needs no PIN (formnovalidate).
    await page.getByRole('button', { name: 'Abbrechen' }).click();
    await page.waitForURL(/\/interaction\/[^/]+\/eid\/zurueck/);
    await expect(main(page).textContent()).resolves.toContain('Sie haben den Vorgang abgebrochen. Es wurden keine Daten übernommen.');
    await audit(page, '59-eid-abgebrochen', 'Die Online-Ausweisfunktion konnte nicht verwendet werden', violations);
    // "Weiter" leads back to the login page of the same sign-in.
    await main(page).getByRole('link', { name: 'Weiter' }).click();
    await page.waitForURL(/\/interaction\/[^/]+$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Anmelden');
    await context.close();
    expect(violations).toEqual([]);
  }, SLOW);

  /**
   * Submits a form whose answer is the 303 to the eID client and reports where the browser ended
   * up, with any CSP violation Chromium logged (it applies form-action to the redirect as well).
   */
  const handOver = async (page: Page, submit: () => Promise<void>): Promise<{ reached: boolean; csp: string[] }> => {
    const csp: string[] = [];
    const listener = (m: ConsoleMessage) => {
      if (m.text().includes('Content Security Policy')) csp.push(m.text().trim());
    };
    page.on('console', listener);
    await submit();
    const reached = await page.waitForURL(CLIENT_PAGE, { timeout: 5_000 }).then(() => true, () => false);
    page.off('console', listener);
    return { reached, csp };
  };

  it('EID-01 EID-07 with the CSP enforced, the eID buttons still hand the browser over to the eID client', async () => {
    const { context, page } = await newPage(false);
    await page.goto(`${t.url}/registrieren/servicekonto-plus`);
    await page.getByLabel('E-Mail-Adresse', { exact: true }).fill('csp@example.org');
    await page.getByLabel('Passwort', { exact: true }).fill(erika.password);
    await page.getByLabel('Passwort wiederholen').fill(erika.password);
    const registration = await handOver(page, () => page.getByRole('button', { name: 'Weiter zur Online-Ausweisfunktion' }).click());

    await page.goto((await authorizationUrl(rp)).url.href);
    const signIn = await handOver(page, () => page.getByRole('button', { name: 'Mit Online-Ausweisfunktion anmelden' }).click());
    await context.close();
    expect({ registration, signIn }).toEqual({ registration: { reached: true, csp: [] }, signIn: { reached: true, csp: [] } });
  }, SLOW);
});
