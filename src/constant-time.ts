import { timingSafeEqual } from 'node:crypto';

/** Compares a presented secret (token, state, hash) with the expected one without leaking timing. */
export function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
