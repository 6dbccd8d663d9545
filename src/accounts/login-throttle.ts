import { createHash } from 'node:crypto';
import type { KvStore } from '../kv/kv-store.ts';

export interface ThrottleLimits {
  perAccount: number;
  perAddress: number;
  windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perAccount: 5, perAddress: 30, windowSeconds: 15 * 60 };

export type Admission = { admitted: true; release(success: boolean): Promise<void> } | { admitted: false; retryAfterSeconds: number };

/**
 * LOGIN-04: failed sign-ins are limited per account and per client address. An attempt is
 * counted *before* the password is checked, so fifty parallel guesses cannot slip through
 * while the first ones are still hashing. Keys hash the typed address, not an account id, so
 * an unknown address is throttled exactly like a known one and reveals nothing.
 */
export class LoginThrottle {
  private readonly kv: KvStore;
  private readonly limits: ThrottleLimits;

  constructor(kv: KvStore, limits: ThrottleLimits = DEFAULT_THROTTLE) {
    this.kv = kv;
    this.limits = limits;
  }

  async admit(email: string, ip: string): Promise<Admission> {
    const accountKey = `login:acct:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
    const addressKey = `login:ip:${ip}`;
    const { windowSeconds } = this.limits;
    const [account, address] = await Promise.all([
      this.kv.add(accountKey, 1, windowSeconds),
      this.kv.add(addressKey, 1, windowSeconds),
    ]);
    if (account.count > this.limits.perAccount || address.count > this.limits.perAddress) {
      if (account.count === this.limits.perAccount + 1) account.ttlSeconds = await this.lengthenLockout(accountKey);
      const waits = [
        account.count > this.limits.perAccount ? account.ttlSeconds : 0,
        address.count > this.limits.perAddress ? address.ttlSeconds : 0,
      ];
      return { admitted: false, retryAfterSeconds: Math.max(...waits) };
    }
    return {
      admitted: true,
      release: async (success: boolean) => {
        if (!success) return;
        // A success clears the account's failures and takes back this attempt from the address.
        await Promise.all([this.kv.delete(accountKey), this.kv.add(addressKey, -1, windowSeconds)]);
      },
    };
  }

  /**
   * Progressive: each lock-out of an account within a day doubles the wait (15, 30, 60 … minutes,
   * at most a day), so a slow guesser gains little by waiting out the window.
   */
  private async lengthenLockout(accountKey: string): Promise<number> {
    const day = 24 * 3600;
    const { count: lockouts } = await this.kv.add(`${accountKey}:lockouts`, 1, day);
    const wait = Math.min(day, this.limits.windowSeconds * 2 ** (lockouts - 1));
    await this.kv.expire(accountKey, wait);
    return wait;
  }
}
