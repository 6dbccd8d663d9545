import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Eid1732000000002 implements MigrationInterface {
  name = 'Eid1732000000002';

  async up(q: QueryRunner): Promise<void> {
    // ACC-02: a Servicekonto Plus holds the eID-sourced data and optionally the pseudonym.
    await q.query(`ALTER TABLE account
      ADD COLUMN academic_title text,
      ADD COLUMN birth_name text,
      ADD COLUMN birth_date text,
      ADD COLUMN place_of_birth text,
      ADD COLUMN address jsonb,
      ADD COLUMN nationality text,
      ADD COLUMN document_type text,
      ADD COLUMN eid_pseudonym text,
      ADD COLUMN eid_verified_at timestamptz`);
    // EID-08: one eID identity belongs to at most one account.
    await q.query(`CREATE UNIQUE INDEX account_eid_pseudonym ON account (eid_pseudonym) WHERE eid_pseudonym IS NOT NULL`);
    await q.query(`ALTER TABLE registration ADD COLUMN kind text NOT NULL DEFAULT 'citizen', ADD COLUMN eid jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE registration DROP COLUMN kind, DROP COLUMN eid`);
    await q.query(`DROP INDEX IF EXISTS account_eid_pseudonym`);
    await q.query(`ALTER TABLE account DROP COLUMN academic_title, DROP COLUMN birth_name, DROP COLUMN birth_date,
      DROP COLUMN place_of_birth, DROP COLUMN address, DROP COLUMN nationality, DROP COLUMN document_type,
      DROP COLUMN eid_pseudonym, DROP COLUMN eid_verified_at`);
  }
}
