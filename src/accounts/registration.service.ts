import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { UnitOfWork } from '../db/unit-of-work.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { KvStore } from '../kv/kv-store.ts';
import type { MailService } from '../mail/mail-service.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { AccountRepos } from './repos.ts';
import type { RegistrationEid } from '../../entities/registration.entity.ts';
import { hashLinkToken, newLinkToken } from './tokens.ts';

export const ACTIVATION_HOURS = 24;
const DRAFT_SECONDS = 60 * 60;

export interface Draft {
  displayName: string;
  email: string;
  passwordHash: string;
  returnTo: string | null;
  /** EID-01: the data read from the eID for a registration straight to Plus. */
  eid?: RegistrationEid;
}

/**
 * REG-01..07, ACT-01..03. The form's input is kept as a server-side draft (the password only
 * as its hash) between "Weiter", "Übersicht Ihrer Eingaben", "Zurück" and "Servicekonto
 * anlegen"; the account itself is created when the activation link is opened.
 */
export class RegistrationService {
  private readonly uow: UnitOfWork<AccountRepos>;
  private readonly kv: KvStore;
  private readonly hasher: PasswordHasher;
  private readonly mail: MailService;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly issuer: string;

  constructor(deps: { uow: UnitOfWork<AccountRepos>; kv: KvStore; hasher: PasswordHasher; mail: MailService; audit: AuditService; clock: Clock; issuer: string }) {
    this.uow = deps.uow;
    this.kv = deps.kv;
    this.hasher = deps.hasher;
    this.mail = deps.mail;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.issuer = deps.issuer;
  }

  /** Saves (or updates) the draft; an empty password keeps the one already in the draft. */
  async saveDraft(input: { draftId?: string; displayName: string; email: string; password?: string; returnTo: string | null }): Promise<string> {
    const previous = input.draftId ? await this.loadDraft(input.draftId) : null;
    const passwordHash = input.password ? await this.hasher.hash(input.password) : previous?.passwordHash;
    if (!passwordHash) throw new Error('a draft needs a password');
    const draftId = previous && input.draftId ? input.draftId : randomBytes(18).toString('base64url');
    const draft: Draft = { displayName: input.displayName, email: input.email, passwordHash, returnTo: input.returnTo, eid: previous?.eid };
    await this.kv.set(`regdraft:${draftId}`, JSON.stringify(draft), DRAFT_SECONDS);
    return draftId;
  }

  /** EID-01: keeps the eID data with the draft; the name comes from the card. */
  async attachEid(draftId: string, eid: RegistrationEid, displayName: string): Promise<Draft | null> {
    const draft = await this.loadDraft(draftId);
    if (!draft) return null;
    const updated: Draft = { ...draft, displayName, eid };
    await this.kv.set(`regdraft:${draftId}`, JSON.stringify(updated), DRAFT_SECONDS);
    return updated;
  }

  async loadDraft(draftId: string): Promise<Draft | null> {
    if (!/^[A-Za-z0-9_-]{10,64}$/.test(draftId)) return null;
    const raw = await this.kv.get(`regdraft:${draftId}`);
    return raw ? (JSON.parse(raw) as Draft) : null;
  }

  /**
   * "Servicekonto anlegen". REG-07: the answer never depends on whether the address is taken;
   * the owner of an existing account gets a mail instead of an activation link.
   */
  async complete(draftId: string, ip: string): Promise<boolean> {
    const draft = await this.loadDraft(draftId);
    if (!draft) return false;
    const now = this.clock.now();
    const outcome = await this.uow.run(async (r) => {
      const existing = await r.accounts.findByEmail(draft.email);
      if (existing) {
        const id = await r.outbox.add({
          recipient: existing.email, template: 'registration-attempt',
          params: { displayName: existing.displayName, resetLink: `${this.issuer}/passwort-vergessen` },
        }, now);
        return { mails: [id], created: false };
      }
      const { token, hash } = newLinkToken();
      await r.registrations.replaceForEmail({
        email: draft.email, displayName: draft.displayName, passwordHash: draft.passwordHash, tokenHash: hash,
        returnTo: draft.returnTo, eid: draft.eid ?? null, createdAt: now, expiresAt: new Date(now.getTime() + ACTIVATION_HOURS * 3600_000),
      });
      const id = await r.outbox.add({
        recipient: draft.email, template: 'activation',
        params: { displayName: draft.displayName, link: `${this.issuer}/aktivieren?token=${token}`, validHours: ACTIVATION_HOURS },
      }, now);
      return { mails: [id], created: true };
    });
    await this.kv.delete(`regdraft:${draftId}`);
    await this.mail.dispatch(outcome.mails);
    await this.audit.record({ type: 'registration', result: outcome.created ? 'success' : 'failure', ip, details: outcome.created ? {} : { reason: 'address_taken' } });
    return true;
  }

  /** ACT-01/02: opens the account once; expired or unknown links yield null. */
  async activate(token: string, ip: string): Promise<{ accountId: string; returnTo: string | null } | null> {
    const now = this.clock.now();
    const result = await this.uow.run(async (r) => {
      const registration = await r.registrations.takeByTokenHash(hashLinkToken(token));
      if (!registration || registration.expiresAt <= now) return null;
      if (await r.accounts.findByEmail(registration.email)) return null;
      const account = await r.accounts.create({
        kind: 'citizen', email: registration.email, displayName: registration.displayName,
        passwordHash: registration.passwordHash, status: 'active',
      });
      if (registration.eid) {
        // EID-08: a pseudonym bound elsewhere in the meantime is not taken over.
        const { pseudonym, identity } = registration.eid;
        const free = !pseudonym || !(await r.accounts.findByPseudonym(pseudonym));
        await r.accounts.setIdentity(account.id, { ...identity, verifiedAt: new Date(identity.verifiedAt) }, free ? pseudonym : null);
      }
      return { accountId: account.id, returnTo: registration.returnTo };
    });
    await this.audit.record({ type: 'account.activated', result: result ? 'success' : 'failure', accountId: result?.accountId ?? null, ip });
    return result;
  }

  /** ACT-02: pending registrations older than 24 hours are deleted; their address is free again. */
  async purgeExpired(): Promise<number> {
    const now = this.clock.now();
    return this.uow.run(async (r) => {
      await r.flows.deleteExpired(now);
      return r.registrations.deleteExpired(now);
    });
  }
}
