import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Citizen, formAction } from '../helpers/citizen.ts';
import { federationLink } from '../helpers/federation.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `npm start` as the README describes it, with DEMO_FEDERATION: the real entry point on the
 * embedded database, the demo online service and the demo home Land in a child process.
 */
describe('the demo (npm start) with DEMO_FEDERATION', () => {
  let app: ChildProcess;
  let ports: { provider: number; rp: number; land: number };
  let banner = '';

  beforeAll(async () => {
    ports = { provider: await freePort(), rp: await freePort(), land: await freePort() };
    app = spawn(process.execPath, [join(ROOT, 'src/main.ts')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH, NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: mkdtempSync(join(tmpdir(), 'sk-demo-')),
        PORT: String(ports.provider), DEMO_RP_PORT: String(ports.rp), DEMO_LAND_PORT: String(ports.land), DEMO_FEDERATION: 'true',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      app.stdout!.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        if (banner.includes('Eingebettete Datenbank')) resolve();
      });
      app.once('exit', (code) => reject(new Error(`npm start ended with ${code}: ${banner}`)));
    });
    // The demo Land starts in its own process; wait until it answers.
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`http://127.0.0.1:${ports.land}/healthz`).catch(() => null))?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 60_000);
  afterAll(async () => {
    if (app.exitCode === null) {
      const ended = new Promise((resolve) => app.once('exit', resolve));
      app.kill('SIGTERM');
      await ended;
    }
  });

  it('FED-01 FED-02 the banner names the demo Land, and its account signs in to the demo service through "Mit anderem Servicekonto"', async () => {
    expect(banner).toContain(`Demo-Land „Niedersachsen (Demo)“: http://127.0.0.1:${ports.land}`);
    const provider = `http://localhost:${ports.provider}`;
    const citizen = new Citizen(`http://localhost:${ports.rp}`, [provider, `http://127.0.0.1:${ports.land}`]);
    const login = await citizen.visit('/login');
    expect(login.url.startsWith(`${provider}/interaction/`)).toBe(true);
    const choice = await citizen.visit(new URL(federationLink(login), provider).href);
    const homeLogin = await citizen.submit(choice, formAction(choice, '/federation'), { land: 'NI' });
    expect(homeLogin.url.startsWith(`http://127.0.0.1:${ports.land}/interaction/`)).toBe(true);
    const homeConsent = await citizen.submit(homeLogin, formAction(homeLogin, '/login'), { email: 'max.mustermann@niedersachsen.example', password: 'Demo1234!' });
    const consent = await citizen.submit(homeConsent, formAction(homeConsent, '/confirm'));
    expect(consent.body).toContain('Niedersachsen (Demo)');
    const done = await citizen.submit(consent, formAction(consent, '/confirm'));
    // The demo service redeemed the code and shows what it received.
    expect(done.body).toContain('http://eidas.europa.eu/LoA/low');
    expect(done.body).toContain('max.mustermann@niedersachsen.example');
  });
});
