import type { OnlineServiceService } from './online-service.service.ts';

/** The portal's own sign-in client ("Mein Bereich"): public, PKCE, first party, no consent. */
export const PORTAL_CLIENT_ID = 'servicekonto-portal';

export async function ensurePortalClient(onlineServices: OnlineServiceService, issuer: string, contact: string): Promise<void> {
  const redirect = `${issuer}/konto/callback`;
  const existing = await onlineServices.find(PORTAL_CLIENT_ID);
  if (existing?.redirectUris[0] === redirect && existing.firstParty) return;
  await onlineServices.register({
    clientId: PORTAL_CLIENT_ID, displayName: 'Servicekonto – Mein Bereich', authority: 'Servicekonto', contact,
    redirectUris: [redirect], postLogoutRedirectUris: [`${issuer}/`], public: true,
    grantTypes: ['authorization_code'], scopes: ['openid'], firstParty: true,
  });
}
