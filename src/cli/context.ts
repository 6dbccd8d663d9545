import type { DataSource, EntityManager } from 'typeorm';
import { loadConfig, type Config } from '../../config/index.ts';
import { AccountRepository } from '../accounts/account.repository.ts';
import { AccountService } from '../accounts/account.service.ts';
import { LoginThrottle } from '../accounts/login-throttle.ts';
import { PasswordHasher } from '../accounts/password-hasher.ts';
import { AuditRepository } from '../audit/audit.repository.ts';
import { AuditService } from '../audit/audit.service.ts';
import { OnlineServiceRepository } from '../catalog/online-service.repository.ts';
import { OnlineServiceService } from '../catalog/online-service.service.ts';
import { systemClock, type Clock } from '../clock.ts';
import { openDatabase } from '../db/data-source.ts';
import { DbKvStore } from '../kv/kv.repository.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { Metrics } from '../observability/metrics.ts';
import { KeyService } from '../oidc/keys.ts';
import { SigningKeyRepository } from '../oidc/signing-key.repository.ts';

/**
 * What the CLI needs, built from the same constructors as the composition root (src/app.ts)
 * but without the provider, Redis or an HTTP server.
 */
export interface CliContext {
  config: Config;
  clock: Clock;
  logger: Logger;
  dataSource: DataSource;
  audit: AuditService;
  onlineServices: OnlineServiceService;
  accounts: AccountService;
  keyRepo: SigningKeyRepository;
  keys: KeyService;
}

/** Opens the database (running pending migrations), runs the work, and always closes it. */
export async function withContext<T>(work: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const clock = systemClock;
  const logger = createLogger(config.logLevel);
  const dataSource = await openDatabase({ url: config.database.url, schema: config.database.schema, dataDir: config.dataDir });
  try {
    const audit = new AuditService(new AuditRepository(dataSource), clock, logger);
    const keyRepo = new SigningKeyRepository(dataSource);
    const ctx: CliContext = {
      config, clock, logger, dataSource, audit, keyRepo,
      onlineServices: onlineServicesOn(dataSource, clock, logger),
      accounts: new AccountService({
        accounts: new AccountRepository(dataSource),
        hasher: new PasswordHasher(config.argon2),
        // Only sign-in uses the throttle; the CLI never signs in, so the table-backed store suffices.
        throttle: new LoginThrottle(new DbKvStore(dataSource, clock)),
        audit,
        metrics: new Metrics(false),
      }),
      keys: new KeyService(keyRepo, clock, config.keyEncryptionSecret, config.ttl.idToken + config.ttl.accessToken),
    };
    return await work(ctx);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * An OnlineServiceService whose repositories (and audit writes) use the given DataSource or
 * transaction EntityManager. Both repositories only call getRepository(), which EntityManager
 * provides with the same signature, so a transaction's manager can stand in for the DataSource.
 */
export function onlineServicesOn(db: DataSource | EntityManager, clock: Clock, logger: Logger): OnlineServiceService {
  const source = db as DataSource;
  return new OnlineServiceService(new OnlineServiceRepository(source), new AuditService(new AuditRepository(source), clock, logger));
}
