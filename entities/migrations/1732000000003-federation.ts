import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Federation1732000000003 implements MigrationInterface {
  name = 'Federation1732000000003';

  async up(q: QueryRunner): Promise<void> {
    // FED-05: the Länder whose service accounts may be used here.
    await q.query(`CREATE TABLE federation_member (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
      display_name text NOT NULL,
      issuer text NOT NULL UNIQUE,
      client_id text NOT NULL,
      client_secret_encrypted text NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      max_level text NOT NULL CHECK (max_level IN ('niedrig', 'substanziell', 'hoch')),
      acr_map jsonb NOT NULL DEFAULT '{}'::jsonb,
      claims text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS federation_member`);
  }
}
