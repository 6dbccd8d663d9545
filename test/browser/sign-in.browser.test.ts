import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser } from 'playwright-core';
import { authorizationUrl, redeem, registerRelyingParty, type RelyingParty } from '../helpers/relying-party.ts';
import { axe, launchChromium, SCREENSHOTS } from '../helpers/browser.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const OUTPUT = SCREENSHOTS;


describe('the real sign-in page in Chromium', () => {
  let t: TestApp;
  let rp: RelyingParty;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp('browser');
    await t.app.services.accounts.createAccount({ email: 'erika@example.org', password: 'ABab1234', displayName: 'Erika Mustermann' });
    // The service's callback is on loopback so the browser's last redirect lands somewhere real.
    rp = await registerRelyingParty(t.app, t.url, { clientId: 'browser-dienst', redirectUris: [`${t.url}/healthz`] });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });


  it('LOGIN-01 OIDC-04 signs in through the login and consent pages and reaches the service with a code', async () => {
    const context = await browser.newContext({ locale: 'de-DE', bypassCSP: true });
    const page = await context.newPage();
    const flow = await authorizationUrl(rp);
    await page.goto(flow.url.href);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Anmelden');
    expect((await axe(page)).violations.map((v) => v.id)).toEqual([]);
    await page.screenshot({ path: `${OUTPUT}/01-anmelden.png`, fullPage: true });

    await page.getByLabel('E-Mail-Adresse').fill('erika@example.org');
    await page.getByLabel('Passwort', { exact: true }).fill('ABab1234');
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await page.waitForURL(/\/interaction\//);
    await expect(page.locator('body').textContent()).resolves.toContain('E-Mail-Adresse');
    expect((await axe(page)).violations.map((v) => v.id)).toEqual([]);
    await page.screenshot({ path: `${OUTPUT}/02-einwilligung.png`, fullPage: true });

    await page.getByRole('button', { name: /Zustimmen/ }).click();
    await page.waitForURL(/\/healthz\?/);
    const tokens = await redeem(rp, flow, page.url());
    expect(tokens.claims()!.acr).toBe('http://eidas.europa.eu/LoA/low');
    await context.close();
  });

  it('LOGIN-04 shows the single German error message next to the kept e-mail address', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto((await authorizationUrl(rp)).url.href);
    await page.getByLabel('E-Mail-Adresse').fill('erika@example.org');
    await page.getByLabel('Passwort', { exact: true }).fill('Falsch!!1');
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await expect(page.locator('body').textContent()).resolves.toContain('E-Mail-Adresse oder Passwort ist falsch');
    await expect(page.getByLabel('E-Mail-Adresse').inputValue()).resolves.toBe('erika@example.org');
    await page.screenshot({ path: `${OUTPUT}/03-anmelden-fehler.png`, fullPage: true });
    await context.close();
  });
});
