import { readFileSync } from 'node:fs';
import type { ParseArgsOptionsConfig } from 'node:util';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { UnitOfWork } from '../db/unit-of-work.ts';
import {
  FederationMemberService, federationRepos, type FederationMemberSpec, type FederationMemberView,
} from '../federation/federation-member.service.ts';
import { MemberListSync } from '../federation/member-list.ts';
import { DbKvStore } from '../kv/kv.repository.ts';
import { RedisKvStore } from '../kv/redis-kv-store.ts';
import { Metrics } from '../observability/metrics.ts';
import { withContext, type CliContext } from './context.ts';
import { UserError, describeIssues, parseOptions, required, table, write } from './output.ts';

const MEMBER_OPTIONS = {
  code: { type: 'string' },
  name: { type: 'string' },
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'max-level': { type: 'string' },
  acr: { type: 'string', multiple: true },
  claim: { type: 'string', multiple: true },
  disabled: { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig;

/** Which command-line option sets which spec field, so a validation error names both. */
const OPTION_OF: Record<string, string> = {
  code: '--code', displayName: '--name', issuer: '--issuer', clientId: '--client-id', clientSecret: '--client-secret',
  maxLevel: '--max-level', acrMap: '--acr', claims: '--claim', enabled: '--disabled',
};
const optionHint = (field: string) => (OPTION_OF[field] ? ` (${OPTION_OF[field]})` : '');

function membersOf(ctx: CliContext): FederationMemberService {
  return new FederationMemberService({
    uow: new UnitOfWork(ctx.dataSource, federationRepos(ctx.clock, ctx.logger)),
    keyEncryptionSecret: ctx.config.keyEncryptionSecret,
  });
}

/** Turns a validation error into one line naming the field (exit code 2). */
async function userErrors<T>(command: string, work: () => Promise<T>, hint: (field: string) => string = () => ''): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof z.ZodError) throw new UserError(`${command}: ${describeIssues(error, hint)}`);
    throw error;
  }
}

function acrMapOf(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs) return undefined;
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) throw new UserError(`federation add: acrMap (--acr): '${pair}' must look like <their-acr>=<our-level>`);
    map[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return map;
}

async function add(args: string[]): Promise<void> {
  const { values } = parseOptions('federation add', args, MEMBER_OPTIONS);
  const spec = Object.fromEntries(Object.entries({
    code: values.code,
    displayName: values.name,
    issuer: values.issuer,
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
    maxLevel: values['max-level'],
    acrMap: acrMapOf(values.acr),
    claims: values.claim,
    enabled: values.disabled === undefined ? undefined : !values.disabled,
  }).filter(([, v]) => v !== undefined));
  await withContext(async (ctx) => {
    const { member, outcome } = await userErrors('federation add', () => membersOf(ctx).register(spec as FederationMemberSpec), optionHint);
    write(`Federation member ${outcome}: ${member.code} ${member.displayName} (${member.enabled ? 'enabled' : 'disabled'})`);
  });
}

/** FED-05: why a member is disabled; only 'by list' is lifted by a later federation list. */
const DISABLED_BY: Record<string, string> = { operator: 'by operator', list: 'by list', issuer_change: 'issuer changed' };
const stateOf = (m: Pick<FederationMemberView, 'enabled' | 'disabledBy'>) =>
  (m.enabled ? 'enabled' : m.disabledBy ? `disabled (${DISABLED_BY[m.disabledBy]})` : 'disabled');

/** Metadata only: the client secret is never printed. */
async function list(args: string[]): Promise<void> {
  parseOptions('federation list', args, {});
  await withContext(async (ctx) => {
    const members = await membersOf(ctx).list();
    if (members.length === 0) {
      write('No federation members registered.');
      return;
    }
    write(table(
      ['CODE', 'NAME', 'STATE', 'MAX LEVEL', 'ISSUER', 'CLIENT_ID', 'ACR MAP', 'CLAIMS'],
      members.map((m) => [
        m.code, m.displayName, stateOf(m), m.maxLevel, m.issuer, m.clientId,
        Object.entries(m.acrMap).map(([acr, level]) => `${acr}=${level}`).join(' '), m.claims.join(','),
      ]),
    ));
    const held = members.filter((m) => !m.enabled && m.disabledBy === 'issuer_change').map((m) => m.code);
    if (held.length > 0) {
      write(`\nHeld after the federation list changed their issuer: ${held.join(', ')}; check the new issuer, then 'federation enable --code <CODE>'.`);
    }
  });
}

function toggle(enabled: boolean) {
  const command = `federation ${enabled ? 'enable' : 'disable'}`;
  return async (args: string[]): Promise<void> => {
    const { values } = parseOptions(command, args, { code: { type: 'string' } });
    const code = required(command, values.code, 'code');
    await withContext(async (ctx) => {
      if (!(await membersOf(ctx).setEnabled(code, enabled))) throw new UserError(`${command}: unknown member code '${code}'`);
      write(`Federation member ${enabled ? 'enabled' : 'disabled'}: ${code}`);
    });
  };
}

async function remove(args: string[]): Promise<void> {
  const { values } = parseOptions('federation remove', args, { code: { type: 'string' } });
  const code = required('federation remove', values.code, 'code');
  await withContext(async (ctx) => {
    if (!(await membersOf(ctx).remove(code))) throw new UserError(`federation remove: unknown member code '${code}'`);
    write(`Federation member removed: ${code}`);
  });
}

/** Validates every entry first; only a fully valid file is written, in one transaction. */
async function importFile(args: string[]): Promise<void> {
  const { positionals } = parseOptions('federation import', args, {}, 1);
  const file = positionals[0];
  if (!file) throw new UserError('federation import: a JSON file is required (federation import <file.json>)');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`federation import: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new UserError(`federation import: ${file} must contain a JSON array of member specs`);
  const entries: unknown[] = raw;
  await withContext(async (ctx) => {
    const results = await membersOf(ctx).importMany(entries).catch((error: unknown) => {
      if (error instanceof z.ZodError) throw new UserError(`federation import: nothing imported; ${describeEntries(error, entries)}`);
      throw error;
    });
    for (const r of results) write(`${r.outcome.padEnd(7)} ${r.member.code} ${r.member.displayName}`);
    write(`Imported ${results.length} federation member(s) from ${file}.`);
  });
}

/**
 * Not the operator's mistake, so exit code 1 rather than 2; the stack is the message because
 * main prints the stack of unexpected errors and this one is expected.
 */
class SyncFailed extends Error {
  constructor(message: string) {
    super(message);
    this.stack = message;
  }
}

/** FED-05: one refresh from FEDERATION_LIST_URL now, as the daily job does it (exit code 1 on failure). */
async function sync(args: string[]): Promise<void> {
  parseOptions('federation sync', args, {});
  await withContext(async (ctx) => {
    const list = ctx.config.federationList;
    if (!list) throw new UserError('federation sync: FEDERATION_LIST_URL and FEDERATION_LIST_KEY are not configured');
    // The replay mark must live where the server keeps it, or the two would accept different lists.
    const redis = ctx.config.redis ? new Redis(ctx.config.redis.url, { maxRetriesPerRequest: 3 }) : undefined;
    try {
      const kv = redis ? new RedisKvStore(redis, ctx.config.redis!.prefix) : new DbKvStore(ctx.dataSource, ctx.clock);
      const result = await new MemberListSync({
        ...list, members: membersOf(ctx), kv, clock: ctx.clock, logger: ctx.logger, metrics: new Metrics(false),
      }).refresh();
      if (!result.ok) throw new SyncFailed(`federation sync: ${result.reason}; the last valid list stays in force`);
      write(`Federation list applied from ${list.url}`);
      write(`  updated/confirmed: ${result.applied.join(', ') || '-'}`);
      write(`  disabled (not listed): ${result.disabled.join(', ') || '-'}`);
      if (result.held.length > 0) {
        write(`  held (issuer changed by the list; check it, then 'federation enable --code <CODE>'): ${result.held.join(', ')}`);
      }
      if (result.skipped.length > 0) {
        write(`  skipped (no local client credentials): ${result.skipped.join(', ')}; add them with 'federation add'`);
      }
    } finally {
      redis?.disconnect();
    }
  });
}

/** "entry 2 (ST): issuer: ..." — issues of importMany carry the entry index first. */
function describeEntries(error: z.ZodError, entries: readonly unknown[]): string {
  return error.issues.map((issue) => {
    const [index, ...path] = issue.path;
    if (typeof index !== 'number') return describeIssues(new z.ZodError([issue]));
    const entry = entries[index];
    const code = typeof entry === 'object' && entry !== null ? (entry as { code?: unknown }).code : undefined;
    const label = `entry ${index + 1}${typeof code === 'string' ? ` (${code})` : ''}`;
    return `${label}: ${describeIssues(new z.ZodError([{ ...issue, path }]))}`;
  }).join('; ');
}

export const FEDERATION_COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  add, list, enable: toggle(true), disable: toggle(false), remove, import: importFile, sync,
};
