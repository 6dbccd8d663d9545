import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface DevSecrets {
  cookieKeys: string;
  keyEncryptionSecret: string;
}

/**
 * Outside production, secrets not given in the environment are generated once and kept
 * under the data directory, so restarts keep sessions and encrypted keys readable.
 */
export function loadDevSecrets(dataDir: string, cookieKeys?: string, kek?: string): DevSecrets {
  if (cookieKeys && kek) return { cookieKeys, keyEncryptionSecret: kek };
  const file = join(dataDir, 'dev-secrets.json');
  let stored: DevSecrets;
  if (existsSync(file)) {
    stored = JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } else {
    stored = {
      cookieKeys: randomBytes(32).toString('base64url'),
      keyEncryptionSecret: randomBytes(32).toString('base64url'),
    };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return { cookieKeys: cookieKeys ?? stored.cookieKeys, keyEncryptionSecret: kek ?? stored.keyEncryptionSecret };
}
