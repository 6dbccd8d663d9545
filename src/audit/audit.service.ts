import type { Clock } from '../clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { AuditRepository } from './audit.repository.ts';
import { isUuid } from '../db/uuid.ts';

/** FED: events of federated sign-ins carry personal data only for this long. */
export const FEDERATION_AUDIT_RETENTION_DAYS = 7;

export type AuditType =
  | 'login' | 'logout' | 'consent.granted' | 'consent.declined' | 'consent.withdrawn'
  | 'client.created' | 'client.updated' | 'client.deleted' | 'account.created' | 'keys.rotated'
  | 'registration' | 'account.activated' | 'password.reset_requested' | 'password.reset' | 'password.changed'
  | 'email.change_requested' | 'email.changed' | 'profile.updated' | 'account.deleted' | 'contact.sent'
  | 'eid.upgrade' | 'eid.sync' | 'eid.deactivated' | 'federation.member_changed' | 'federation.sign_in';

export interface AuditInput {
  type: AuditType;
  result: 'success' | 'failure';
  accountId?: string | null;
  clientId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** OIDC-05: security events go to the audit table; a failed write is logged, never swallowed silently. */
export class AuditService {
  private readonly repo: AuditRepository;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(repo: AuditRepository, clock: Clock, logger: Logger) {
    this.repo = repo;
    this.clock = clock;
    this.logger = logger;
  }

  async record(input: AuditInput): Promise<void> {
    // A citizen of another Land has no local account row: the event names their federated id
    // in the details, which the 7-day purge of federation events removes.
    const local = input.accountId && isUuid(input.accountId) ? input.accountId : null;
    const federated = input.accountId && !local ? { federatedAccount: input.accountId } : {};
    try {
      await this.repo.insert({
        at: this.clock.now(),
        type: input.type,
        result: input.result,
        accountId: local,
        clientId: input.clientId ?? null,
        ip: input.ip ?? null,
        details: { ...input.details, ...federated },
      });
    } catch (error) {
      this.logger.error({ err: error, audit: input.type }, 'audit write failed');
      throw error;
    }
  }

  /**
   * Deletes federation events older than the retention period: federated sign-ins and every
   * event that names a federated account (their only personal data is the link and the IP).
   */
  purgeFederationEvents(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - FEDERATION_AUDIT_RETENTION_DAYS * 86400_000);
    return this.repo.deleteFederationEventsBefore(before);
  }

  recent(filter: { accountId?: string; type?: string } = {}, limit = 100) {
    return this.repo.findRecent(filter, limit);
  }
}
