import type { Repository } from 'typeorm';
import type { Db } from '../db/unit-of-work.ts';
import { OnlineServiceEntity, type OnlineService } from '../../entities/online-service.entity.ts';

export type OnlineServiceInput = Omit<OnlineService, 'createdAt' | 'updatedAt'>;

export class OnlineServiceRepository {
  private readonly repo: Repository<OnlineService>;

  constructor(db: Db) {
    this.repo = db.getRepository(OnlineServiceEntity);
  }

  find(clientId: string): Promise<OnlineService | null> {
    return this.repo.findOneBy({ clientId });
  }

  list(): Promise<OnlineService[]> {
    return this.repo.find({ order: { displayName: 'ASC' } });
  }

  async upsert(service: OnlineServiceInput): Promise<OnlineService> {
    await this.repo.upsert(service, ['clientId']);
    return (await this.find(service.clientId))!;
  }

  async remove(clientId: string): Promise<boolean> {
    const result = await this.repo.delete({ clientId });
    return (result.affected ?? 0) > 0;
  }
}
