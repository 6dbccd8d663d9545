import type { DataSource, EntityManager } from 'typeorm';
import { SigningKeyEntity, type KeyState, type SigningKey } from '../../entities/signing-key.entity.ts';

export class SigningKeyRepository {
  private readonly db: DataSource;

  constructor(db: DataSource) {
    this.db = db;
  }

  all(): Promise<SigningKey[]> {
    return this.db.getRepository(SigningKeyEntity).find({ order: { createdAt: 'DESC' } });
  }

  /** Runs a key change as one transaction so a crash never leaves two current keys. */
  transaction<T>(work: (keys: KeyTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction(async (manager) => work(new KeyTransaction(manager)));
  }
}

export class KeyTransaction {
  private readonly manager: EntityManager;

  constructor(manager: EntityManager) {
    this.manager = manager;
  }

  async lockAll(): Promise<SigningKey[]> {
    return this.manager.getRepository(SigningKeyEntity).createQueryBuilder('k').setLock('pessimistic_write').getMany();
  }

  async insert(key: Omit<SigningKey, 'createdAt'>): Promise<void> {
    await this.manager.getRepository(SigningKeyEntity).insert(key);
  }

  async setState(kid: string, state: KeyState, retiredAt: Date | null = null): Promise<void> {
    await this.manager.getRepository(SigningKeyEntity).update({ kid }, { state, retiredAt });
  }

  async remove(kids: string[]): Promise<void> {
    if (kids.length) await this.manager.getRepository(SigningKeyEntity).delete(kids);
  }
}
