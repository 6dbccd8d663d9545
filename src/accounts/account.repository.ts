import type { Repository } from 'typeorm';
import type { Db } from '../db/unit-of-work.ts';
import { AccountEntity, type Account, type EidAddress, type EidIdentity } from '../../entities/account.entity.ts';
import { isUuid } from '../db/uuid.ts';


const COLUMNS = `id, kind, email, display_name, given_name, family_name, password_hash, status, created_at, updated_at,
  academic_title, birth_name, birth_date, place_of_birth, address, nationality, document_type, eid_pseudonym, eid_verified_at`;

function toAccount(row: Record<string, unknown> | undefined): Account | null {
  return row ? {
    id: String(row.id), kind: row.kind as Account['kind'], email: String(row.email), displayName: String(row.display_name),
    givenName: (row.given_name as string | null) ?? null, familyName: (row.family_name as string | null) ?? null,
    passwordHash: String(row.password_hash), status: row.status as Account['status'],
    createdAt: new Date(row.created_at as string), updatedAt: new Date(row.updated_at as string),
    eidPseudonym: (row.eid_pseudonym as string | null) ?? null,
    identity: row.eid_verified_at ? {
      academicTitle: (row.academic_title as string | null) ?? null, givenNames: (row.given_name as string | null) ?? null,
      familyName: (row.family_name as string | null) ?? null, birthName: (row.birth_name as string | null) ?? null,
      birthDate: (row.birth_date as string | null) ?? null, placeOfBirth: (row.place_of_birth as string | null) ?? null,
      address: (row.address as EidAddress | null) ?? null, nationality: (row.nationality as string | null) ?? null,
      documentType: (row.document_type as string | null) ?? null, verifiedAt: new Date(row.eid_verified_at as string),
    } : null,
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
    if (!isUuid(id)) return null;
    return toAccount((await this.db.query(`SELECT ${COLUMNS} FROM account WHERE id = $1`, [id]))[0]);
  }

  /** REG-03: e-mail addresses compare case-insensitively (backed by a lower(email) index). */
  async findByEmail(email: string): Promise<Account | null> {
    return toAccount((await this.db.query(`SELECT ${COLUMNS} FROM account WHERE lower(email) = lower($1)`, [email]))[0]);
  }

  async create(account: NewAccount): Promise<Account> {
    const saved = await this.repo.save(this.repo.create({ givenName: null, familyName: null, eidPseudonym: null, ...account }));
    return (await this.findById(saved.id))!;
  }

  async findByPseudonym(pseudonym: string): Promise<Account | null> {
    return toAccount((await this.db.query(`SELECT ${COLUMNS} FROM account WHERE eid_pseudonym = $1`, [pseudonym]))[0]);
  }

  /** Stores the eID-sourced identity (a Servicekonto Plus from now on) and the pseudonym if given. */
  async setIdentity(id: string, identity: EidIdentity, pseudonym: string | null | undefined): Promise<void> {
    await this.db.query(
      `UPDATE account SET kind = 'citizen_plus', academic_title = $2, given_name = $3, family_name = $4, birth_name = $5,
         birth_date = $6, place_of_birth = $7, address = $8, nationality = $9, document_type = $10, eid_verified_at = $11,
         eid_pseudonym = CASE WHEN $12::boolean THEN $13 ELSE eid_pseudonym END, updated_at = now()
       WHERE id = $1`,
      [id, identity.academicTitle, identity.givenNames, identity.familyName, identity.birthName, identity.birthDate,
        identity.placeOfBirth, identity.address ? JSON.stringify(identity.address) : null, identity.nationality,
        identity.documentType, identity.verifiedAt, pseudonym !== undefined, pseudonym ?? null],
    );
  }

  /** EID-06: without the pseudonym eID sign-in is off until a later synchronisation. */
  async setPseudonym(id: string, pseudonym: string | null): Promise<void> {
    await this.db.query('UPDATE account SET eid_pseudonym = $2, updated_at = now() WHERE id = $1', [id, pseudonym]);
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
