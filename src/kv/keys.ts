import type { KvStore } from './kv-store.ts';

/** Keys shared by more than one module. */
export const sessionsEndedKey = (accountId: string): string => `sessions-ended:${accountId}`;

/**
 * A password reset or deletion ends every session signed in before it (RST-02, DEL-01);
 * sign-in times have second precision, so the mark is compared in seconds.
 */
export async function sessionEnded(kv: KvStore, session: { accountId: string; loginTs: number }): Promise<boolean> {
  const endedAt = await kv.get(sessionsEndedKey(session.accountId));
  return endedAt !== null && session.loginTs < Number(endedAt);
}
