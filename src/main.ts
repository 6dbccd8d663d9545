import { loadConfig, ConfigError } from '../config/index.ts';
import { buildApp } from './app.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp(config);
  const server = app.koa.listen(config.port, config.host);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const closers: (() => Promise<void>)[] = [];
  const lines = [`Servicekonto läuft: ${config.issuer}`, `  Discovery: ${config.issuer}/.well-known/openid-configuration`];
  if (config.demo.enabled) {
    // Demo code (and openid-client) is loaded only when the demo runs, never in production.
    const { DEMO_ACCOUNT, seedDemo } = await import('./demo/seed.ts');
    const { startDemoRelyingParty } = await import('./demo/relying-party.ts');
    const rpUrl = `http://localhost:${config.demo.rpPort}`;
    const credentials = await seedDemo(app, rpUrl);
    await startDemoRelyingParty({ issuer: config.issuer, ...credentials, port: config.demo.rpPort, host: config.host });
    lines.push(`  Demo-Online-Dienst: ${rpUrl}`, `  Demo-Konto: ${DEMO_ACCOUNT.email} / ${DEMO_ACCOUNT.password}`);
    if (config.demo.federation) {
      const { DEMO_LAND, DEMO_LAND_ACCOUNT, startDemoHomeLand } = await import('./demo/home-land.ts');
      const land = await startDemoHomeLand(app);
      closers.push(land.close);
      lines.push(`  Demo-Land „${DEMO_LAND.name}“: ${land.url}`, `  Konto dort: ${DEMO_LAND_ACCOUNT.email} / ${DEMO_LAND_ACCOUNT.password} („Mit anderem Servicekonto“)`);
    }
  }
  if (config.demo.partner) {
    const { seedDemoPartner } = await import('./demo/home-land.ts');
    await seedDemoPartner(app, config.demo.partner);
  }
  if (!config.database.url) lines.push(`  Eingebettete Datenbank unter ${config.dataDir}/pglite`);
  process.stdout.write(`\n${lines.join('\n')}\n\n`);

  const shutdown = () => {
    server.close();
    void Promise.allSettled(closers.map((close) => close())).then(() => app.close()).finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
});
