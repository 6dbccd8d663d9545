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
  /** The eID-sourced identity of a Servicekonto Plus (PROF-02: locked fields), else null. */
  identity: EidIdentity | null;
  /** The card's service-specific pseudonym; set only when eID sign-in is enabled (EID-03). */
  eidPseudonym: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EidAddress {
  street?: string;
  zipCode?: string;
  city?: string;
  country?: string;
  /** Set instead of a structured address when the card says e.g. "keine Wohnung in Deutschland". */
  text?: string;
}

export interface EidIdentity {
  academicTitle: string | null;
  givenNames: string | null;
  familyName: string | null;
  birthName: string | null;
  /** TR-03130 DateString YYYYMMDD, unknown parts as spaces. */
  birthDate: string | null;
  placeOfBirth: string | null;
  address: EidAddress | null;
  nationality: string | null;
  documentType: string | null;
  verifiedAt: Date;
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
    eidPseudonym: { name: 'eid_pseudonym', type: 'text', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    updatedAt: { name: 'updated_at', type: 'timestamptz', updateDate: true },
  },
});
