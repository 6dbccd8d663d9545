import { EntitySchema } from 'typeorm';

/** SPEC ACC-01: basic Servicekonto or Servicekonto Plus (identity verified with the eID). */
export const ACCOUNT_KINDS = ['citizen', 'citizen_plus'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];
export type AccountStatus = 'pending' | 'active' | 'disabled';

export interface Account {
  id: string;
  kind: AccountKind;
  email: string;
  displayName: string;
  givenName: string | null;
  familyName: string | null;
  passwordHash: string;
  status: AccountStatus;
  createdAt: Date;
  updatedAt: Date;
}

export const AccountEntity = new EntitySchema<Account>({
  name: 'Account',
  tableName: 'account',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    kind: { type: 'text' },
    email: { type: 'text' },
    displayName: { name: 'display_name', type: 'text' },
    givenName: { name: 'given_name', type: 'text', nullable: true },
    familyName: { name: 'family_name', type: 'text', nullable: true },
    passwordHash: { name: 'password_hash', type: 'text' },
    status: { type: 'text' },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    updatedAt: { name: 'updated_at', type: 'timestamptz', updateDate: true },
  },
});
