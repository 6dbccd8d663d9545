import argon2 from 'argon2';

export interface Argon2Settings {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** PW-03: passwords exist only as argon2id hashes. */
export class PasswordHasher {
  private readonly settings: Argon2Settings;
  /** Verified against for unknown accounts, so both answers cost one argon2 verify (REG-07). */
  private dummyHash: Promise<string> | undefined;

  constructor(settings: Argon2Settings) {
    this.settings = settings;
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, ...this.settings });
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    this.dummyHash ??= this.hash('unknown-account-dummy-password');
    const target = hash ?? (await this.dummyHash);
    try {
      const ok = await argon2.verify(target, password);
      return ok && hash !== undefined;
    } catch {
      return false;
    }
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, { ...this.settings });
  }
}
