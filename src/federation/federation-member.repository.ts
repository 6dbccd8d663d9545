import type { Repository } from 'typeorm';
import type { Db } from '../db/unit-of-work.ts';
import { FederationMemberEntity, type FederationMember, type FederationMemberDisabledBy } from '../../entities/federation-member.entity.ts';

export type FederationMemberInput = Omit<FederationMember, 'createdAt' | 'updatedAt'>;

export class FederationMemberRepository {
  private readonly repo: Repository<FederationMember>;

  constructor(db: Db) {
    this.repo = db.getRepository(FederationMemberEntity);
  }

  find(code: string): Promise<FederationMember | null> {
    return this.repo.findOneBy({ code });
  }

  findByIssuer(issuer: string): Promise<FederationMember | null> {
    return this.repo.findOneBy({ issuer });
  }

  list(): Promise<FederationMember[]> {
    return this.repo.find({ order: { code: 'ASC' } });
  }

  enabled(): Promise<FederationMember[]> {
    return this.repo.find({ where: { enabled: true }, order: { displayName: 'ASC' } });
  }

  async upsert(member: FederationMemberInput): Promise<FederationMember> {
    await this.repo.upsert(member, ['code']);
    return (await this.find(member.code))!;
  }

  /**
   * FED-05: the fields a federation list publishes, with the state the list leaves the member
   * in (not necessarily the published `enabled`); our client credentials are left alone.
   */
  async updatePublic(
    code: string,
    fields: Pick<FederationMember, 'displayName' | 'issuer' | 'enabled' | 'disabledBy' | 'maxLevel' | 'acrMap' | 'claims'>,
  ): Promise<boolean> {
    const { displayName, issuer, enabled, disabledBy, maxLevel, acrMap, claims } = fields;
    const result = await this.repo.update({ code }, { displayName, issuer, enabled, disabledBy, maxLevel, acrMap, claims });
    return (result.affected ?? 0) > 0;
  }

  /** Enabling clears disabledBy; disabling records who did it. */
  async setEnabled(code: string, enabled: boolean, disabledBy: FederationMemberDisabledBy = 'operator'): Promise<boolean> {
    const result = await this.repo.update({ code }, { enabled, disabledBy: enabled ? null : disabledBy });
    return (result.affected ?? 0) > 0;
  }

  async remove(code: string): Promise<boolean> {
    const result = await this.repo.delete({ code });
    return (result.affected ?? 0) > 0;
  }
}
