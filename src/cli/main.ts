import { z } from 'zod';
import { ConfigError } from '../../config/index.ts';
import { ACCOUNT_COMMANDS } from './accounts.ts';
import { FEDERATION_COMMANDS } from './federation.ts';
import { withContext } from './context.ts';
import { KEY_COMMANDS } from './keys.ts';
import { UserError, describeIssues, parseOptions, write } from './output.ts';
import { SERVICE_COMMANDS } from './services.ts';

const USAGE = `Servicekonto administration

Usage: npm run cli -- <command> [options]

Online services (OIDC clients):
  services add --id <client_id> --name <display name> --authority <authority> --contact <contact>
               --redirect-uri <uri> [--redirect-uri <uri> ...] [--post-logout-uri <uri> ...]
               [--public] [--min-level niedrig|substanziell|hoch] [--scope <scope> ...]
               [--grant-type <grant type> ...] [--federation] [--federation-partner] [--sector <sector>]
      Registers a service. A confidential service's client secret is printed once;
      --public registers a PKCE client with token_endpoint_auth_method none.
  services update --id <client_id> [options of add] [--no-public] [--no-federation] [--rotate-secret]
      Changes only the given options; --rotate-secret prints a new client secret.
  services list
  services remove --id <client_id>
  services import <file.json>
      Registers a JSON array of service specs (camelCase keys: clientId, displayName, authority,
      contact, redirectUris, ...). All entries are validated first and registered in one transaction.

Accounts:
  accounts add --email <email> --name <display name> [--password <password>] [--plus]
      Creates an active account (--plus: Servicekonto Plus). Without --password a strong
      password is generated and printed once.

Federation members (Länder, FED-05):
  federation add --code <NI> --name <display name> --issuer <https URL> --client-id <id>
                 --client-secret <secret> [--max-level niedrig|substanziell|hoch]
                 [--acr <their acr>=<our level> ...] [--claim <claim> ...] [--disabled]
      Adds or replaces a Land; on replace, --client-secret may be left out to keep the stored one.
      The secret is stored encrypted with KEY_ENCRYPTION_SECRET.
  federation list                     Shows the members (never the client secret).
  federation enable|disable --code <NI>
  federation remove --code <NI>
  federation import <file.json>
  federation sync                     Runs one refresh of the signed federation list (FEDERATION_LIST_URL); exit 1 on failure.
      Adds or replaces a JSON array of member specs (camelCase keys: code, displayName, issuer,
      clientId, clientSecret, enabled, maxLevel, acrMap, claims). All entries are validated first
      and written in one transaction.

Signing keys:
  keys rotate    Promotes the next key to current and retires the current one, per algorithm.
  keys list      Shows kid, algorithm, state, creation and retirement time (never key material).

Database:
  migrate        Applies pending database migrations and exits.

  help           Shows this text.

Configuration comes from the same environment as the server: DATABASE_URL and DATABASE_SCHEMA,
or the embedded database under DATA_DIR; KEY_ENCRYPTION_SECRET for signing keys.
Exit codes: 0 success, 2 invalid usage or input, 1 unexpected failure.
`;

async function migrate(args: string[]): Promise<void> {
  parseOptions('migrate', args, {});
  await withContext(async (ctx) => {
    const names = ctx.dataSource.migrations.map((m) => m.name ?? m.constructor.name);
    const target = ctx.config.database.url ? `PostgreSQL schema "${ctx.config.database.schema}"` : `embedded database under ${ctx.config.dataDir}/pglite`;
    write(`Database is up to date (${target}); ${names.length} migration(s) applied: ${names.join(', ')}`);
  });
}

const GROUPS: Record<string, Record<string, (args: string[]) => Promise<void>>> = {
  services: SERVICE_COMMANDS,
  accounts: ACCOUNT_COMMANDS,
  keys: KEY_COMMANDS,
  federation: FEDERATION_COMMANDS,
};

async function run(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (command === 'migrate') return migrate(argv.slice(1));
  const group = GROUPS[command];
  if (!group) throw new UserError(`unknown command '${command}' (run 'help' for usage)`);
  const handler = sub !== undefined && Object.hasOwn(group, sub) ? group[sub] : undefined;
  if (!handler) {
    const known = Object.keys(group).map((name) => `${command} ${name}`).join(', ');
    throw new UserError(sub === undefined ? `'${command}' needs a subcommand: ${known}` : `unknown command '${command} ${sub}' (known: ${known})`);
  }
  await handler(rest);
}

function fail(error: unknown): number {
  if (error instanceof UserError || error instanceof ConfigError) {
    process.stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  if (error instanceof z.ZodError) {
    process.stderr.write(`error: ${describeIssues(error)}\n`);
    return 2;
  }
  process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
  return 1;
}

run(process.argv.slice(2)).then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    process.exitCode = fail(error);
  },
);
