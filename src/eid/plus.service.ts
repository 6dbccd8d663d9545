import { randomBytes } from 'node:crypto';
import type { Account } from '../../entities/account.entity.ts';
import type { AccountRepository } from '../accounts/account.repository.ts';
import type { SessionControl } from '../accounts/repos.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Clock } from '../clock.ts';
import type { KvStore } from '../kv/kv-store.ts';
import type { EidPerson, EidResult, EidService } from './eid-service.ts';
import { fieldsFor, identityFrom, sameIdentity, type EidPurpose } from './identity.ts';

/** A started eID round trip, bound to the browser that started it (TR-03124-1 §2.9). */
export interface EidFlow {
  purpose: EidPurpose;
  sessionId: string;
  accountId?: string;
  /** The interaction (sign-in at an online service) to continue afterwards. */
  interactionUid?: string;
  /** The registration draft (Plus registration, EID-01). */
  draftId?: string;
}

const FLOW_SECONDS = 20 * 60;

export type PlusError = 'eid.failed' | 'eid.pseudonym_taken' | 'eid.unknown_pseudonym' | 'eid.no_pseudonym' | 'eid.identity_mismatch' | 'eid.already_plus';

/**
 * Servicekonto Plus: the eID round trip, the upgrade (EID-04), eID sign-in (EID-07, LOGIN-02),
 * synchronisation (EID-05), deactivation (EID-06) and one identity per account (EID-08).
 */
export class PlusService {
  private readonly eid: EidService;
  private readonly kv: KvStore;
  private readonly accounts: AccountRepository;
  private readonly sessions: SessionControl;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly issuer: string;

  constructor(deps: { eid: EidService; kv: KvStore; accounts: AccountRepository; sessions: SessionControl; audit: AuditService; clock: Clock; issuer: string }) {
    this.eid = deps.eid;
    this.kv = deps.kv;
    this.accounts = deps.accounts;
    this.sessions = deps.sessions;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.issuer = deps.issuer;
  }

  /**
   * Starts the eID round trip. `returnPath` is where the eID client sends the browser back;
   * inside a sign-in it lies under /interaction/<uid>/ so the interaction cookie comes along.
   */
  async begin(purpose: EidPurpose, returnPath: string, context: Omit<EidFlow, 'purpose' | 'sessionId'>): Promise<{ flowId: string; clientUrl: string }> {
    const flowId = randomBytes(24).toString('base64url');
    const start = await this.eid.start({
      fields: fieldsFor(purpose), returnUrl: `${this.issuer}${returnPath}`,
      transactionInfo: purpose === 'signin' ? 'Anmeldung am Servicekonto' : 'Servicekonto Plus: Identität bestätigen',
    });
    const flow: EidFlow = { purpose, sessionId: start.sessionId, ...context };
    await this.kv.set(`eidflow:${flowId}`, JSON.stringify(flow), FLOW_SECONDS);
    return { flowId, clientUrl: start.clientUrl };
  }

  /** Single use: the flow is gone after this, whatever the result. */
  async finish(flowId: string): Promise<{ flow: EidFlow; result: EidResult } | null> {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(flowId)) return null;
    const raw = await this.kv.get(`eidflow:${flowId}`);
    if (!raw) return null;
    await this.kv.delete(`eidflow:${flowId}`);
    const flow = JSON.parse(raw) as EidFlow;
    return { flow, result: await this.eid.result(flow.sessionId) };
  }

  /** EID-08: a pseudonym may be bound only to this account (or none). */
  async pseudonymFree(pseudonym: string | undefined, accountId?: string): Promise<boolean> {
    if (!pseudonym) return true;
    const owner = await this.accounts.findByPseudonym(pseudonym);
    return !owner || owner.id === accountId;
  }

  /** EID-04: the account becomes Plus; all its sessions end so the citizen signs in again. */
  async upgrade(accountId: string, person: EidPerson, ip: string): Promise<PlusError | null> {
    const account = await this.accounts.findById(accountId);
    // Only a basic account is upgraded; a Plus account's locked data change only by sync (EID-05).
    if (!account || account.kind !== 'citizen') return this.refuse('eid.upgrade', accountId, ip, 'eid.already_plus');
    if (!(await this.pseudonymFree(person.restrictedId, accountId))) return this.refuse('eid.upgrade', accountId, ip, 'eid.pseudonym_taken');
    await this.accounts.setIdentity(accountId, identityFrom(person, this.clock.now()), person.restrictedId ?? null);
    await this.sessions.endAllSessions(accountId);
    await this.audit.record({ type: 'eid.upgrade', result: 'success', accountId, ip, details: { pseudonym: Boolean(person.restrictedId) } });
    return null;
  }

  /** EID-07, LOGIN-02: only an account whose pseudonym is stored can sign in with the eID. */
  async signIn(person: EidPerson, ip: string): Promise<Account | PlusError> {
    if (!person.restrictedId) return this.refuse('login', null, ip, 'eid.no_pseudonym');
    const account = await this.accounts.findByPseudonym(person.restrictedId);
    if (!account || account.status !== 'active') return this.refuse('login', null, ip, 'eid.unknown_pseudonym');
    await this.audit.record({ type: 'login', result: 'success', accountId: account.id, ip, details: { method: 'eid', level: 'hoch' } });
    return account;
  }

  /**
   * EID-05: refreshes the locked data from the card. A renewed card (new pseudonym) is bound
   * when the identity data match; data of another person are refused (the citizen is sent to
   * the Meldebehörde).
   */
  async sync(accountId: string, person: EidPerson, ip: string): Promise<PlusError | null> {
    const account = await this.accounts.findById(accountId);
    if (!account) return 'eid.failed';
    const fresh = identityFrom(person, this.clock.now());
    if (account.identity && !sameIdentity(account.identity, fresh)) return this.refuse('eid.sync', accountId, ip, 'eid.identity_mismatch');
    if (!(await this.pseudonymFree(person.restrictedId, accountId))) return this.refuse('eid.sync', accountId, ip, 'eid.pseudonym_taken');
    await this.accounts.setIdentity(accountId, fresh, person.restrictedId ?? account.eidPseudonym);
    await this.audit.record({ type: 'eid.sync', result: 'success', accountId, ip });
    return null;
  }

  /** EID-06: eID sign-in is off until a later synchronisation transfers the pseudonym again. */
  async deactivate(accountId: string, ip: string): Promise<void> {
    await this.accounts.setPseudonym(accountId, null);
    await this.audit.record({ type: 'eid.deactivated', result: 'success', accountId, ip });
  }

  private async refuse(type: 'eid.upgrade' | 'eid.sync' | 'login', accountId: string | null, ip: string, reason: PlusError): Promise<PlusError> {
    await this.audit.record({ type, result: 'failure', accountId, ip, details: { method: 'eid', reason } });
    return reason;
  }
}
