import { EntitySchema } from 'typeorm';

/**
 * A citizen's remembered consent for one online service (OIDC-04). The provider's Grant in
 * Redis is short-lived state; this row is the durable decision the portal lists and withdraws.
 */
export interface Consent {
  accountId: string;
  clientId: string;
  scopes: string[];
  claims: string[];
  /** Every provider grant issued under this consent, so withdrawing it revokes all their tokens. */
  grantIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const ConsentEntity = new EntitySchema<Consent>({
  name: 'Consent',
  tableName: 'consent',
  columns: {
    accountId: { name: 'account_id', type: 'uuid', primary: true },
    clientId: { name: 'client_id', type: 'text', primary: true },
    scopes: { type: 'text', array: true },
    claims: { type: 'text', array: true },
    grantIds: { name: 'grant_ids', type: 'text', array: true, default: () => "'{}'" },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    updatedAt: { name: 'updated_at', type: 'timestamptz', updateDate: true },
  },
});
