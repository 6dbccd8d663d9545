import { fileURLToPath } from 'node:url';
import { bodyParser } from '@koa/bodyparser';
import { Redis } from 'ioredis';
import Koa from 'koa';
import mount from 'koa-mount';
import serve from 'koa-static';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/index.ts';
import { interactionRoutes } from '../interactions/interaction.routes.ts';
import { pageRoutes } from '../interactions/page.routes.ts';
import { createProviderPages } from '../interactions/provider-pages.ts';
import { Renderer } from '../interactions/render.ts';
import { AccountRepository } from './accounts/account.repository.ts';
import { AccountService } from './accounts/account.service.ts';
import { LoginThrottle } from './accounts/login-throttle.ts';
import { PasswordHasher } from './accounts/password-hasher.ts';
import { AuditRepository } from './audit/audit.repository.ts';
import { AuditService } from './audit/audit.service.ts';
import { OnlineServiceRepository } from './catalog/online-service.repository.ts';
import { OnlineServiceService } from './catalog/online-service.service.ts';
import { systemClock, type Clock } from './clock.ts';
import { ConsentRepository } from './consents/consent.repository.ts';
import { openDatabase } from './db/data-source.ts';
import { csrf } from './http/csrf.ts';
import { errorHandler } from './http/error-handler.ts';
import { healthRoutes, type ReadinessProbe } from './http/health.ts';
import { loadMessages, localeMiddleware } from './http/i18n.ts';
import { requestContext } from './http/request-context.ts';
import { securityHeaders } from './http/security-headers.ts';
import { sessionIdle } from './http/session-idle.ts';
import { withSessionCookiesOnly } from './http/session-cookies-only.ts';
import type { KvStore } from './kv/kv-store.ts';
import { DbKvStore } from './kv/kv.repository.ts';
import { RedisKvStore } from './kv/redis-kv-store.ts';
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
import { SigningKeyRepository } from './oidc/signing-key.repository.ts';
import { AcrMap } from './trust/levels.ts';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use an already open DataSource (tests hand in their throwaway schema). */
  dataSource?: DataSource;
}

export interface App {
  koa: Koa;
  config: Config;
  clock: Clock;
  dataSource: DataSource;
  redis?: Redis;
  oidc: Oidc;
  services: { accounts: AccountService; onlineServices: OnlineServiceService; audit: AuditService; keys: KeyService };
  metrics: Metrics;
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

  const audit = new AuditService(new AuditRepository(dataSource), clock, logger);
  const accountRepo = new AccountRepository(dataSource);
  const accounts = new AccountService({
    accounts: accountRepo, hasher: new PasswordHasher(config.argon2), throttle: new LoginThrottle(kv), audit, metrics,
  });
  const serviceRepo = new OnlineServiceRepository(dataSource);
  const acr = new AcrMap(config.acr);
  const clientCache = new ClientMetadataCache(serviceRepo, (level) => acr.acr(level));
  const onlineServices = new OnlineServiceService(serviceRepo, audit, (clientId) => clientCache.invalidate(clientId));
  const consents = new ConsentRepository(dataSource);
  const keys = new KeyService(new SigningKeyRepository(dataSource), clock, config.keyEncryptionSecret, config.ttl.idToken + config.ttl.accessToken);
  await keys.ensureKeys();

  const renderer = new Renderer(root('interactions/views'), loadMessages(root('interactions/locales')));
  const tokenAdapter = redis ? createRedisAdapter(redis, config.redis!.prefix) : createPostgresAdapter(new OidcPayloadRepository(dataSource));
  const ClientAdapter = createClientAdapter(clientCache);
  const oidc = createOidc({
    config, acr, clock, consents, audit, metrics, logger,
    adapter: class {
      constructor(name: string) {
        return name === 'Client' ? new ClientAdapter(name) : new tokenAdapter(name);
      }
    } as typeof tokenAdapter,
    jwks: await keys.jwks(),
    findAccount: createFindAccount(accounts),
    loadExistingGrant: createLoadExistingGrant(consents),
    pairwise: createPairwiseIdentifier(config.keyEncryptionSecret),
    pages: createProviderPages(renderer),
  });

  const probes: ReadinessProbe[] = [{ name: 'database', check: () => dataSource.query('SELECT 1') }];
  if (redis) probes.push({ name: 'redis', check: () => redis.ping() });

  const koa = new Koa({ proxy: config.trustProxy, keys: [...config.cookieKeys] });
  koa.use(requestContext(logger, metrics));
  koa.use(securityHeaders());
  koa.use(localeMiddleware());
  koa.use(errorHandler(logger, (ctx, page, status) => renderer.render(ctx, 'error', { title: 'title.error', ...page }, status)));
  koa.use(healthRoutes(probes, metrics).routes());
  koa.use(mountAssets('/assets', root('interactions/assets')));
  koa.use(mountAssets('/assets/kern', root('node_modules/@kern-ux/native/dist')));
  koa.use(sessionIdle(oidc.interactions, kv, clock, config.ttl.sessionIdle));
  const pages = pageRoutes(renderer);
  koa.use(pages.routes());
  // Forms of our own pages parse bodies and check CSRF; protocol endpoints stay untouched.
  const interactions = interactionRoutes({ port: oidc.interactions, accounts, audit, renderer });
  const formStack = composeForms();
  koa.use(async (ctx, next) => (ctx.path.startsWith('/interaction/') ? formStack(ctx, next) : next()));
  koa.use(interactions.routes());
  koa.use(interactions.allowedMethods());
  // Everything else is the OIDC protocol, served by oidc-provider. Mounting shares one Koa
  // context per request instead of handing the raw request to a second application.
  const protocol = mount(oidc.provider);
  koa.use(async (ctx, next) => {
    withSessionCookiesOnly(ctx.res);
    await protocol(ctx, next);
  });

  return {
    koa, config, clock, dataSource, redis, oidc, metrics,
    services: { accounts, onlineServices, audit, keys },
    async close() {
      redis?.disconnect();
      if (!options.dataSource) await dataSource.destroy();
    },
  };
}

function composeForms() {
  const parse = bodyParser({ enableTypes: ['form'], formLimit: '32kb' });
  const check = csrf();
  return (ctx: Koa.Context, next: Koa.Next) => parse(ctx, () => check(ctx, next));
}

function mountAssets(prefix: string, dir: string) {
  const files = serve(dir, { maxage: 86400_000 });
  return async (ctx: Koa.Context, next: Koa.Next) => {
    if (!ctx.path.startsWith(`${prefix}/`)) return next();
    const original = ctx.path;
    ctx.path = ctx.path.slice(prefix.length);
    await files(ctx, async () => {
      ctx.path = original;
      await next();
    });
  };
}
