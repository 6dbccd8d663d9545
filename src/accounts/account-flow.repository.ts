import type { Repository } from 'typeorm';
import { AccountFlowEntity, type AccountFlow, type AccountFlowKind } from '../../entities/account-flow.entity.ts';
import { queryReturning, type Db } from '../db/unit-of-work.ts';

export class AccountFlowRepository {
  private readonly repo: Repository<AccountFlow>;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    this.repo = db.getRepository(AccountFlowEntity);
  }

  /** A new link replaces the account's open links of the same kind. */
  async start(flow: Omit<AccountFlow, 'id' | 'usedAt'>): Promise<void> {
    await this.db.query('UPDATE account_flow SET used_at = $3 WHERE account_id = $1 AND kind = $2 AND used_at IS NULL', [flow.accountId, flow.kind, flow.createdAt]);
    await this.repo.insert({ ...flow, usedAt: null });
  }

  /** Uses a link exactly once: only an unused, unexpired link of that kind is returned. */
  async use(kind: AccountFlowKind, tokenHash: string, now: Date): Promise<AccountFlow | null> {
    const rows = await queryReturning<{ id: string }>(this.db,
      `UPDATE account_flow SET used_at = $3 WHERE kind = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3 RETURNING id`,
      [kind, tokenHash, now],
    );
    return rows[0] ? this.repo.findOneBy({ id: rows[0].id }) : null;
  }

  async peek(kind: AccountFlowKind, tokenHash: string, now: Date): Promise<AccountFlow | null> {
    const flow = await this.repo.findOneBy({ kind, tokenHash });
    return flow && !flow.usedAt && flow.expiresAt > now ? flow : null;
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db.query('DELETE FROM account_flow WHERE expires_at <= $1', [now]);
  }
}
