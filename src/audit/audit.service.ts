import type { Clock } from '../clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { AuditRepository } from './audit.repository.ts';

export type AuditType =
  | 'login' | 'logout' | 'consent.granted' | 'consent.withdrawn'
  | 'client.created' | 'client.updated' | 'client.deleted' | 'account.created' | 'keys.rotated'
  | 'registration' | 'account.activated' | 'password.reset_requested' | 'password.reset' | 'password.changed'
  | 'email.change_requested' | 'email.changed' | 'profile.updated' | 'account.deleted' | 'contact.sent'
  | 'eid.upgrade' | 'eid.sync' | 'eid.deactivated' | 'federation.member_changed';

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
    try {
      await this.repo.insert({
        at: this.clock.now(),
        type: input.type,
        result: input.result,
        accountId: input.accountId ?? null,
        clientId: input.clientId ?? null,
        ip: input.ip ?? null,
        details: input.details ?? {},
      });
    } catch (error) {
      this.logger.error({ err: error, audit: input.type }, 'audit write failed');
      throw error;
    }
  }

  recent(filter: { accountId?: string; type?: string } = {}, limit = 100) {
    return this.repo.findRecent(filter, limit);
  }
}
