import { EntitySchema } from 'typeorm';
import type { Level } from '../config/trust-levels.ts';

/**
 * Why a member is disabled (FED-05): by an operator, by the signed federation list, or held
 * after the list changed its issuer. Only 'list' (and null) may be lifted by a later list.
 */
export type FederationMemberDisabledBy = 'operator' | 'list' | 'issuer_change';

/**
 * FED-05: a Land in the federation list. We are a relying party at its identity provider;
 * the client secret we hold there is stored encrypted (JWE, A256GCM).
 */
export interface FederationMember {
  /** Two upper-case letters, e.g. NI, ST. */
  code: string;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecretEncrypted: string;
  enabled: boolean;
  /** Set while disabled: who disabled it; null when enabled. */
  disabledBy: FederationMemberDisabledBy | null;
  /** The highest level this Land may assert towards us. */
  maxLevel: Level;
  /** Their `acr` value → our level. */
  acrMap: Record<string, Level>;
  /** The claims it can deliver. */
  claims: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const FederationMemberEntity = new EntitySchema<FederationMember>({
  name: 'FederationMember',
  tableName: 'federation_member',
  columns: {
    code: { type: 'text', primary: true },
    displayName: { name: 'display_name', type: 'text' },
    issuer: { type: 'text', unique: true },
    clientId: { name: 'client_id', type: 'text' },
    clientSecretEncrypted: { name: 'client_secret_encrypted', type: 'text' },
    enabled: { type: 'boolean', default: true },
    disabledBy: { name: 'disabled_by', type: 'text', nullable: true },
    maxLevel: { name: 'max_level', type: 'text' },
    acrMap: { name: 'acr_map', type: 'jsonb' },
    claims: { type: 'text', array: true },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    updatedAt: { name: 'updated_at', type: 'timestamptz', updateDate: true },
  },
});
