import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { z } from 'zod';
import type { Level } from '../../config/trust-levels.ts';
import type { FederationMember, FederationMemberDisabledBy } from '../../entities/federation-member.entity.ts';
import { AuditRepository } from '../audit/audit.repository.ts';
import { AuditService } from '../audit/audit.service.ts';
import type { Clock } from '../clock.ts';
import type { Db, UnitOfWork } from '../db/unit-of-work.ts';
import type { Logger } from '../observability/logger.ts';
import { rank } from '../trust/levels.ts';
import { FederatedIdentityRepository } from './federated-identity.repository.ts';
import { FederationMemberRepository } from './federation-member.repository.ts';
import {
  FederationListEntry, FederationMemberSpec, changedFields, listedState, unlistedState, type ParsedSpec,
} from './federation-member.spec.ts';

export { DEFAULT_FEDERATION_CLAIMS, FederationListEntry, FederationMemberSpec } from './federation-member.spec.ts';

/**
 * What applying a list did: updated or confirmed, not listed (so disabled), listed without our
 * credentials, and listed but held after an issuer change until an operator enables them.
 */
export interface ListApplied {
  applied: string[];
  disabled: string[];
  skipped: string[];
  held: string[];
}

/** A member as shown to operators: never the secret. */
export type FederationMemberView = Omit<FederationMember, 'clientSecretEncrypted'>;

export interface FederationRepos {
  members: FederationMemberRepository;
  identities: FederatedIdentityRepository;
  audit: AuditService;
}

/** Repositories (and audit writes) bound to one DataSource or transaction manager. */
export function federationRepos(clock: Clock, logger: Logger): (db: Db) => FederationRepos {
  return (db) => ({
    members: new FederationMemberRepository(db), identities: new FederatedIdentityRepository(db), audit: new AuditService(new AuditRepository(db), clock, logger),
  });
}

const issue = (path: (string | number)[], message: string) => ({ code: 'custom' as const, path, message, input: undefined });

const view = (member: FederationMember): FederationMemberView => {
  const { clientSecretEncrypted: _secret, ...rest } = member;
  return rest;
};

/**
 * The federation list (FED-05). Changes are audited as federation.member_changed, never with
 * the client secret in the details.
 */
export class FederationMemberService {
  private readonly uow: UnitOfWork<FederationRepos>;
  private readonly key: Uint8Array;

  constructor(deps: { uow: UnitOfWork<FederationRepos>; keyEncryptionSecret: string }) {
    this.uow = deps.uow;
    this.key = new Uint8Array(hkdfSync('sha256', deps.keyEncryptionSecret, 'servicekonto', 'federation-client-secret', 32));
  }

  list(): Promise<FederationMemberView[]> {
    return this.uow.run(async ({ members }) => (await members.list()).map(view));
  }

  /** FED-05: only these are offered at sign-in. */
  enabled(): Promise<FederationMemberView[]> {
    return this.uow.run(async ({ members }) => (await members.enabled()).map(view));
  }

  find(code: string): Promise<FederationMemberView | null> {
    return this.uow.run(async ({ members }) => {
      const member = await members.find(code);
      return member ? view(member) : null;
    });
  }

  /** Creates or replaces a member; an update without clientSecret keeps the stored one. */
  async register(input: FederationMemberSpec): Promise<{ member: FederationMemberView; outcome: 'created' | 'updated' }> {
    const spec = FederationMemberSpec.parse(input);
    return this.uow.run(async (repos) => {
      await this.check(repos, [spec]);
      return this.write(repos, spec);
    });
  }

  /** Validates every entry first; writes all of them in one transaction, or none. */
  async importMany(inputs: readonly unknown[]): Promise<{ member: FederationMemberView; outcome: 'created' | 'updated' }[]> {
    const specs: ParsedSpec[] = [];
    const issues: ReturnType<typeof issue>[] = [];
    inputs.forEach((input, index) => {
      const result = FederationMemberSpec.safeParse(input);
      if (result.success) specs.push(result.data);
      else issues.push(...result.error.issues.map((i) => issue([index, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], i.message)));
    });
    const seen = new Map<string, number>();
    specs.forEach((spec, index) => {
      for (const key of [`code:${spec.code}`, `issuer:${spec.issuer}`]) {
        if (seen.has(key)) issues.push(issue([index, key.split(':')[0]!], `'${key.slice(key.indexOf(':') + 1)}' appears more than once`));
        seen.set(key, index);
      }
    });
    if (issues.length > 0) throw new z.ZodError(issues);
    return this.uow.run(async (repos) => {
      await this.check(repos, specs);
      const results = [];
      for (const spec of specs) results.push(await this.write(repos, spec));
      return results;
    });
  }

  /**
   * The operator's switch (FED-05): a disable is recorded as the operator's, so no federation
   * list turns it back on; an enable clears any reason, including a hold after an issuer change.
   */
  async setEnabled(code: string, enabled: boolean): Promise<boolean> {
    return this.uow.run(async ({ members, audit }) => {
      const member = await members.find(code);
      if (!member || !(await members.setEnabled(code, enabled, 'operator'))) return false;
      await audit.record({
        type: 'federation.member_changed',
        result: 'success',
        details: {
          code, change: enabled ? 'enabled' : 'disabled', issuer: member.issuer, disabledBy: enabled ? null : 'operator',
          ...(member.disabledBy && member.disabledBy !== (enabled ? null : 'operator') ? { previouslyDisabledBy: member.disabledBy } : {}),
        },
      });
      return true;
    });
  }

  /** Removes a Land and, in the same transaction, every link to its citizens (their subs here end). */
  async remove(code: string): Promise<boolean> {
    return this.uow.run(async ({ members, identities, audit }) => {
      if (!(await members.remove(code))) return false;
      const links = await identities.removeForMember(code);
      await audit.record({ type: 'federation.member_changed', result: 'success', details: { code, change: 'removed', linksRemoved: links } });
      return true;
    });
  }

  /**
   * FED-05: makes a verified federation list the one in force, in one transaction. Listed
   * members get the published fields (our clientId and secret stay); members missing from the
   * list are disabled; listed Länder we hold no credentials for are skipped and reported.
   * The list never lifts an operator's disable, and a changed issuer holds the member
   * (disabledBy 'issuer_change') until an operator enables it: see listedState.
   */
  async applyList(inputs: readonly FederationListEntry[], listIssuedAt: Date): Promise<ListApplied> {
    const entries = inputs.map((input) => FederationListEntry.parse(input));
    const codes = new Set(entries.map((e) => e.code));
    const issuers = new Set(entries.map((e) => e.issuer));
    if (codes.size !== entries.length || issuers.size !== entries.length) {
      throw new z.ZodError([issue(['members'], 'a code or an issuer appears more than once')]);
    }
    const iat = listIssuedAt.toISOString();
    return this.uow.run(async ({ members, audit }) => {
      const local = new Map((await members.list()).map((m) => [m.code, m]));
      const listed = entries.filter((e) => local.has(e.code));
      // An issuer belongs to one Land: refuse here rather than fail half-way on the unique index.
      const taken = listed.flatMap((e) => {
        const owner = [...local.values()].find((m) => m.issuer === e.issuer && m.code !== e.code);
        return owner && !listed.some((l) => l.code === owner.code) ? [issue(['members', e.code, 'issuer'], `already used by member ${owner.code}`)] : [];
      });
      if (taken.length > 0) throw new z.ZodError(taken);
      const result: ListApplied = { applied: [], disabled: [], skipped: entries.filter((e) => !local.has(e.code)).map((e) => e.code), held: [] };
      for (const entry of listed) {
        const member = local.get(entry.code)!;
        const state = listedState(member, entry);
        const changed = changedFields(member, entry, state);
        if (changed.length > 0) {
          await members.updatePublic(entry.code, { ...entry, ...state });
          await audit.record({
            type: 'federation.member_changed',
            result: 'success',
            details: {
              code: entry.code, change: 'list', listIssuedAt: iat, fields: changed, issuer: entry.issuer,
              ...(member.issuer !== entry.issuer ? { previousIssuer: member.issuer } : {}),
              enabled: state.enabled, disabledBy: state.disabledBy, listedEnabled: entry.enabled, maxLevel: entry.maxLevel,
            },
          });
        }
        result.applied.push(entry.code);
        if (state.disabledBy === 'issuer_change') result.held.push(entry.code);
      }
      for (const member of local.values()) {
        if (codes.has(member.code)) continue;
        const state = unlistedState(member);
        const changed = (['enabled', 'disabledBy'] as const).filter((field) => member[field] !== state[field]);
        if (changed.length > 0) {
          await members.setEnabled(member.code, false, state.disabledBy);
          await audit.record({
            type: 'federation.member_changed',
            result: 'success',
            details: { code: member.code, change: 'list', listIssuedAt: iat, fields: changed, enabled: false, disabledBy: state.disabledBy },
          });
        }
        result.disabled.push(member.code);
      }
      return result;
    });
  }

  /** Our client secret at that Land (decrypted), or null for an unknown code. */
  async clientSecret(code: string): Promise<string | null> {
    const member = await this.uow.run(({ members }) => members.find(code));
    if (!member) return null;
    const { plaintext } = await compactDecrypt(member.clientSecretEncrypted, this.key);
    return new TextDecoder().decode(plaintext);
  }

  /** Their `acr` → our level, capped at the member's maxLevel; null when unmapped. */
  static levelFor(member: Pick<FederationMember, 'acrMap' | 'maxLevel'>, acr: string): Level | null {
    const level = Object.hasOwn(member.acrMap, acr) ? member.acrMap[acr] : undefined;
    if (!level) return null;
    return rank(level) > rank(member.maxLevel) ? member.maxLevel : level;
  }

  /** Checks against what is stored: a new member needs a secret, an issuer belongs to one Land. */
  private async check({ members }: FederationRepos, specs: readonly ParsedSpec[]): Promise<void> {
    const issues: ReturnType<typeof issue>[] = [];
    const prefix = (index: number) => (specs.length > 1 ? [index] : []);
    for (const [index, spec] of specs.entries()) {
      const existing = await members.find(spec.code);
      if (!existing && spec.clientSecret === undefined) issues.push(issue([...prefix(index), 'clientSecret'], 'required for a new member'));
      const owner = await members.findByIssuer(spec.issuer);
      if (owner && owner.code !== spec.code && !specs.some((s) => s.code === owner.code && s.issuer !== spec.issuer)) {
        issues.push(issue([...prefix(index), 'issuer'], `already used by member ${owner.code}`));
      }
    }
    if (issues.length > 0) throw new z.ZodError(issues);
  }

  private async write({ members, audit }: FederationRepos, spec: ParsedSpec): Promise<{ member: FederationMemberView; outcome: 'created' | 'updated' }> {
    const existing = await members.find(spec.code);
    const clientSecretEncrypted = spec.clientSecret !== undefined ? await this.encrypt(spec.clientSecret) : existing!.clientSecretEncrypted;
    // The operator's declaration: enabled clears any reason (also a hold), disabled is the operator's.
    const disabledBy: FederationMemberDisabledBy | null = spec.enabled ? null : 'operator';
    const member = await members.upsert({
      code: spec.code,
      displayName: spec.displayName,
      issuer: spec.issuer,
      clientId: spec.clientId,
      clientSecretEncrypted,
      enabled: spec.enabled,
      disabledBy,
      maxLevel: spec.maxLevel,
      acrMap: spec.acrMap,
      claims: spec.claims,
    });
    const outcome = existing ? 'updated' : 'created';
    await audit.record({
      type: 'federation.member_changed',
      result: 'success',
      details: {
        code: spec.code, change: outcome, issuer: spec.issuer, clientId: spec.clientId, enabled: spec.enabled,
        disabledBy, ...(existing?.disabledBy && existing.disabledBy !== disabledBy ? { previouslyDisabledBy: existing.disabledBy } : {}),
        maxLevel: spec.maxLevel, secretChanged: spec.clientSecret !== undefined,
      },
    });
    return { member: view(member), outcome };
  }

  private encrypt(secret: string): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(secret))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.key);
  }
}
