import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium, SCREENSHOTS, type AxeResult } from '../helpers/browser.ts';
import { startFederation, type Federation } from '../helpers/federation.ts';
import { authorizationUrl, redeem, registerRelyingParty, type RelyingParty } from '../helpers/relying-party.ts';

const OUTPUT = SCREENSHOTS;
const LOW = 'http://eidas.europa.eu/LoA/low';
const HEINZ = { email: 'heinz.browser@niedersachsen.example', password: 'ABab1234' };

/**
 * The online service itself: a page of its own on a third loopback host, so the consent form's
 * last redirect crosses origins and CSP form-action has to allow the service's origin.
 */
async function startService(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="de"><title>Online-Dienst</title><h1>Online-Dienst erreicht</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.3', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.3:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe under the pages' real CSP: injected through the DevTools protocol (page.evaluate), which
 * CSP does not govern. The shared helper first tries an inline <script>, which the CSP refuses
 * with a console error — exactly what this test watches for.
 */
async function axeUnderCsp(page: Page): Promise<AxeResult> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const runner = (globalThis as unknown as { axe: { run(o: object): Promise<AxeResult> } }).axe;
    return runner.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
}

async function expectAxeClean(page: Page): Promise<void> {
  const result = await axeUnderCsp(page);
  // axe really looked at the page (an empty run would report no violations too).
  expect(result.passes.length).toBeGreaterThan(10);
  expect(result.violations.map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
}

interface Watched {
  context: BrowserContext;
  page: Page;
  /** Console messages and securitypolicyviolation events about CSP, and uncaught page errors. */
  cspProblems: string[];
}

/** A German browser with the pages' CSP in force (no bypassCSP) that records every CSP complaint. */
async function watchedBrowser(browser: Browser): Promise<Watched> {
  const context = await browser.newContext({ locale: 'de-DE' });
  const cspProblems: string[] = [];
  await context.exposeBinding('reportCspViolation', (_source, text: string) => { cspProblems.push(text); });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (globalThis as unknown as { reportCspViolation(t: string): void })
        .reportCspViolation(`securitypolicyviolation on ${e.documentURI}: ${e.effectiveDirective} blocked ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspProblems.push(`console ${m.type()} on ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => cspProblems.push(`pageerror on ${page.url()}: ${e.message}`));
  return { context, page, cspProblems };
}

const main = (page: Page) => page.getByRole('main');
const h1 = async (page: Page) => ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();

describe('FED in Chromium: sign-in with the Servicekonto of another Land under the real CSP', () => {
  let f: Federation;
  let service: { url: string; close(): Promise<void> };
  let rp: RelyingParty;
  let browser: Browser;

  beforeAll(async () => {
    f = await startFederation('fedbrowser');
    service = await startService();
    await f.ni.app.services.accounts.createAccount({ ...HEINZ, displayName: 'Heinz Browser', givenName: 'Heinz', familyName: 'Browser' });
    rp = await registerRelyingParty(f.st.app, f.st.url, {
      clientId: 'hundesteuer-browser', displayName: 'Hundesteuer online', federationAllowed: true, redirectUris: [`${service.url}/callback`],
    });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await f?.close();
  });

  /** From the service's authorization URL through ST's login page to the Land choice. */
  const openLandChoice = async (page: Page, audit = false) => {
    const flow = await authorizationUrl(rp);
    await page.goto(flow.url.href);
    expect(await h1(page)).toBe('Anmelden');
    await expect(main(page).getByRole('heading', { name: 'Mit anderem Servicekonto', exact: true }).count()).resolves.toBe(1);
    if (audit) {
      await expectAxeClean(page);
      await page.screenshot({ path: `${OUTPUT}/fed-00-anmelden.png`, fullPage: true });
    }
    await main(page).getByRole('link', { name: 'Mit anderem Servicekonto anmelden', exact: true }).click();
    await page.waitForURL(/\/interaction\/[^/]+\/federation$/);
    expect(await h1(page)).toBe('Mit anderem Servicekonto anmelden');
    return flow;
  };

  /**
   * At the home Land: its login page. Afterwards NI asks once whether its partner portal ST may
   * have the data (its consent page) — or, when already agreed, hands straight back to ST.
   */
  const signInAtNi = async (page: Page, beforeSubmit?: () => Promise<void>): Promise<'ni-consent' | 'back'> => {
    await page.waitForURL((url) => url.origin === f.ni.url && /\/interaction\//.test(url.pathname));
    expect(await h1(page)).toBe('Anmelden');
    await page.getByLabel('E-Mail-Adresse').fill(HEINZ.email);
    await page.getByLabel('Passwort', { exact: true }).fill(HEINZ.password);
    await beforeSubmit?.();
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await page.waitForURL((url) => url.origin === f.st.url || (url.origin === f.ni.url && /\/interaction\/[^/]+$/.test(url.pathname)));
    if (new URL(page.url()).origin === f.st.url) return 'back';
    expect(await h1(page)).toBe('Einwilligung');
    await expect(main(page).textContent()).resolves.toContain('Serviceportal ST');
    return 'ni-consent';
  };

  /** NI's consent form post ends in a redirect to ST's /federation/callback (another origin). */
  const agreeAtNi = async (page: Page) => {
    await main(page).getByRole('button', { name: 'Zustimmen und fortfahren' }).click();
    await page.waitForURL((url) => url.origin === f.st.url);
  };

  it('FED-01 FED-02 LOA-04 walks from the Land choice via Niedersachsen back to the service, with axe clean and no CSP complaint', async () => {
    const { context, page, cspProblems } = await watchedBrowser(browser);
    const choiceResponse = page.waitForResponse((r) => r.request().method() === 'GET' && /\/federation$/.test(new URL(r.url()).pathname));
    const flow = await openLandChoice(page, true);
    // The strict CSP is in force; its form-action names NI (the only offered Land), no wildcard.
    const csp = (await (await choiceResponse).headerValue('content-security-policy')) ?? '';
    expect(csp).toContain("script-src 'self'");
    const formAction = csp.split(';').map((d) => d.trim().split(' ')).find(([name]) => name === 'form-action')!.slice(1);
    expect(formAction).toEqual(expect.arrayContaining(["'self'", f.ni.url]));
    expect(formAction).not.toContain(service.url);
    expect(formAction.some((source) => source.includes('*'))).toBe(false);

    await expectAxeClean(page);
    await page.screenshot({ path: `${OUTPUT}/fed-01-land-waehlen.png`, fullPage: true });

    // "Anmelden" without a Land: a German error at the radio group, still on the choice page.
    const choiceUrl = page.url();
    const refused = page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === choiceUrl);
    await main(page).getByRole('button', { name: 'Anmelden', exact: true }).click();
    expect((await refused).status()).toBe(400);
    await page.waitForLoadState('load');
    expect(page.url()).toBe(choiceUrl);
    expect(await h1(page)).toBe('Mit anderem Servicekonto anmelden');
    // Announced at the top of the reloaded page, and repeated at the radio group.
    await expect(main(page).getByRole('alert').textContent()).resolves.toContain('Bitte wählen Sie ein Bundesland aus.');
    const group = main(page).getByRole('group', { name: 'Bundesland Ihres Servicekontos' });
    const errorId = await group.getAttribute('aria-describedby');
    expect(errorId).toBeTruthy();
    await expect(page.locator(`#${errorId}`).textContent()).resolves.toContain('Bitte wählen Sie ein Bundesland aus.');
    await expect(group.locator(`#${errorId}`).isVisible()).resolves.toBe(true);
    await expectAxeClean(page);
    await page.screenshot({ path: `${OUTPUT}/fed-02-land-fehlt.png`, fullPage: true });

    // Niedersachsen → "Anmelden": the form post is answered with a redirect to 127.0.0.2.
    await page.getByLabel('Niedersachsen').check();
    await main(page).getByRole('button', { name: 'Anmelden', exact: true }).click();
    // The first federated sign-in of this citizen: NI asks about its partner portal.
    expect(await signInAtNi(page)).toBe('ni-consent');
    await page.screenshot({ path: `${OUTPUT}/fed-03-heimatland-einwilligung.png`, fullPage: true });
    await agreeAtNi(page);
    await page.waitForURL((url) => url.origin === f.st.url && /\/interaction\/[^/]+$/.test(url.pathname));
    expect(await h1(page)).toBe('Einwilligung');
    const consentText = (await main(page).textContent()) ?? '';
    expect(consentText).toContain('Servicekonto aus Niedersachsen');
    expect(consentText).toContain('Hundesteuer online');
    await expect(main(page).getByText(HEINZ.email, { exact: true }).isVisible()).resolves.toBe(true);
    await expectAxeClean(page);
    await page.screenshot({ path: `${OUTPUT}/fed-04-einwilligung.png`, fullPage: true });

    // Our consent form post ends in a redirect to the service on 127.0.0.3.
    await main(page).getByRole('button', { name: 'Zustimmen und fortfahren' }).click();
    await page.waitForURL((url) => url.origin === service.url && url.pathname === '/callback');
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Online-Dienst erreicht');
    const tokens = await redeem(rp, flow, page.url());
    expect(tokens.claims()!.acr).toBe(LOW);

    expect(cspProblems).toEqual([]);
    await context.close();
  }, 60_000);

  it('FED-05 shows the failure page when NI was switched off meanwhile, and "Anmeldung abbrechen" returns access_denied', async () => {
    const { context, page, cspProblems } = await watchedBrowser(browser);
    try {
      await openLandChoice(page);
      await page.getByLabel('Niedersachsen').check();
      await main(page).getByRole('button', { name: 'Anmelden', exact: true }).click();
      // While the citizen is at NI's login page, ST switches NI off.
      const atNi = await signInAtNi(page, async () => {
        expect(await f.st.app.services.federationMembers.setEnabled('NI', false)).toBe(true);
      });
      if (atNi === 'ni-consent') await agreeAtNi(page);
      await page.waitForURL((url) => url.origin === f.st.url && /\/federation\/return$/.test(url.pathname));
      expect(await h1(page)).toBe('Anmeldung mit Niedersachsen zurzeit nicht möglich');
      await expect(main(page).textContent()).resolves.toContain('Es wurden keine Daten übernommen.');
      await expectAxeClean(page);
      await page.screenshot({ path: `${OUTPUT}/fed-05-fehler.png`, fullPage: true });

      await main(page).getByRole('button', { name: 'Anmeldung abbrechen' }).click();
      await page.waitForURL((url) => url.origin === service.url && url.pathname === '/callback');
      const callback = new URL(page.url()).searchParams;
      expect(callback.get('error')).toBe('access_denied');
      expect(callback.get('code')).toBeNull();
      expect(cspProblems).toEqual([]);
    } finally {
      await f.st.app.services.federationMembers.setEnabled('NI', true);
      await context.close();
    }
  }, 60_000);

  it('FED a second federated sign-in in the same browser, for another service, gets through oidc-provider\'s account switch under the CSP', async () => {
    const { context, page, cspProblems } = await watchedBrowser(browser);
    const other = await registerRelyingParty(f.st.app, f.st.url, {
      clientId: 'kita-browser', displayName: 'Kita-Platz online', federationAllowed: true, redirectUris: [`${service.url}/callback`],
    });
    for (const [target, name] of [[rp, 'Hundesteuer online'], [other, 'Kita-Platz online']] as const) {
      const flow = await authorizationUrl(target);
      await page.goto(flow.url.href);
      await main(page).getByRole('link', { name: 'Mit anderem Servicekonto anmelden', exact: true }).click();
      await page.getByLabel('Niedersachsen').check();
      await main(page).getByRole('button', { name: 'Anmelden', exact: true }).click();
      await page.waitForURL((url) => url.origin === f.ni.url || url.origin === f.st.url);
      // The first time NI asks for the password (and maybe its consent); then its session answers.
      if (new URL(page.url()).origin === f.ni.url && (await h1(page)) === 'Anmelden' && (await signInAtNi(page)) === 'ni-consent') await agreeAtNi(page);
      // The second time oidc-provider first ends the previous federated session with its own
      // self-submitting form; our CSP must let its inline script run.
      await page.waitForURL((url) => url.origin === f.st.url && /\/interaction\/[^/]+$/.test(url.pathname));
      expect(await h1(page)).toBe('Einwilligung');
      await expect(main(page).textContent()).resolves.toContain(name);
      await main(page).getByRole('button', { name: 'Zustimmen und fortfahren' }).click();
      await page.waitForURL((url) => url.origin === service.url && url.pathname === '/callback');
      expect((await redeem(target, flow, page.url())).claims()!.acr).toBe(LOW);
    }
    expect(cspProblems).toEqual([]);
    await context.close();
  }, 60_000);

  it('control: without NI in form-action Chromium refuses the hand-over, so the checks above are not vacuous', async () => {
    const { context, page, cspProblems } = await watchedBrowser(browser);
    // Serve the choice page with NI's origin taken out of its form-action.
    await page.route((url) => url.origin === f.st.url && /\/interaction\/[^/]+\/federation$/.test(url.pathname), async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const response = await route.fetch();
      const headers = response.headers();
      headers['content-security-policy'] = headers['content-security-policy']!.replace(` ${f.ni.url}`, '');
      await route.fulfill({ response, headers });
    });
    await openLandChoice(page);
    await page.getByLabel('Niedersachsen').check();
    await main(page).getByRole('button', { name: 'Anmelden', exact: true }).click();
    for (let i = 0; i < 50 && !cspProblems.some((p) => p.includes('form-action')); i++) await page.waitForTimeout(100);
    expect(cspProblems.some((p) => p.includes('form-action'))).toBe(true);
    expect(new URL(page.url()).origin).not.toBe(f.ni.url);
    await context.close();
  }, 60_000);
});
