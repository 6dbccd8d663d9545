import type { Repository } from 'typeorm';
import { queryReturning, type Db } from '../db/unit-of-work.ts';
import { AuditEventEntity, type AuditEvent } from '../../entities/audit-event.entity.ts';

export class AuditRepository {
  private readonly repo: Repository<AuditEvent>;

  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    this.repo = db.getRepository(AuditEventEntity);
  }

  async insert(event: Omit<AuditEvent, 'id'>): Promise<void> {
    await this.repo.insert(event as Parameters<Repository<AuditEvent>["insert"]>[0]);
  }

  /** DEL-01: a deleted account's audit trail keeps its events but no personal data. */
  async anonymiseAccount(accountId: string): Promise<void> {
    await this.repo.update({ accountId }, { ip: null, details: {} });
  }

  async deleteFederationEventsBefore(before: Date): Promise<number> {
    const rows = await queryReturning<{ id: string }>(this.db,
      `DELETE FROM audit_event WHERE at < $1 AND (type = 'federation.sign_in' OR details ? 'federatedAccount') RETURNING id`, [before]);
    return rows.length;
  }

  findRecent(filter: { accountId?: string; type?: string } = {}, limit = 100): Promise<AuditEvent[]> {
    return this.repo.find({ where: { ...filter }, order: { id: 'DESC' }, take: limit });
  }
}
