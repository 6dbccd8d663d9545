import type { Repository } from 'typeorm';
import { RegistrationEntity, type Registration, type RegistrationEid } from '../../entities/registration.entity.ts';
import { queryReturning, type Db } from '../db/unit-of-work.ts';

export class RegistrationRepository {
  private readonly repo: Repository<Registration>;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    this.repo = db.getRepository(RegistrationEntity);
  }

  /** ACT-02: the same address registered twice while pending — the latest wins. */
  async replaceForEmail(registration: Omit<Registration, 'id'>): Promise<void> {
    await this.db.query('DELETE FROM registration WHERE lower(email) = lower($1)', [registration.email]);
    await this.db.query(
      `INSERT INTO registration (email, display_name, password_hash, token_hash, return_to, created_at, expires_at, kind, eid)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [registration.email, registration.displayName, registration.passwordHash, registration.tokenHash, registration.returnTo,
        registration.createdAt, registration.expiresAt, registration.eid ? 'citizen_plus' : 'citizen',
        registration.eid ? JSON.stringify(registration.eid) : null],
    );
  }

  async takeByTokenHash(tokenHash: string): Promise<Registration | null> {
    const rows = await queryReturning<Record<string, unknown>>(this.db,
      'DELETE FROM registration WHERE token_hash = $1 RETURNING id, email, display_name, password_hash, return_to, created_at, expires_at, eid',
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: String(row.id), email: String(row.email), displayName: String(row.display_name), passwordHash: String(row.password_hash),
      tokenHash, returnTo: (row.return_to as string | null) ?? null, eid: (row.eid as RegistrationEid | null) ?? null, createdAt: new Date(row.created_at as string), expiresAt: new Date(row.expires_at as string),
    };
  }

  async findByEmail(email: string): Promise<Registration | null> {
    return this.repo.createQueryBuilder('r').where('lower(r.email) = lower(:email)', { email }).getOne();
  }

  async deleteExpired(now: Date): Promise<number> {
    const rows = await queryReturning(this.db, 'DELETE FROM registration WHERE expires_at <= $1 RETURNING id', [now]);
    return rows.length;
  }
}
