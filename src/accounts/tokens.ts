import { createHash, randomBytes } from 'node:crypto';

/** Link tokens are 256-bit random; only their SHA-256 is stored, so a database leak opens nothing. */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

export const hashLinkToken = (token: string): string => createHash('sha256').update(token).digest('base64url');
