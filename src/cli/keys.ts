import type { SigningKey } from '../../entities/signing-key.entity.ts';
import { withContext } from './context.ts';
import { parseOptions, table, write } from './output.ts';

const STATE_ORDER = { current: 0, next: 1, retired: 2 } as const;

const byAlgAndState = (a: SigningKey, b: SigningKey) =>
  a.alg.localeCompare(b.alg) || STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.createdAt.getTime() - a.createdAt.getTime();

/** OIDC-02: next → current, current → retired, a fresh next key; recorded as keys.rotated (OIDC-05). */
async function rotate(args: string[]): Promise<void> {
  parseOptions('keys rotate', args, {});
  await withContext(async (ctx) => {
    const { current, retired } = await ctx.keys.rotate();
    await ctx.audit.record({ type: 'keys.rotated', result: 'success', details: { current, retired, by: 'cli' } });
    const algOf = new Map((await ctx.keyRepo.all()).map((k) => [k.kid, k.alg]));
    const label = (kid: string) => `${kid} (${algOf.get(kid) ?? 'removed'})`;
    write('Signing keys rotated.');
    write(`  current: ${current.map(label).join(', ') || '-'}`);
    write(`  retired: ${retired.map(label).join(', ') || '-'}`);
    write('The provider picks up the new keys when it restarts.');
  });
}

/** Metadata only; key material never leaves the database. */
async function list(args: string[]): Promise<void> {
  parseOptions('keys list', args, {});
  await withContext(async (ctx) => {
    const keys = (await ctx.keyRepo.all()).sort(byAlgAndState);
    if (keys.length === 0) {
      write('No signing keys yet; they are created when the provider first starts or by `keys rotate`.');
      return;
    }
    write(table(
      ['KID', 'ALG', 'STATE', 'CREATED', 'RETIRED'],
      keys.map((k) => [k.kid, k.alg, k.state, k.createdAt.toISOString(), k.retiredAt?.toISOString() ?? '']),
    ));
  });
}

export const KEY_COMMANDS: Record<string, (args: string[]) => Promise<void>> = { rotate, list };
