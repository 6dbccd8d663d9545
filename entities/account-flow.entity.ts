import { EntitySchema } from 'typeorm';

export type AccountFlowKind = 'password_reset' | 'email_change';

/** A single-use, time-limited link bound to one account (RST-02, MAIL-01). */
export interface AccountFlow {
  id: string;
  kind: AccountFlowKind;
  accountId: string;
  tokenHash: string;
  newEmail: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export const AccountFlowEntity = new EntitySchema<AccountFlow>({
  name: 'AccountFlow',
  tableName: 'account_flow',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    kind: { type: 'text' },
    accountId: { name: 'account_id', type: 'uuid' },
    tokenHash: { name: 'token_hash', type: 'text' },
    newEmail: { name: 'new_email', type: 'text', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz' },
    expiresAt: { name: 'expires_at', type: 'timestamptz' },
    usedAt: { name: 'used_at', type: 'timestamptz', nullable: true },
  },
});
