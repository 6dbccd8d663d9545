import { EntitySchema } from 'typeorm';
import type { Level } from '../config/trust-levels.ts';

/** An online service ("Online-Dienst") is an OIDC relying party registered by an operator. */
export interface OnlineService {
  clientId: string;
  /** SHA-256 of the generated secret (high-entropy, so a fast hash suffices); null = public client. */
  secretHash: string | null;
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post' | 'none';
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: string[];
  scopes: string[];
  displayName: string;
  authority: string;
  contact: string;
  minLevel: Level;
  federationAllowed: boolean;
  /** FED-06: another Land's portal; only citizen accounts, account type and true level in tokens. */
  federationPartner: boolean;
  /** Pairwise subjects are computed per sector (LOA-04): services of one sector see one sub. */
  sector: string;
  /** The portal's own client: signs in without a consent page. */
  firstParty: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const OnlineServiceEntity = new EntitySchema<OnlineService>({
  name: 'OnlineService',
  tableName: 'online_service',
  columns: {
    clientId: { name: 'client_id', type: 'text', primary: true },
    secretHash: { name: 'secret_hash', type: 'text', nullable: true },
    tokenEndpointAuthMethod: { name: 'token_endpoint_auth_method', type: 'text' },
    redirectUris: { name: 'redirect_uris', type: 'text', array: true },
    postLogoutRedirectUris: { name: 'post_logout_redirect_uris', type: 'text', array: true },
    grantTypes: { name: 'grant_types', type: 'text', array: true },
    scopes: { type: 'text', array: true },
    displayName: { name: 'display_name', type: 'text' },
    authority: { type: 'text' },
    contact: { type: 'text' },
    minLevel: { name: 'min_level', type: 'text' },
    federationAllowed: { name: 'federation_allowed', type: 'boolean', default: false },
    federationPartner: { name: 'federation_partner', type: 'boolean', default: false },
    sector: { type: 'text' },
    firstParty: { name: 'first_party', type: 'boolean', default: false },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    updatedAt: { name: 'updated_at', type: 'timestamptz', updateDate: true },
  },
});
