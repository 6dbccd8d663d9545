import { Redis } from 'ioredis';
import type Koa from 'koa';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/index.ts';
import { createProviderPages } from '../interactions/provider-pages.ts';
import { Renderer } from '../interactions/render.ts';
import { OnlineServiceRepository } from './catalog/online-service.repository.ts';
import { ensurePortalClient } from './catalog/portal-client.ts';
import { systemClock, type Clock } from './clock.ts';
import { openDatabase } from './db/data-source.ts';
import type { ReadinessProbe } from './http/health.ts';
import { loadMessages } from './http/i18n.ts';
import { BullmqQueue } from './jobs/bullmq-queue.ts';
import { InProcessQueue } from './jobs/in-process-queue.ts';
import type { JobHandlers, JobQueue } from './jobs/jobs.ts';
import type { KvStore } from './kv/kv-store.ts';
import { DbKvStore } from './kv/kv.repository.ts';
import { RedisKvStore } from './kv/redis-kv-store.ts';
import type { MailSink } from './mail/mail-sink.ts';
import { Mailer } from './mail/mailer.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { Metrics } from './observability/metrics.ts';
import { createPostgresAdapter } from './oidc/adapters/postgres.ts';
import { OidcPayloadRepository } from './oidc/adapters/oidc-payload.repository.ts';
import { createRedisAdapter } from './oidc/adapters/redis.ts';
import { ClientMetadataCache, createClientAdapter } from './oidc/client-adapter.ts';
import { createFindAccount } from './oidc/find-account.ts';
import { KeyService } from './oidc/keys.ts';
import { createLoadExistingGrant } from './oidc/load-existing-grant.ts';
import { createPairwiseIdentifier } from './oidc/pairwise.ts';
import { createOidc, type Oidc } from './oidc/provider.ts';
import { ProviderSessionControl } from './oidc/session-control.ts';
import { SigningKeyRepository } from './oidc/signing-key.repository.ts';
import { buildServices, type FederationOptions, type Infrastructure, type Services } from './services.ts';
import { AcrMap } from './trust/levels.ts';
import { buildWeb, root } from './web.ts';
import { AccountRepository } from './accounts/account.repository.ts';
import { openEid } from './eid/open-eid.ts';
import { PlusService } from './eid/plus.service.ts';
import { MemberListSync } from './federation/member-list.ts';

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use an already open DataSource (tests hand in their throwaway schema). */
  dataSource?: DataSource;
  /** Run the job worker in this process (default); `npm run worker` runs it separately. */
  runWorker?: boolean;
  federation?: FederationOptions;
}

export interface App {
  koa: Koa;
  config: Config;
  clock: Clock;
  dataSource: DataSource;
  redis?: Redis;
  oidc: Oidc;
  services: Services & { keys: KeyService; plus: PlusService };
  jobs: JobQueue;
  metrics: Metrics;
  /** The built-in development mailbox when no SMTP_URL is configured (never in production). */
  devMailSink?: MailSink;
  close(): Promise<void>;
}

/** The composition root: Config → DataSource → repositories → services → Provider → Koa. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new Metrics();
  const dataSource = options.dataSource ?? await openDatabase({ url: config.database.url, schema: config.database.schema, dataDir: config.dataDir });
  const redis = config.redis ? new Redis(config.redis.url, { maxRetriesPerRequest: 3, enableAutoPipelining: true }) : undefined;
  const kv: KvStore = redis ? new RedisKvStore(redis, config.redis!.prefix) : new DbKvStore(dataSource, clock);
  const { mailer, devMailSink } = await openMail(config);
  const infra: Infrastructure = { config, clock, logger, metrics, dataSource, redis, kv, mailer };

  // Services need to revoke grants through the provider, which itself needs the services.
  const late: { oidc?: Oidc } = {};
  const sessionControl = new ProviderSessionControl(() => late.oidc!.provider, kv, clock, config.ttl.sessionMax);
  const acr = new AcrMap(config.acr);
  const clientCache = new ClientMetadataCache(new OnlineServiceRepository(dataSource), (level) => acr.acr(level));
  const services = buildServices(infra, sessionControl, (clientId) => clientCache.invalidate(clientId), options.federation);
  // FED-05: the signed federation list, when configured: once at start-up, then daily (job).
  const sync = config.federationList
    ? new MemberListSync({ ...config.federationList, members: services.federationMembers, kv, clock, logger, metrics })
    : undefined;
  const opened = await openEid(config, kv);
  const plus = new PlusService({
    eid: opened.eid, kv, accounts: new AccountRepository(dataSource), sessions: sessionControl, audit: services.audit, clock, issuer: config.issuer,
  });
  const keys = new KeyService(new SigningKeyRepository(dataSource), clock, config.keyEncryptionSecret, config.ttl.idToken + config.ttl.accessToken);
  await keys.ensureKeys();
  await ensurePortalClient(services.onlineServices, config.issuer, config.contactEmail);

  const renderer = new Renderer(root('interactions/views'), loadMessages(root('interactions/locales')));
  const tokenAdapter = redis ? createRedisAdapter(redis, config.redis!.prefix) : createPostgresAdapter(new OidcPayloadRepository(dataSource));
  const ClientAdapter = createClientAdapter(clientCache);
  const oidc = createOidc({
    config, acr, clock, consents: services.consentRepo, audit: services.audit, metrics, logger,
    adapter: class {
      constructor(name: string) {
        return name === 'Client' ? new ClientAdapter(name) : new tokenAdapter(name);
      }
    } as typeof tokenAdapter,
    jwks: await keys.jwks(),
    findAccount: createFindAccount(services.accounts, services.federation),
    federated: services.federation,
    loadExistingGrant: createLoadExistingGrant(services.consentRepo),
    pairwise: createPairwiseIdentifier(config.keyEncryptionSecret),
    pages: createProviderPages(renderer),
  });
  late.oidc = oidc;

  const handlers: JobHandlers = {
    'mail.send': ({ outboxId }) => services.mail.send(outboxId),
    'mail.sweep': () => services.mail.sweep(),
    'registrations.purge': async () => {
      await services.registration.purgeExpired();
    },
    'password.reset_request': ({ email, ip }) => services.selfService.requestPasswordReset(email, ip),
    'federation.list_refresh': async () => {
      await sync?.refresh();
    },
    'federation.audit_purge': async () => {
      await services.audit.purgeFederationEvents();
    },
    'kv.sweep': async () => {
      await kv.sweep();
    },
  };
  const jobs: JobQueue = redis
    ? new BullmqQueue({ url: config.redis!.url, prefix: config.redis!.prefix, handlers, logger, runWorker: options.runWorker ?? true })
    : new InProcessQueue(handlers, logger);
  services.mail.attach(jobs);
  await jobs.start();
  // Not awaited: an unreachable federation must not hold up start-up; refresh() never rejects.
  const initialSync = sync?.refresh();

  const probes: ReadinessProbe[] = [{ name: 'database', check: () => dataSource.query('SELECT 1') }];
  if (redis) probes.push({ name: 'redis', check: () => redis.ping() });
  const koa = buildWeb(infra, { ...services, plus }, oidc, renderer, { probes, devSink: devMailSink, tcToken: (ref) => opened.eid.tcToken(ref), jobs, eidClientOrigin: opened.clientOrigin });

  return {
    koa, config, clock, dataSource, redis, oidc, metrics, jobs, devMailSink,
    services: { ...services, keys, plus },
    async close() {
      await initialSync;
      await jobs.close();
      await opened.close();
      mailer.close();
      await devMailSink?.close();
      redis?.disconnect();
      if (!options.dataSource) await dataSource.destroy();
    },
  };
}

/** SMTP_URL, or outside production a built-in SMTP sink whose mails /dev/mails lists. */
async function openMail(config: Config): Promise<{ mailer: Mailer; devMailSink?: MailSink }> {
  const templates = root('src/mail/templates');
  if (config.smtp.url) return { mailer: new Mailer(templates, config.smtp.url, config.smtp.from) };
  if (config.production) throw new Error('SMTP_URL is required in production');
  // Loaded only here: production never carries the SMTP server and parser in memory.
  const { MailSink } = await import('./mail/mail-sink.ts');
  const devMailSink = new MailSink();
  const url = await devMailSink.listen();
  return { mailer: new Mailer(templates, url, config.smtp.from), devMailSink };
}
