import * as client from 'openid-client';
import type { App } from '../../src/app.ts';
import type { OnlineServiceSpec } from '../../src/catalog/online-service.service.ts';
import type { Citizen, Page } from './citizen.ts';
import { formAction } from './citizen.ts';

export interface RelyingParty {
  clientId: string;
  redirectUri: string;
  config: client.Configuration;
}

/** Registers an online service and returns an openid-client configuration for it. */
export async function registerRelyingParty(app: App, issuer: string, spec: Partial<OnlineServiceSpec> & { clientId: string }): Promise<RelyingParty> {
  const redirectUri = spec.redirectUris?.[0] ?? `https://${spec.clientId}.dienste.example/callback`;
  const { secret } = await app.services.onlineServices.register({
    displayName: `Dienst ${spec.clientId}`, authority: 'Musterbehörde', contact: 'kontakt@behoerde.example',
    redirectUris: [redirectUri], postLogoutRedirectUris: [`https://${spec.clientId}.dienste.example/`],
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    ...spec,
  });
  const auth = secret ? client.ClientSecretBasic(secret) : client.None();
  const config = await client.discovery(new URL(issuer), spec.clientId, {}, auth, { execute: [client.allowInsecureRequests] });
  return { clientId: spec.clientId, redirectUri, config };
}

export interface StartedFlow {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorizationUrl(rp: RelyingParty, params: Record<string, string> = {}): Promise<StartedFlow> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(rp.config, {
    redirect_uri: rp.redirectUri, scope: 'openid profile email', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params,
  });
  return { url, verifier, state, nonce };
}

export function redeem(rp: RelyingParty, flow: StartedFlow, callback: string) {
  return client.authorizationCodeGrant(rp.config, new URL(callback), {
    pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce,
  });
}

/** Drives a citizen through sign-in (and consent when asked) to the service's callback URL. */
export async function signIn(citizen: Citizen, flow: StartedFlow, credentials: { email: string; password: string }): Promise<{ callback: string; consentShown: boolean; pages: Page[] }> {
  const pages: Page[] = [];
  let page = await citizen.visit(flow.url.href);
  pages.push(page);
  if (page.body.includes('/login"')) {
    page = await citizen.submit(page, formAction(page, '/login'), credentials);
    pages.push(page);
  }
  let consentShown = false;
  if (page.status === 200 && page.body.includes('/confirm"')) {
    consentShown = true;
    page = await citizen.submit(page, formAction(page, '/confirm'));
    pages.push(page);
  }
  if (!page.location) throw new Error(`sign-in did not reach the service: ${page.status} ${page.url}\n${page.body.slice(0, 500)}`);
  return { callback: page.location, consentShown, pages };
}
