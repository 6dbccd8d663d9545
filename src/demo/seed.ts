import type { App } from '../app.ts';

export const DEMO_ACCOUNT = { email: 'erika.mustermann@example.org', password: 'Demo1234!', displayName: 'Erika Mustermann' };
export const DEMO_CLIENT_ID = 'demo-dienst';

/** Demo data for `npm start`: one online service (the demo RP) and one basic account. */
export async function seedDemo(app: App, rpUrl: string): Promise<{ clientId: string; clientSecret: string }> {
  if (app.config.production) throw new Error('demo data is refused when NODE_ENV=production');
  const { accounts, onlineServices } = app.services;
  if (!(await accounts.findByEmail(DEMO_ACCOUNT.email))) {
    await accounts.createAccount({ ...DEMO_ACCOUNT, givenName: 'Erika', familyName: 'Mustermann' });
  }
  // The demo secret is derived from the deployment's own secret so restarts keep working.
  const { secret } = await onlineServices.register({
    clientId: DEMO_CLIENT_ID,
    displayName: 'Demo-Online-Dienst',
    authority: 'Musterbehörde des Landes',
    contact: 'demo@behoerde.example',
    redirectUris: [`${rpUrl}/callback`],
    postLogoutRedirectUris: [`${rpUrl}/`],
    scopes: ['openid', 'profile', 'email'],
    minLevel: 'niedrig',
    // "Mit anderem Servicekonto" appears once a Land is in the federation list (DEMO_FEDERATION).
    federationAllowed: true,
  }, { rotateSecret: true });
  return { clientId: DEMO_CLIENT_ID, clientSecret: secret! };
}
