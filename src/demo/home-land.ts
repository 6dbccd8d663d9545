import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../app.ts';

export const DEMO_LAND = { code: 'NI', name: 'Niedersachsen (Demo)' };
export const DEMO_LAND_ACCOUNT = { email: 'max.mustermann@niedersachsen.example', password: 'Demo1234!', displayName: 'Max Mustermann' };
const PARTNER_CLIENT_ID = 'demo-partnerportal';

/**
 * DEMO_FEDERATION: a second provider playing a citizen's home Land, so "Mit anderem
 * Servicekonto" can be tried locally. It runs as a child process (the embedded database is one
 * per process) on 127.0.0.1 while the main provider is reached as localhost: two hosts, so the
 * two providers' cookies stay apart. Both sides derive the partner secret from ours.
 */
export async function startDemoHomeLand(main: App): Promise<{ url: string; close(): Promise<void> }> {
  if (main.config.production) throw new Error('the demo Land is refused when NODE_ENV=production');
  const port = main.config.demo.landPort;
  const url = `http://127.0.0.1:${port}`;
  const secret = createHmac('sha256', main.config.keyEncryptionSecret).update('demo-partner-secret').digest('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port), HOST: '127.0.0.1', ISSUER: url, DEMO: 'false', DEMO_FEDERATION: 'false',
    DEMO_PARTNER_OF: main.config.issuer, DEMO_PARTNER_SECRET: secret,
    DATA_DIR: join(main.config.dataDir, 'demo-land'), DATABASE_SCHEMA: 'demo_land', REDIS_PREFIX: `${main.config.redis?.prefix ?? 'sk:'}demo-land:`,
  };
  // The demo Land has its own secrets and no signed member list of its own.
  for (const key of ['COOKIE_KEYS', 'KEY_ENCRYPTION_SECRET', 'FEDERATION_LIST_URL', 'FEDERATION_LIST_KEY', 'SMTP_URL']) delete env[key];
  const child = spawn(process.execPath, [fileURLToPath(new URL('../main.ts', import.meta.url))], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await main.services.federationMembers.register({
    code: DEMO_LAND.code, displayName: DEMO_LAND.name, issuer: url, clientId: PARTNER_CLIENT_ID, clientSecret: secret,
  });
  return { url, close: () => stop(child) };
}

/** In the child: the demo account and the main provider as a partner portal (FED-06). */
export async function seedDemoPartner(land: App, partner: { of: string; secret: string }): Promise<void> {
  if (!(await land.services.accounts.findByEmail(DEMO_LAND_ACCOUNT.email))) {
    await land.services.accounts.createAccount({ ...DEMO_LAND_ACCOUNT, givenName: 'Max', familyName: 'Mustermann' });
  }
  await land.services.onlineServices.register({
    clientId: PARTNER_CLIENT_ID, displayName: 'Demo-Serviceportal', authority: 'Demo-Land', contact: 'demo@land.example',
    redirectUris: [`${partner.of}/federation/callback`], federationPartner: true,
    scopes: ['openid', 'profile', 'email', 'account_type'],
  }, { secret: partner.secret });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
