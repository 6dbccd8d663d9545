import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FederatedIdentity1732000000004 implements MigrationInterface {
  name = 'FederatedIdentity1732000000004';

  async up(q: QueryRunner): Promise<void> {
    // A citizen of another Land: only the link (their issuer, their sub) and our internal id,
    // so services get a stable pairwise sub. No personal data of the home Land is kept here.
    await q.query(`CREATE TABLE federated_identity (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      member_code text NOT NULL,
      issuer text NOT NULL,
      subject text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (issuer, subject)
    )`);
    // FED-06: other Länder portals registered with us as clients.
    await q.query(`ALTER TABLE online_service ADD COLUMN federation_partner boolean NOT NULL DEFAULT false`);
    // FED-05: why a Land is disabled. The signed list may only undo a disabling of its own;
    // an operator's, or a hold after the list changed the issuer, needs `federation enable`.
    await q.query(`ALTER TABLE federation_member ADD COLUMN disabled_by text NULL CHECK (disabled_by IN ('operator', 'list', 'issuer_change'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE federation_member DROP COLUMN IF EXISTS disabled_by`);
    await q.query(`ALTER TABLE online_service DROP COLUMN IF EXISTS federation_partner`);
    await q.query(`DROP TABLE IF EXISTS federated_identity`);
  }
}
