import type { AppOptions } from '../../src/app.ts';
import type { FederationMemberSpec } from '../../src/federation/federation-member.service.ts';
import { Citizen, formAction, type Page } from './citizen.ts';
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

/** A browser that follows redirects across both Länder. */
export const federatedCitizen = (f: Federation): Citizen => new Citizen(f.st.url, [f.ni.url]);

/**
 * From the visited Land's sign-in page through "Mit anderem Servicekonto", the Land choice and
 * the home Land's sign-in (and its consent page for the partner portal) back to the visited
 * Land. Returns the page the citizen lands on there (consent, or a failure page).
 */
export async function signInAtHome(citizen: Citizen, login: Page, land: string, credentials: { email: string; password: string }, tamper?: (url: URL) => void): Promise<Page> {
  const choice = await citizen.visit(federationLink(login));
  let page = await citizen.request(formAction(choice, '/federation'), { form: { _csrf: csrf(choice), land } });
  if (!page.location) throw new Error(`Land choice did not redirect: ${page.status}\n${page.body.slice(0, 400)}`);
  const authorize = new URL(page.location);
  tamper?.(authorize);
  page = await citizen.visit(authorize.href);
  if (page.body.includes('/login"')) page = await citizen.submit(page, formAction(page, '/login'), credentials);
  // The home Land asks its citizen once whether the partner portal may have the data.
  if (page.status === 200 && page.body.includes('/confirm"') && new URL(page.url).origin !== new URL(login.url).origin) {
    page = await citizen.submit(page, formAction(page, '/confirm'));
  }
  return page;
}

export function federationLink(login: Page): string {
  const match = /href="(\/interaction\/[^"]+\/federation)"/.exec(login.body);
  if (!match) throw new Error(`no "Mit anderem Servicekonto" on ${login.url}`);
  return match[1]!;
}

const csrf = (page: Page) => /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
