import { createHmac, hkdfSync } from 'node:crypto';

/**
 * LOA-04: each sector sees its own stable subject for an account, an HMAC over sector and
 * account id; the salt derives from the deployment secret so subjects survive restarts.
 */
export function createPairwiseIdentifier(secret: string) {
  const salt = Buffer.from(hkdfSync('sha256', secret, 'servicekonto', 'pairwise-subject', 32));
  return (sector: string, accountId: string): string =>
    createHmac('sha256', salt).update(`${sector}\u0000${accountId}`).digest('base64url');
}
