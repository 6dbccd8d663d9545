import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { withContext } from './context.ts';
import { UserError, describeIssues, parseOptions, write } from './output.ts';

const NewAccount = z.object({
  email: z.email(),
  displayName: z.string().trim().min(1).max(120),
  password: z.string().min(8).max(256).optional(),
});

const OPTION_OF: Record<string, string> = { email: '--email', displayName: '--name', password: '--password' };

async function add(args: string[]): Promise<void> {
  const { values } = parseOptions('accounts add', args, {
    email: { type: 'string' },
    name: { type: 'string' },
    password: { type: 'string' },
    plus: { type: 'boolean' },
  });
  const parsed = NewAccount.safeParse({ email: values.email?.trim(), displayName: values.name, password: values.password });
  if (!parsed.success) {
    throw new UserError(`accounts add: ${describeIssues(parsed.error, (f) => (OPTION_OF[f] ? ` (${OPTION_OF[f]})` : ''))}`);
  }
  const input = parsed.data;
  // 24 base64url characters: 144 random bits.
  const generated = input.password ? undefined : randomBytes(18).toString('base64url');
  const kind = values.plus ? 'citizen_plus' : 'citizen';
  await withContext(async (ctx) => {
    if (await ctx.accounts.findByEmail(input.email)) {
      throw new UserError(`accounts add: email (--email): an account with '${input.email}' already exists`);
    }
    const account = await ctx.accounts.createAccount({
      email: input.email, displayName: input.displayName, password: input.password ?? generated!, kind,
    });
    write(`Account created: ${account.email}`);
    write(`  id:       ${account.id}`);
    write(`  kind:     ${account.kind}`);
    if (generated) {
      write(`  password: ${generated}`);
      write('The generated password is shown only this once and will not be shown again; hand it over securely.');
    }
  });
}

export const ACCOUNT_COMMANDS: Record<string, (args: string[]) => Promise<void>> = { add };
