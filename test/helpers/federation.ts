import type { AppOptions } from '../../src/app.ts';
import type { FederationMemberSpec } from '../../src/federation/federation-member.service.ts';
import { expect } from '@jest/globals';
import { Citizen, csrfToken, formAction, type Page } from './citizen.ts';
import { startTestApp, type TestApp } from './test-app.ts';

/** Two Länder on loopback, each a federation member at the other (FED-05, FED-06). */
export interface Federation {
  /** The visited Land: its online services accept accounts of the home Land. */
  st: TestApp;
  /** The home Land: the citizen's account lives here. */
  ni: TestApp;
  close(): Promise<void>;
}

const SECRET = (code: string) => `partner-secret-of-${code.toLowerCase()}-0123456789abcdef`;

/**
 * Registers `visited` as a partner client at `home` and `home` as a federation member at
 * `visited`. `member` overrides the member's declaration (max level, acr map, claims).
 */
export async function join(visited: TestApp, visitedCode: string, home: TestApp, homeCode: string, homeName: string, member: Partial<FederationMemberSpec> = {}): Promise<void> {
  const clientId = `portal-${visitedCode.toLowerCase()}`;
  await home.app.services.onlineServices.register({
    clientId, displayName: `Serviceportal ${visitedCode}`, authority: `Land ${visitedCode}`, contact: 'servicekonto@land.example',
    redirectUris: [`${visited.url}/federation/callback`], federationPartner: true,
    scopes: ['openid', 'profile', 'email', 'account_type', 'address', 'birthdate'],
  }, { secret: SECRET(visitedCode) });
  await visited.app.services.federationMembers.register({
    code: homeCode, displayName: homeName, issuer: home.url, clientId, clientSecret: SECRET(visitedCode), ...member,
  });
}

/** Sachsen-Anhalt (visited) and Niedersachsen (home), members of each other. */
export async function startFederation(label: string, options: { st?: Pick<AppOptions, 'federation'>; member?: Partial<FederationMemberSpec> } = {}): Promise<Federation> {
  const st = await startTestApp(`${label}-st`, {}, options.st ?? {});
  const ni = await startTestApp(`${label}-ni`, {}, { host: '127.0.0.2' });
  await join(st, 'ST', ni, 'NI', 'Niedersachsen', options.member);
  await join(ni, 'NI', st, 'ST', 'Sachsen-Anhalt');
  return { st, ni, close: async () => { await st.close(); await ni.close(); } };
}

/** A browser that follows redirects across both Länder (and any further home Länder). */
export const federatedCitizen = (f: Federation, ...homes: string[]): Citizen => new Citizen(f.st.url, [f.ni.url, ...homes]);

/**
 * From the visited Land's sign-in page through "Mit anderem Servicekonto", the Land choice and
 * the home Land's sign-in (and its consent page for the partner portal) back to the visited
 * Land. Returns the page the citizen lands on there (consent, or a failure page).
 */
export async function signInAtHome(citizen: Citizen, login: Page, land: string, credentials: { email: string; password: string }, tamper?: (url: URL) => void): Promise<Page> {
  const authorize = await handOver(citizen, login, land);
  tamper?.(authorize);
  const page = await answerAtHome(citizen, authorize, credentials);
  return page.location ? citizen.visit(page.location) : page;
}

/** "Mit anderem Servicekonto", the Land and "Anmelden": the authorization URL at the home Land, not yet visited. */
export async function handOver(citizen: Citizen, login: Page, land: string): Promise<URL> {
  const choice = await citizen.visit(federationLink(login));
  const page = await citizen.request(formAction(choice, '/federation'), { form: { _csrf: csrfToken(choice), land } });
  if (!page.location) throw new Error(`Land choice did not redirect: ${page.status}\n${page.body.slice(0, 400)}`);
  return new URL(page.location);
}

/**
 * The citizen's part at the home Land: sign in and press `consent` ('/confirm' or '/abort') on
 * its consent page for the partner portal, when it asks. Redirects are followed only on the
 * home Land, so the returned page's `location` is the way back (not yet visited) — unless the
 * home Land stopped with a page of its own.
 */
export async function answerAtHome(citizen: Citizen, authorize: URL, credentials: { email: string; password: string }, consent: '/confirm' | '/abort' = '/confirm'): Promise<Page> {
  const home = authorize.origin;
  let page = await stayOn(citizen, home, await citizen.request(authorize.href));
  if (page.body.includes('/login"')) page = await stayOn(citizen, home, await post(citizen, page, '/login', credentials));
  if (!page.location && page.status === 200 && page.body.includes('/confirm"')) page = await stayOn(citizen, home, await post(citizen, page, consent));
  return page;
}

/** Like answerAtHome, but insists on a way back and returns it: the callback URL at the visited Land. */
export async function callbackFromHome(citizen: Citizen, authorize: URL, credentials: { email: string; password: string }, consent: '/confirm' | '/abort' = '/confirm'): Promise<URL> {
  const page = await answerAtHome(citizen, authorize, credentials, consent);
  if (!page.location) throw new Error(`the home Land did not send the citizen back: ${page.status} ${page.url}\n${page.body.slice(0, 400)}`);
  return new URL(page.location);
}

async function post(citizen: Citizen, page: Page, suffix: string, form: Record<string, string> = {}): Promise<Page> {
  return citizen.request(new URL(formAction(page, suffix), page.url).href, { form: { _csrf: csrfToken(page), ...form } });
}

async function stayOn(citizen: Citizen, origin: string, page: Page): Promise<Page> {
  for (let hops = 0; page.location && new URL(page.location).origin === origin && hops < 10; hops++) page = await citizen.request(page.location);
  return page;
}

export function federationLink(login: Page): string {
  const match = /href="(\/interaction\/[^"]+\/federation)"/.exec(login.body);
  if (!match) throw new Error(`no "Mit anderem Servicekonto" on ${login.url}`);
  return match[1]!;
}

let accounts = 0;

/** A fresh account at the home Land per test: the home Land remembers its citizens' consents. */
export async function homeAccount(home: TestApp, kind: 'citizen' | 'citizen_plus' = 'citizen'): Promise<{ email: string; password: string }> {
  const credentials = { email: `buerger-${++accounts}-${kind}@heimatland.example`, password: 'Heim-1234!' };
  await home.app.services.accounts.createAccount({ ...credentials, displayName: `Bürger ${accounts}`, givenName: 'Bürger', familyName: String(accounts), kind });
  return credentials;
}

/** The German page's main heading. */
export const heading = (page: Page): string | undefined => /<h1[^>]*>([^<]*)<\/h1>/.exec(page.body)?.[1]?.trim();

/** The newest federated sign-in event of the visited Land. */
export async function lastSignInEvent(app: TestApp): Promise<{ result: string; client_id: string | null; details: Record<string, unknown> }> {
  const rows = await app.app.dataSource.query(`SELECT result, client_id, details FROM audit_event WHERE type = 'federation.sign_in' ORDER BY id DESC LIMIT 1`);
  return rows[0];
}

/** Links to citizens of other Länder held by the visited Land (of one member, when given). */
export async function storedLinks(app: TestApp, memberCode?: string): Promise<number> {
  const rows = memberCode
    ? await app.app.dataSource.query('SELECT count(*)::int AS n FROM federated_identity WHERE member_code = $1', [memberCode])
    : await app.app.dataSource.query('SELECT count(*)::int AS n FROM federated_identity');
  return rows[0].n;
}

/**
 * A refused federated sign-in: the German failure page, nothing stored, and as the newest event
 * a failure with the reason. `member` narrows "nothing stored" to that Land's links.
 */
export async function expectRefused(app: TestApp, page: Page, expected: { status: number; heading: string; reason: string; member?: string; details?: Record<string, unknown> }): Promise<void> {
  expect({ status: page.status, heading: heading(page) }).toEqual({ status: expected.status, heading: expected.heading });
  expect(page.url.startsWith(app.url)).toBe(true);
  expect(await storedLinks(app, expected.member)).toBe(0);
  const event = await lastSignInEvent(app);
  expect(event).toMatchObject({ result: 'failure', details: { reason: expected.reason, ...expected.details } });
  // Every failure event names the online service the citizen came from.
  expect(event.client_id).toEqual(expect.any(String));
}

/** The hidden fields of the page's form whose action ends with `suffix`, as a browser sends them. */
function hiddenInputs(page: Page, suffix: string): Record<string, string> {
  const form = [...page.body.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].find((m) => m[1]!.endsWith(suffix))?.[2] ?? '';
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
}

/**
 * "Anmeldung abbrechen" on a failure page, sent as the browser sends that form: the online
 * service gets `error` and no code, with its own state.
 */
export async function expectAbortReaches(citizen: Citizen, page: Page, service: { redirectUri: string }, flow: { state: string }, error = 'access_denied'): Promise<void> {
  const back = await citizen.submit(page, formAction(page, '/abort'), hiddenInputs(page, '/abort'));
  expect(back.location).toBeDefined();
  const callback = new URL(back.location!);
  expect(`${callback.origin}${callback.pathname}`).toBe(service.redirectUri);
  expect(Object.fromEntries(callback.searchParams)).toMatchObject({ error, state: flow.state });
  expect(callback.searchParams.has('code')).toBe(false);
}
