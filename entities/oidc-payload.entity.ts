import { EntitySchema } from 'typeorm';

/** oidc-provider model storage for the PostgreSQL adapter (used when no Redis is configured). */
export interface OidcPayload {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  expiresAt: Date | null;
  consumedAt: Date | null;
}

export const OidcPayloadEntity = new EntitySchema<OidcPayload>({
  name: 'OidcPayload',
  tableName: 'oidc_payload',
  columns: {
    model: { type: 'text', primary: true },
    id: { type: 'text', primary: true },
    payload: { type: 'jsonb' },
    grantId: { name: 'grant_id', type: 'text', nullable: true },
    userCode: { name: 'user_code', type: 'text', nullable: true },
    uid: { type: 'text', nullable: true },
    expiresAt: { name: 'expires_at', type: 'timestamptz', nullable: true },
    consumedAt: { name: 'consumed_at', type: 'timestamptz', nullable: true },
  },
});
