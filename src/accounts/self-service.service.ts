import type { Account } from '../../entities/account.entity.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Clock } from '../clock.ts';
import type { UnitOfWork } from '../db/unit-of-work.ts';
import type { MailService } from '../mail/mail-service.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { AccountRepos, SessionControl } from './repos.ts';
import { hashLinkToken, newLinkToken } from './tokens.ts';

export const RESET_MINUTES = 60;
export const EMAIL_CHANGE_HOURS = 24;

interface Deps {
  uow: UnitOfWork<AccountRepos>;
  hasher: PasswordHasher;
  mail: MailService;
  audit: AuditService;
  sessions: SessionControl;
  clock: Clock;
  issuer: string;
}

/**
 * What a citizen changes about their own account: password reset (RST-01/02), profile
 * (PROF-01), e-mail change (MAIL-01/02), password change and deletion (DEL-01/02). Each
 * change and its mails commit together; tokens and sessions are revoked after the commit.
 */
export class SelfServiceService {
  private readonly d: Deps;

  constructor(deps: Deps) {
    this.d = deps;
  }

  private now(): Date {
    return this.d.clock.now();
  }

  /** RST-01, REG-07: same answer for every address; only an existing account gets a mail. */
  async requestPasswordReset(email: string, ip: string): Promise<void> {
    const now = this.now();
    const result = await this.d.uow.run(async (r) => {
      const account = await r.accounts.findByEmail(email);
      if (!account || account.status !== 'active') return null;
      const { token, hash } = newLinkToken();
      await r.flows.start({ kind: 'password_reset', accountId: account.id, tokenHash: hash, newEmail: null, createdAt: now, expiresAt: new Date(now.getTime() + RESET_MINUTES * 60_000) });
      const mailId = await r.outbox.add({
        recipient: account.email, template: 'password-reset',
        params: { displayName: account.displayName, link: `${this.d.issuer}/passwort-zuruecksetzen?token=${token}`, validMinutes: RESET_MINUTES },
      }, now);
      return { accountId: account.id, mailId };
    });
    if (result) await this.d.mail.dispatch([result.mailId]);
    await this.d.audit.record({ type: 'password.reset_requested', result: result ? 'success' : 'failure', accountId: result?.accountId ?? null, ip });
  }

  async isResetLinkValid(token: string): Promise<boolean> {
    return (await this.d.uow.run((r) => r.flows.peek('password_reset', hashLinkToken(token), this.now()))) !== null;
  }

  /** RST-02: single use, 60 minutes, bound to one account; ends all sessions and grants. */
  async resetPassword(token: string, password: string, ip: string): Promise<boolean> {
    const now = this.now();
    const passwordHash = await this.d.hasher.hash(password);
    const result = await this.d.uow.run(async (r) => {
      const flow = await r.flows.use('password_reset', hashLinkToken(token), now);
      const account = flow ? await r.accounts.findById(flow.accountId) : null;
      if (!account) return null;
      await r.accounts.update(account.id, { passwordHash });
      return this.afterPasswordChange(r, account, now);
    });
    if (!result) return false;
    await this.d.mail.dispatch([result.mailId]);
    await this.endEverything(result.accountId, result.grantIds);
    await this.d.audit.record({ type: 'password.reset', result: 'success', accountId: result.accountId, ip });
    return true;
  }

  async changePassword(accountId: string, current: string, password: string, ip: string): Promise<'ok' | 'wrong_password'> {
    const account = await this.d.uow.run((r) => r.accounts.findById(accountId));
    if (!account || !(await this.d.hasher.verify(account.passwordHash, current))) {
      await this.d.audit.record({ type: 'password.changed', result: 'failure', accountId, ip });
      return 'wrong_password';
    }
    const passwordHash = await this.d.hasher.hash(password);
    const now = this.now();
    const result = await this.d.uow.run(async (r) => {
      await r.accounts.update(accountId, { passwordHash });
      return this.afterPasswordChange(r, account, now);
    });
    await this.d.mail.dispatch([result.mailId]);
    // Tokens issued under the old password stop working; this browser stays signed in.
    await this.d.sessions.revokeGrants(result.grantIds);
    await this.d.audit.record({ type: 'password.changed', result: 'success', accountId, ip });
    return 'ok';
  }

  async updateProfile(accountId: string, displayName: string, ip: string): Promise<void> {
    await this.d.uow.run((r) => r.accounts.update(accountId, { displayName }));
    await this.d.audit.record({ type: 'profile.updated', result: 'success', accountId, ip });
  }

  /**
   * MAIL-01: confirmation to the new address, information to the old one. A new address that
   * already belongs to someone gets that owner a notice instead (REG-07).
   */
  async requestEmailChange(accountId: string, newEmail: string, ip: string): Promise<void> {
    const now = this.now();
    const mails = await this.d.uow.run(async (r) => {
      const account = await r.accounts.findById(accountId);
      if (!account) return [];
      const info = await r.outbox.add({ recipient: account.email, template: 'email-change-info', params: { displayName: account.displayName, newEmail } }, now);
      const owner = await r.accounts.findByEmail(newEmail);
      if (owner) {
        if (owner.id === account.id) return [info];
        return [info, await r.outbox.add({ recipient: owner.email, template: 'registration-attempt', params: { displayName: owner.displayName, resetLink: `${this.d.issuer}/passwort-vergessen` } }, now)];
      }
      const { token, hash } = newLinkToken();
      await r.flows.start({ kind: 'email_change', accountId, tokenHash: hash, newEmail, createdAt: now, expiresAt: new Date(now.getTime() + EMAIL_CHANGE_HOURS * 3600_000) });
      return [info, await r.outbox.add({
        recipient: newEmail, template: 'email-change-confirm',
        params: { displayName: account.displayName, newEmail, link: `${this.d.issuer}/konto/email-bestaetigen?token=${token}`, validHours: EMAIL_CHANGE_HOURS },
      }, now)];
    });
    await this.d.mail.dispatch(mails);
    await this.d.audit.record({ type: 'email.change_requested', result: 'success', accountId, ip });
  }

  /** MAIL-02: applied only for the account that signed in with its old address and password. */
  async confirmEmailChange(token: string, signedInAccountId: string, ip: string): Promise<string | null> {
    const now = this.now();
    const result = await this.d.uow.run(async (r) => {
      const pending = await r.flows.peek('email_change', hashLinkToken(token), now);
      if (!pending || pending.accountId !== signedInAccountId || !pending.newEmail) return null;
      if (await r.accounts.findByEmail(pending.newEmail)) return null;
      if (!(await r.flows.use('email_change', pending.tokenHash, now))) return null;
      const account = (await r.accounts.findById(signedInAccountId))!;
      await r.accounts.update(account.id, { email: pending.newEmail });
      const mailId = await r.outbox.add({ recipient: pending.newEmail, template: 'email-changed', params: { displayName: account.displayName, newEmail: pending.newEmail } }, now);
      return { newEmail: pending.newEmail, mailId };
    });
    await this.d.audit.record({ type: 'email.changed', result: result ? 'success' : 'failure', accountId: signedInAccountId, ip });
    if (!result) return null;
    await this.d.mail.dispatch([result.mailId]);
    return result.newEmail;
  }

  /** DEL-01/02: password confirms; everything goes at once and the address is free again. */
  async deleteAccount(accountId: string, password: string): Promise<boolean> {
    const account = await this.d.uow.run((r) => r.accounts.findById(accountId));
    if (!account || !(await this.d.hasher.verify(account.passwordHash, password))) return false;
    const now = this.now();
    const { grantIds, mailId } = await this.d.uow.run(async (r) => {
      const consents = await r.consents.listForAccount(accountId);
      await r.audit.anonymiseAccount(accountId);
      await r.accounts.delete(accountId);
      const id = await r.outbox.add({ recipient: account.email, template: 'account-deleted', params: { displayName: account.displayName } }, now);
      return { grantIds: consents.flatMap((c) => c.grantIds), mailId: id };
    });
    await this.d.mail.dispatch([mailId]);
    await this.endEverything(accountId, grantIds);
    // No client address: the deleted account's trail keeps no personal data (DEL-01).
    await this.d.audit.record({ type: 'account.deleted', result: 'success', accountId });
    return true;
  }

  private async afterPasswordChange(r: AccountRepos, account: Account, now: Date) {
    const grantIds = (await r.consents.listForAccount(account.id)).flatMap((c) => c.grantIds);
    const mailId = await r.outbox.add({ recipient: account.email, template: 'password-changed', params: { displayName: account.displayName, at: now.toISOString() } }, now);
    return { accountId: account.id, grantIds, mailId };
  }

  private async endEverything(accountId: string, grantIds: readonly string[]): Promise<void> {
    await this.d.sessions.revokeGrants(grantIds);
    await this.d.sessions.endAllSessions(accountId);
  }
}
