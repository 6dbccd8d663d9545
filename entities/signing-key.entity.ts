import { EntitySchema } from 'typeorm';

export type KeyState = 'next' | 'current' | 'retired';

export interface SigningKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  state: KeyState;
  /** The private JWK, AES-256-GCM encrypted with KEY_ENCRYPTION_SECRET (compact JWE). */
  encryptedJwk: string;
  createdAt: Date;
  /** When a retired key may leave the JWKS: once every token it signed has expired. */
  retiredAt: Date | null;
}

export const SigningKeyEntity = new EntitySchema<SigningKey>({
  name: 'SigningKey',
  tableName: 'signing_key',
  columns: {
    kid: { type: 'text', primary: true },
    alg: { type: 'text' },
    state: { type: 'text' },
    encryptedJwk: { name: 'encrypted_jwk', type: 'text' },
    createdAt: { name: 'created_at', type: 'timestamptz', createDate: true },
    retiredAt: { name: 'retired_at', type: 'timestamptz', nullable: true },
  },
});
