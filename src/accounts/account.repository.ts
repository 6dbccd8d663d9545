import type { Repository } from 'typeorm';
import type { Db } from '../db/unit-of-work.ts';
import { AccountEntity, type Account } from '../../entities/account.entity.ts';

export type NewAccount = Pick<Account, 'kind' | 'email' | 'displayName' | 'passwordHash' | 'status'> &
  Partial<Pick<Account, 'givenName' | 'familyName'>>;

export class AccountRepository {
  private readonly repo: Repository<Account>;

  constructor(db: Db) {
    this.repo = db.getRepository(AccountEntity);
  }

  findById(id: string): Promise<Account | null> {
    return this.repo.findOneBy({ id });
  }

  /** REG-03: e-mail addresses compare case-insensitively (backed by a lower(email) index). */
  findByEmail(email: string): Promise<Account | null> {
    return this.repo.createQueryBuilder('a').where('lower(a.email) = lower(:email)', { email }).getOne();
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
