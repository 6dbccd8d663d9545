import type { Repository } from 'typeorm';
import type { Db } from '../db/unit-of-work.ts';
import { ConsentEntity, type Consent } from '../../entities/consent.entity.ts';

export class ConsentRepository {
  private readonly repo: Repository<Consent>;

  constructor(db: Db) {
    this.repo = db.getRepository(ConsentEntity);
  }

  find(accountId: string, clientId: string): Promise<Consent | null> {
    return this.repo.findOneBy({ accountId, clientId });
  }

  listForAccount(accountId: string): Promise<Consent[]> {
    return this.repo.find({ where: { accountId }, order: { updatedAt: 'DESC' } });
  }

  /** Records the consent (scopes and claims replace the old ones) and adds the grant id. */
  async save(consent: Pick<Consent, 'accountId' | 'clientId' | 'scopes' | 'claims'>, grantId: string): Promise<void> {
    await this.repo.query(
      `INSERT INTO consent (account_id, client_id, scopes, claims, grant_ids) VALUES ($1, $2, $3, $4, ARRAY[$5])
       ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = EXCLUDED.scopes, claims = EXCLUDED.claims,
         grant_ids = CASE WHEN $5 = ANY(consent.grant_ids) THEN consent.grant_ids ELSE consent.grant_ids || $5 END,
         updated_at = now()`,
      [consent.accountId, consent.clientId, consent.scopes, consent.claims, grantId],
    );
  }

  async addGrant(accountId: string, clientId: string, grantId: string): Promise<void> {
    await this.repo.query(
      `UPDATE consent SET grant_ids = grant_ids || $3 WHERE account_id = $1 AND client_id = $2 AND NOT ($3 = ANY(grant_ids))`,
      [accountId, clientId, grantId],
    );
  }

  async remove(accountId: string, clientId: string): Promise<Consent | null> {
    const existing = await this.find(accountId, clientId);
    if (existing) await this.repo.delete({ accountId, clientId });
    return existing;
  }
}
