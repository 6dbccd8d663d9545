import type { Account, AccountKind } from '../../entities/account.entity.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Metrics } from '../observability/metrics.ts';
import { sessionLevel, type Level } from '../trust/levels.ts';
import type { AccountRepository } from './account.repository.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { PasswordHasher } from './password-hasher.ts';

export type SignInResult =
  | { ok: true; account: Account; level: Level }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export interface SignInContext {
  ip: string;
  clientId?: string;
}

export class AccountService {
  private readonly accounts: AccountRepository;
  private readonly hasher: PasswordHasher;
  private readonly throttle: LoginThrottle;
  private readonly audit: AuditService;
  private readonly metrics: Metrics;

  constructor(deps: { accounts: AccountRepository; hasher: PasswordHasher; throttle: LoginThrottle; audit: AuditService; metrics: Metrics }) {
    this.accounts = deps.accounts;
    this.hasher = deps.hasher;
    this.throttle = deps.throttle;
    this.audit = deps.audit;
    this.metrics = deps.metrics;
  }

  findById(id: string): Promise<Account | null> {
    return this.accounts.findById(id);
  }

  findByEmail(email: string): Promise<Account | null> {
    return this.accounts.findByEmail(email);
  }

  /**
   * LOGIN-01 with LOGIN-04 and REG-07: one argon2 verify whether or not the address exists,
   * one answer for every kind of failure, and throttling before any hashing.
   */
  async signInWithPassword(email: string, password: string, context: SignInContext): Promise<SignInResult> {
    const admission = await this.throttle.admit(email, context.ip);
    if (!admission.admitted) {
      this.metrics.logins.inc({ result: 'throttled', level: 'none' });
      await this.audit.record({ type: 'login', result: 'failure', clientId: context.clientId, ip: context.ip, details: { reason: 'throttled' } });
      return { ok: false, reason: 'throttled', retryAfterSeconds: admission.retryAfterSeconds };
    }
    const account = await this.accounts.findByEmail(email.trim());
    const usable = account?.status === 'active' ? account : undefined;
    const valid = await this.hasher.verify(usable?.passwordHash, password);
    await admission.release(valid);
    if (!valid || !usable) {
      this.metrics.logins.inc({ result: 'failure', level: 'none' });
      await this.audit.record({
        type: 'login', result: 'failure', accountId: account?.id ?? null, clientId: context.clientId, ip: context.ip,
        details: { method: 'pwd' },
      });
      return { ok: false, reason: 'invalid' };
    }
    if (this.hasher.needsRehash(usable.passwordHash)) {
      await this.accounts.updatePasswordHash(usable.id, await this.hasher.hash(password));
    }
    const level = sessionLevel(usable.kind, 'pwd');
    this.metrics.logins.inc({ result: 'success', level });
    await this.audit.record({
      type: 'login', result: 'success', accountId: usable.id, clientId: context.clientId, ip: context.ip,
      details: { method: 'pwd', level },
    });
    return { ok: true, account: usable, level };
  }

  /** For operators and tests until self-registration exists. */
  async createAccount(input: {
    email: string; password: string; displayName: string; kind?: AccountKind; givenName?: string; familyName?: string;
  }): Promise<Account> {
    const account = await this.accounts.create({
      kind: input.kind ?? 'citizen',
      email: input.email.trim(),
      displayName: input.displayName,
      givenName: input.givenName ?? null,
      familyName: input.familyName ?? null,
      passwordHash: await this.hasher.hash(input.password),
      status: 'active',
    });
    await this.audit.record({ type: 'account.created', result: 'success', accountId: account.id, details: { by: 'operator' } });
    return account;
  }
}
