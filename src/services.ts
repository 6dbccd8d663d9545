import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/index.ts';
import { AccountRepository } from './accounts/account.repository.ts';
import { AccountService } from './accounts/account.service.ts';
import { ContactService } from './accounts/contact.service.ts';
import { LoginThrottle } from './accounts/login-throttle.ts';
import { PasswordHasher } from './accounts/password-hasher.ts';
import { RegistrationService } from './accounts/registration.service.ts';
import { accountRepos, type SessionControl } from './accounts/repos.ts';
import { SelfServiceService } from './accounts/self-service.service.ts';
import { AuditRepository } from './audit/audit.repository.ts';
import { AuditService } from './audit/audit.service.ts';
import { OnlineServiceRepository } from './catalog/online-service.repository.ts';
import { OnlineServiceService } from './catalog/online-service.service.ts';
import type { Clock } from './clock.ts';
import { ConsentRepository } from './consents/consent.repository.ts';
import { ConsentService } from './consents/consent.service.ts';
import { UnitOfWork } from './db/unit-of-work.ts';
import type { KvStore } from './kv/kv-store.ts';
import { MailService } from './mail/mail-service.ts';
import type { Mailer } from './mail/mailer.ts';
import { OutboxRepository } from './mail/outbox.repository.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import { FederatedIdentityRepository } from './federation/federated-identity.repository.ts';
import { FederatedSignInService } from './federation/federated-sign-in.service.ts';
import { FederationMemberService, federationRepos } from './federation/federation-member.service.ts';
import { MemberClients, type FederationFetch } from './federation/member-client.ts';

/** Test seams for the federation's outgoing HTTP (production uses the defaults). */
export interface FederationOptions {
  /** At most 10 s by default: a Land that does not answer must not hang the citizen's browser. */
  timeoutSeconds?: number;
  fetch?: FederationFetch;
}

export interface Infrastructure {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  dataSource: DataSource;
  redis?: Redis;
  kv: KvStore;
  mailer: Mailer;
}

/** The service graph: repositories → services, each taking its dependencies explicitly. */
export function buildServices(infra: Infrastructure, sessions: SessionControl, onClientChange: (clientId: string) => void, federationOptions: FederationOptions = {}) {
  const { config, clock, logger, metrics, dataSource, kv } = infra;
  const audit = new AuditService(new AuditRepository(dataSource), clock, logger);
  const hasher = new PasswordHasher(config.argon2);
  const accounts = new AccountService({
    accounts: new AccountRepository(dataSource), hasher, throttle: new LoginThrottle(kv), audit, metrics,
  });
  const serviceRepo = new OnlineServiceRepository(dataSource);
  const onlineServices = new OnlineServiceService(serviceRepo, audit, onClientChange);
  const consentRepo = new ConsentRepository(dataSource);
  const mail = new MailService(new OutboxRepository(dataSource), infra.mailer, clock, logger);
  const uow = new UnitOfWork(dataSource, accountRepos);
  const registration = new RegistrationService({ uow, kv, hasher, mail, audit, clock, issuer: config.issuer });
  const selfService = new SelfServiceService({ uow, hasher, mail, audit, sessions, clock, issuer: config.issuer });
  const consents = new ConsentService(consentRepo, serviceRepo, sessions, audit);
  const contact = new ContactService(kv, mail, audit, config.contactEmail);
  const federationMembers = new FederationMemberService({
    uow: new UnitOfWork(dataSource, federationRepos(clock, logger)), keyEncryptionSecret: config.keyEncryptionSecret,
  });
  const memberClients = new MemberClients({
    clock, timeoutSeconds: federationOptions.timeoutSeconds ?? 10, fetch: federationOptions.fetch, secretOf: (code) => federationMembers.clientSecret(code),
  });
  const federation = new FederatedSignInService({
    members: federationMembers, identities: new FederatedIdentityRepository(dataSource), clients: memberClients, kv, audit, clock, logger, metrics,
    redirectUri: `${config.issuer}/federation/callback`, pendingTtlSeconds: config.ttl.sessionIdle, profileTtlSeconds: config.ttl.sessionMax,
    levelMaxAge: config.levelMaxAge,
  });
  return { federationMembers, federation, audit, accounts, serviceRepo, onlineServices, consentRepo, consents, mail, registration, selfService, contact };
}

export type Services = ReturnType<typeof buildServices>;
