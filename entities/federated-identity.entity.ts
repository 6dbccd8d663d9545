import { EntitySchema } from 'typeorm';

/**
 * A citizen of another Land who signed in here through the federation: keyed by their home
 * Land's (issuer, sub) only — never matched to a local account by e-mail or name.
 */
export interface FederatedIdentity {
  id: string;
  memberCode: string;
  issuer: string;
  subject: string;
  createdAt: Date;
}

export const FederatedIdentityEntity = new EntitySchema<FederatedIdentity>({
  name: 'FederatedIdentity',
  tableName: 'federated_identity',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    memberCode: { name: 'member_code', type: 'text' },
    issuer: { type: 'text' },
    subject: { type: 'text' },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
  },
  uniques: [{ columns: ['issuer', 'subject'] }],
});
