import { readFileSync } from 'node:fs';
import type { ParseArgsOptionsConfig } from 'node:util';
import { z } from 'zod';
import type { OnlineService } from '../../entities/online-service.entity.ts';
import { OnlineServiceSpec } from '../catalog/online-service.service.ts';
import { onlineServicesOn, withContext, type CliContext } from './context.ts';
import { UserError, describeIssues, parseOptions, required, table, write } from './output.ts';

const SERVICE_OPTIONS = {
  id: { type: 'string' },
  name: { type: 'string' },
  authority: { type: 'string' },
  contact: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-uri': { type: 'string', multiple: true },
  public: { type: 'boolean' },
  'min-level': { type: 'string' },
  scope: { type: 'string', multiple: true },
  'grant-type': { type: 'string', multiple: true },
  federation: { type: 'boolean' },
  'federation-partner': { type: 'boolean' },
  sector: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** Which command-line option sets which spec field, so a validation error names both. */
const OPTION_OF: Record<string, string> = {
  clientId: '--id', displayName: '--name', authority: '--authority', contact: '--contact',
  redirectUris: '--redirect-uri', postLogoutRedirectUris: '--post-logout-uri', public: '--public',
  minLevel: '--min-level', scopes: '--scope', grantTypes: '--grant-type', federationAllowed: '--federation', federationPartner: '--federation-partner', sector: '--sector',
};
const optionHint = (field: string) => (OPTION_OF[field] ? ` (${OPTION_OF[field]})` : '');

type ServiceValues = ReturnType<typeof parseOptions<typeof SERVICE_OPTIONS>>['values'];
type SpecInput = Record<string, unknown>;

/** Only the options given on the command line; the rest stays as it is (update) or defaults (add). */
function specFromOptions(values: ServiceValues): SpecInput {
  const spec: SpecInput = {
    clientId: values.id,
    displayName: values.name,
    authority: values.authority,
    contact: values.contact,
    redirectUris: values['redirect-uri'],
    postLogoutRedirectUris: values['post-logout-uri'],
    public: values.public,
    minLevel: values['min-level'],
    scopes: values.scope,
    grantTypes: values['grant-type'],
    federationAllowed: values.federation,
    federationPartner: values['federation-partner'],
    sector: values.sector,
  };
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
}

function specFromService(service: OnlineService): SpecInput {
  return {
    clientId: service.clientId,
    displayName: service.displayName,
    authority: service.authority,
    contact: service.contact,
    redirectUris: service.redirectUris,
    postLogoutRedirectUris: service.postLogoutRedirectUris,
    public: service.tokenEndpointAuthMethod === 'none',
    minLevel: service.minLevel,
    scopes: service.scopes,
    grantTypes: service.grantTypes,
    federationAllowed: service.federationAllowed,
    federationPartner: service.federationPartner,
    // Keeping the sector keeps every citizen's pairwise subject stable across redirect URI changes.
    sector: service.sector,
  };
}

/**
 * The spec's cross-field refinement runs even after a field failed and calls new URL() on every
 * redirect URI, so an invalid URI would throw a TypeError instead of a validation issue. The
 * fields are therefore checked on their own first, the refinement only once they are valid.
 */
const SpecFields = z.object(OnlineServiceSpec.shape);

function checkSpec(input: unknown) {
  const fields = SpecFields.safeParse(input);
  return fields.success ? OnlineServiceSpec.safeParse(input) : fields;
}

function validate(command: string, input: SpecInput): OnlineServiceSpec {
  const result = checkSpec(input);
  if (!result.success) throw new UserError(`${command}: ${describeIssues(result.error, optionHint)}`);
  return result.data;
}

function printSecret(clientId: string, secret: string | undefined, isPublic: boolean): void {
  write(`  client_id:     ${clientId}`);
  if (secret) {
    write(`  client_secret: ${secret}`);
    write('The client secret is shown only this once and will not be shown again; store it securely now.');
  } else if (isPublic) {
    write('  client type:   public (PKCE required, token_endpoint_auth_method none, no client secret)');
  }
}

async function add(args: string[]): Promise<void> {
  const { values } = parseOptions('services add', args, SERVICE_OPTIONS);
  const spec = validate('services add', specFromOptions(values));
  await withContext(async (ctx) => {
    if (await ctx.onlineServices.find(spec.clientId)) {
      throw new UserError(`services add: clientId (--id): '${spec.clientId}' already exists; use 'services update'`);
    }
    const { service, secret } = await ctx.onlineServices.register(spec);
    write(`Online service registered: ${service.displayName}`);
    printSecret(service.clientId, secret, service.tokenEndpointAuthMethod === 'none');
  });
}

async function update(args: string[]): Promise<void> {
  const { values } = parseOptions('services update', args, { ...SERVICE_OPTIONS, 'rotate-secret': { type: 'boolean' } });
  const clientId = required('services update', values.id, 'id');
  await withContext(async (ctx) => {
    const existing = await ctx.onlineServices.find(clientId);
    if (!existing) throw new UserError(`services update: unknown service id '${clientId}'`);
    const spec = validate('services update', { ...specFromService(existing), ...specFromOptions(values) });
    if (values['rotate-secret'] && spec.public) {
      throw new UserError('services update: --rotate-secret: a public client has no secret');
    }
    const { service, secret } = await ctx.onlineServices.register(spec, { rotateSecret: values['rotate-secret'] === true });
    write(`Online service updated: ${service.displayName}`);
    printSecret(service.clientId, secret, service.tokenEndpointAuthMethod === 'none');
  });
}

async function list(args: string[]): Promise<void> {
  parseOptions('services list', args, {});
  await withContext(async (ctx) => {
    const services = await ctx.onlineServices.list();
    if (services.length === 0) {
      write('No online services registered.');
      return;
    }
    write(table(
      ['CLIENT_ID', 'NAME', 'MIN LEVEL', 'TYPE', 'REDIRECT URIS'],
      services.map((s) => [
        s.clientId, s.displayName, s.minLevel, s.tokenEndpointAuthMethod === 'none' ? 'public' : 'confidential', s.redirectUris.join(' '),
      ]),
    ));
  });
}

async function remove(args: string[]): Promise<void> {
  const { values } = parseOptions('services remove', args, { id: { type: 'string' } });
  const clientId = required('services remove', values.id, 'id');
  await withContext(async (ctx) => {
    if (!(await ctx.onlineServices.remove(clientId))) throw new UserError(`services remove: unknown service id '${clientId}'`);
    write(`Online service removed: ${clientId}`);
  });
}

/** Validates every entry first; only a fully valid file is registered, in one transaction. */
async function importFile(args: string[]): Promise<void> {
  const { positionals } = parseOptions('services import', args, {}, 1);
  const file = positionals[0];
  if (!file) throw new UserError('services import: a JSON file is required (services import <file.json>)');
  const specs = readSpecs(file);
  await withContext(async (ctx) => {
    const results = await ctx.dataSource.transaction((manager) => registerAll(ctx, manager, specs));
    for (const r of results) {
      write(`${r.outcome.padEnd(7)} ${r.clientId}${r.secret ? `  client_secret: ${r.secret}` : ''}`);
    }
    write(`Imported ${results.length} online service(s) from ${file}.`);
    if (results.some((r) => r.secret)) write('Client secrets are shown only this once and will not be shown again; store them securely now.');
  });
}

function readSpecs(file: string): OnlineServiceSpec[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`services import: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new UserError(`services import: ${file} must contain a JSON array of service specs`);
  const problems: string[] = [];
  const specs: OnlineServiceSpec[] = [];
  const seen = new Set<string>();
  raw.forEach((entry: unknown, index) => {
    const label = `entry ${index + 1}${isNamed(entry) ? ` (${entry.clientId})` : ''}`;
    const result = checkSpec(entry);
    if (!result.success) {
      problems.push(`${label}: ${describeIssues(result.error)}`);
    } else if (seen.has(result.data.clientId)) {
      problems.push(`${label}: clientId: '${result.data.clientId}' appears more than once`);
    } else {
      seen.add(result.data.clientId);
      specs.push(result.data);
    }
  });
  if (problems.length > 0) throw new UserError(`services import: nothing imported; ${problems.join('; ')}`);
  return specs;
}

const isNamed = (entry: unknown): entry is { clientId: string } =>
  typeof entry === 'object' && entry !== null && typeof (entry as { clientId?: unknown }).clientId === 'string';

async function registerAll(ctx: CliContext, manager: Parameters<typeof onlineServicesOn>[0], specs: OnlineServiceSpec[]) {
  const services = onlineServicesOn(manager, ctx.clock, ctx.logger);
  const results: { clientId: string; outcome: 'created' | 'updated'; secret?: string }[] = [];
  for (const spec of specs) {
    const existing = await services.find(spec.clientId);
    // An entry without a sector keeps the stored one, so re-importing never changes pairwise subjects.
    const { secret } = await services.register({ ...spec, sector: spec.sector ?? existing?.sector });
    results.push({ clientId: spec.clientId, outcome: existing ? 'updated' : 'created', secret });
  }
  return results;
}

export const SERVICE_COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  add, update, list, remove, import: importFile,
};
