import type { DataSource, Repository } from 'typeorm';
import { AuditEventEntity, type AuditEvent } from '../../entities/audit-event.entity.ts';

export class AuditRepository {
  private readonly repo: Repository<AuditEvent>;

  constructor(db: DataSource) {
    this.repo = db.getRepository(AuditEventEntity);
  }

  async insert(event: Omit<AuditEvent, 'id'>): Promise<void> {
    await this.repo.insert(event as Parameters<Repository<AuditEvent>["insert"]>[0]);
  }

  findRecent(filter: { accountId?: string; type?: string } = {}, limit = 100): Promise<AuditEvent[]> {
    return this.repo.find({ where: { ...filter }, order: { id: 'DESC' }, take: limit });
  }
}
