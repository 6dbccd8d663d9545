import type { Repository } from 'typeorm';
import type { Db } from '../db/unit-of-work.ts';
import { queryReturning } from '../db/unit-of-work.ts';
import { isUuid } from '../db/uuid.ts';
import { FederatedIdentityEntity, type FederatedIdentity } from '../../entities/federated-identity.entity.ts';

export class FederatedIdentityRepository {
  private readonly db: Db;
  private readonly repo: Repository<FederatedIdentity>;

  constructor(db: Db) {
    this.db = db;
    this.repo = db.getRepository(FederatedIdentityEntity);
  }

  findById(id: string): Promise<FederatedIdentity | null> {
    return isUuid(id) ? this.repo.findOneBy({ id }) : Promise.resolve(null);
  }

  async removeForMember(memberCode: string): Promise<number> {
    return (await queryReturning<{ id: string }>(this.db, 'DELETE FROM federated_identity WHERE member_code = $1 RETURNING id', [memberCode])).length;
  }

  /** The link for (issuer, sub), created on first sight; concurrent first sign-ins get one row. */
  async link(memberCode: string, issuer: string, subject: string): Promise<{ identity: FederatedIdentity; created: boolean }> {
    // xmax = 0 only on a row this statement inserted (not on one it updated).
    const [row] = await queryReturning<{ id: string; member_code: string; issuer: string; subject: string; created_at: Date; created: boolean }>(this.db,
      `INSERT INTO federated_identity (member_code, issuer, subject) VALUES ($1, $2, $3)
       ON CONFLICT (issuer, subject) DO UPDATE SET member_code = EXCLUDED.member_code
       RETURNING id, member_code, issuer, subject, created_at, (xmax = 0) AS created`, [memberCode, issuer, subject]);
    return {
      identity: { id: row!.id, memberCode: row!.member_code, issuer: row!.issuer, subject: row!.subject, createdAt: row!.created_at },
      created: row!.created,
    };
  }

  async remove(id: string): Promise<void> {
    if (isUuid(id)) await this.db.query('DELETE FROM federated_identity WHERE id = $1', [id]);
  }
}
