import type { Repository } from 'typeorm';
import type { Db } from '../db/unit-of-work.ts';
import { AccountEntity, type Account } from '../../entities/account.entity.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = 'id, kind, email, display_name, given_name, family_name, password_hash, status, created_at, updated_at';

function toAccount(row: Record<string, unknown> | undefined): Account | null {
  return row ? {
    id: String(row.id), kind: row.kind as Account['kind'], email: String(row.email), displayName: String(row.display_name),
    givenName: (row.given_name as string | null) ?? null, familyName: (row.family_name as string | null) ?? null,
    passwordHash: String(row.password_hash), status: row.status as Account['status'],
    createdAt: new Date(row.created_at as string), updatedAt: new Date(row.updated_at as string),
  } : null;
}

export type NewAccount = Pick<Account, 'kind' | 'email' | 'displayName' | 'passwordHash' | 'status'> &
  Partial<Pick<Account, 'givenName' | 'familyName'>>;

export class AccountRepository {
  private readonly repo: Repository<Account>;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    this.repo = db.getRepository(AccountEntity);
  }

  /** On every token, userinfo and sign-in request, so plain SQL rather than the query builder. */
  async findById(id: string): Promise<Account | null> {
    if (!UUID.test(id)) return null;
    return toAccount((await this.db.query(`SELECT ${COLUMNS} FROM account WHERE id = $1`, [id]))[0]);
  }

  /** REG-03: e-mail addresses compare case-insensitively (backed by a lower(email) index). */
  async findByEmail(email: string): Promise<Account | null> {
    return toAccount((await this.db.query(`SELECT ${COLUMNS} FROM account WHERE lower(email) = lower($1)`, [email]))[0]);
  }

  create(account: NewAccount): Promise<Account> {
    return this.repo.save(this.repo.create({ givenName: null, familyName: null, ...account }));
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.repo.update({ id }, { passwordHash });
  }

  async update(id: string, changes: Partial<Pick<Account, 'email' | 'displayName' | 'passwordHash'>>): Promise<void> {
    await this.repo.update({ id }, changes);
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  list(limit = 100): Promise<Account[]> {
    return this.repo.find({ order: { createdAt: 'ASC' }, take: limit });
  }
}
