import { EntitySchema } from 'typeorm';
import type { EidIdentity } from './account.entity.ts';

/**
 * A pending registration (ACT-01/02): the account exists only once the activation link is
 * opened; until then the data lives here for 24 hours and is then deleted.
 */
export interface Registration {
  id: string;
  email: string;
  displayName: string;
  passwordHash: string;
  tokenHash: string;
  /** The authorization the citizen came from, continued after activation. */
  returnTo: string | null;
  /** EID-01: a registration straight to Servicekonto Plus carries the eID data. */
  eid: RegistrationEid | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface RegistrationEid {
  identity: Omit<EidIdentity, 'verifiedAt'> & { verifiedAt: string };
  pseudonym: string | null;
}

export const RegistrationEntity = new EntitySchema<Registration>({
  name: 'Registration',
  tableName: 'registration',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    email: { type: 'text' },
    displayName: { name: 'display_name', type: 'text' },
    passwordHash: { name: 'password_hash', type: 'text' },
    tokenHash: { name: 'token_hash', type: 'text' },
    returnTo: { name: 'return_to', type: 'text', nullable: true },
    eid: { type: 'jsonb', nullable: true },
    createdAt: { name: 'created_at', type: 'timestamptz' },
    expiresAt: { name: 'expires_at', type: 'timestamptz' },
  },
});
