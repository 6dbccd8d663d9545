import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1732000000000 implements MigrationInterface {
  name = 'Initial1732000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE account (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('citizen', 'citizen_plus')),
      email text NOT NULL,
      display_name text NOT NULL,
      given_name text,
      family_name text,
      password_hash text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // REG-03: the e-mail address is unique case-insensitively.
    await q.query(`CREATE UNIQUE INDEX account_email_lower ON account (lower(email))`);

    await q.query(`CREATE TABLE online_service (
      client_id text PRIMARY KEY,
      secret_hash text,
      token_endpoint_auth_method text NOT NULL,
      redirect_uris text[] NOT NULL,
      post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
      grant_types text[] NOT NULL,
      scopes text[] NOT NULL,
      display_name text NOT NULL,
      authority text NOT NULL,
      contact text NOT NULL,
      min_level text NOT NULL CHECK (min_level IN ('niedrig', 'substanziell', 'hoch')),
      federation_allowed boolean NOT NULL DEFAULT false,
      sector text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);

    await q.query(`CREATE TABLE signing_key (
      kid text PRIMARY KEY,
      alg text NOT NULL,
      state text NOT NULL CHECK (state IN ('next', 'current', 'retired')),
      encrypted_jwk text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz
    )`);

    await q.query(`CREATE TABLE consent (
      account_id uuid NOT NULL REFERENCES account(id) ON DELETE CASCADE,
      client_id text NOT NULL REFERENCES online_service(client_id) ON DELETE CASCADE,
      scopes text[] NOT NULL,
      claims text[] NOT NULL,
      grant_ids text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, client_id)
    )`);

    await q.query(`CREATE TABLE audit_event (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL,
      type text NOT NULL,
      result text NOT NULL,
      account_id uuid,
      client_id text,
      ip text,
      details jsonb NOT NULL DEFAULT '{}'
    )`);
    await q.query(`CREATE INDEX audit_event_account ON audit_event (account_id, at)`);

    await q.query(`CREATE TABLE oidc_payload (
      model text NOT NULL,
      id text NOT NULL,
      payload jsonb NOT NULL,
      grant_id text,
      user_code text,
      uid text,
      expires_at timestamptz,
      consumed_at timestamptz,
      PRIMARY KEY (model, id)
    )`);
    await q.query(`CREATE INDEX oidc_payload_grant ON oidc_payload (grant_id)`);
    await q.query(`CREATE INDEX oidc_payload_uid ON oidc_payload (model, uid)`);
    await q.query(`CREATE INDEX oidc_payload_user_code ON oidc_payload (model, user_code)`);
    await q.query(`CREATE INDEX oidc_payload_expires ON oidc_payload (expires_at)`);

    await q.query(`CREATE TABLE kv_entry (
      key text PRIMARY KEY,
      value text NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['kv_entry', 'oidc_payload', 'audit_event', 'consent', 'signing_key', 'online_service', 'account']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
