import type { Db } from '../db/unit-of-work.ts';
import { AuditRepository } from '../audit/audit.repository.ts';
import { ConsentRepository } from '../consents/consent.repository.ts';
import { OutboxRepository } from '../mail/outbox.repository.ts';
import { AccountFlowRepository } from './account-flow.repository.ts';
import { AccountRepository } from './account.repository.ts';
import { RegistrationRepository } from './registration.repository.ts';

/** The repositories an account change may touch, bound to one transaction. */
export interface AccountRepos {
  accounts: AccountRepository;
  registrations: RegistrationRepository;
  flows: AccountFlowRepository;
  outbox: OutboxRepository;
  consents: ConsentRepository;
  audit: AuditRepository;
}

export function accountRepos(db: Db): AccountRepos {
  return {
    accounts: new AccountRepository(db),
    registrations: new RegistrationRepository(db),
    flows: new AccountFlowRepository(db),
    outbox: new OutboxRepository(db),
    consents: new ConsentRepository(db),
    audit: new AuditRepository(db),
  };
}

/** What account services need from the provider side (implemented in src/oidc). */
export interface SessionControl {
  /** Revokes the provider grants and thereby every token issued under them. */
  revokeGrants(grantIds: readonly string[]): Promise<void>;
  /** Ends every session of the account (checked on the next request of each browser). */
  endAllSessions(accountId: string): Promise<void>;
}
