import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Accounts1732000000001 implements MigrationInterface {
  name = 'Accounts1732000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE registration (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      display_name text NOT NULL,
      password_hash text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      return_to text,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX registration_email_lower ON registration (lower(email))`);
    await q.query(`CREATE INDEX registration_expires ON registration (expires_at)`);

    await q.query(`CREATE TABLE account_flow (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('password_reset', 'email_change')),
      account_id uuid NOT NULL REFERENCES account(id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      new_email text,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`);
    await q.query(`CREATE INDEX account_flow_account ON account_flow (account_id, kind)`);

    await q.query(`CREATE TABLE mail_outbox (
      id bigserial PRIMARY KEY,
      recipient text NOT NULL,
      template text NOT NULL,
      params jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      sent_at timestamptz,
      claimed_at timestamptz,
      attempts int NOT NULL DEFAULT 0,
      last_error text
    )`);
    await q.query(`CREATE INDEX mail_outbox_unsent ON mail_outbox (created_at) WHERE sent_at IS NULL`);

    // The portal itself signs citizens in as a first-party client: no consent page for it.
    await q.query(`ALTER TABLE online_service ADD COLUMN first_party boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE online_service DROP COLUMN first_party`);
    for (const table of ['mail_outbox', 'account_flow', 'registration']) await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
