import type { Repository } from 'typeorm';
import { OutboxMailEntity, type OutboxMail } from '../../entities/mail-outbox.entity.ts';
import { queryReturning, type Db } from '../db/unit-of-work.ts';

export interface QueuedMail {
  recipient: string;
  template: string;
  params: Record<string, unknown>;
}

export class OutboxRepository {
  private readonly repo: Repository<OutboxMail>;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    this.repo = db.getRepository(OutboxMailEntity);
  }

  async add(mail: QueuedMail, at: Date): Promise<string> {
    const rows: { id: string }[] = await this.db.query(
      'INSERT INTO mail_outbox (recipient, template, params, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
      [mail.recipient, mail.template, JSON.stringify(mail.params), at],
    );
    return String(rows[0]!.id);
  }

  find(id: string): Promise<OutboxMail | null> {
    return this.repo.findOneBy({ id });
  }

  /**
   * Claims an unsent mail for one worker; a claim older than five minutes (a worker that died
   * mid-send) may be taken over.
   */
  async claim(id: string, at: Date): Promise<boolean> {
    const rows = await queryReturning(this.db,
      `UPDATE mail_outbox SET claimed_at = $2::timestamptz WHERE id = $1 AND sent_at IS NULL
         AND (claimed_at IS NULL OR claimed_at < $2::timestamptz - interval '5 minutes') RETURNING id`, [id, at]);
    return rows.length > 0;
  }

  /** Marks a mail sent exactly once; false when another worker already sent it. */
  async markSent(id: string, at: Date): Promise<boolean> {
    const rows = await queryReturning(this.db, 'UPDATE mail_outbox SET sent_at = $2 WHERE id = $1 AND sent_at IS NULL RETURNING id', [id, at]);
    return rows.length > 0;
  }

  /** Sent mails keep no live link: a database read must not yield working tokens. */
  async scrubLink(id: string): Promise<void> {
    await this.db.query(`UPDATE mail_outbox SET params = params - 'link' WHERE id = $1`, [id]);
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.db.query('UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, claimed_at = NULL WHERE id = $1', [id, error.slice(0, 500)]);
  }

  async unsentBefore(before: Date, limit = 100): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      'SELECT id FROM mail_outbox WHERE sent_at IS NULL AND claimed_at IS NULL AND created_at < $1 AND attempts < 10 ORDER BY id LIMIT $2', [before, limit],
    );
    return rows.map((r) => String(r.id));
  }

  async deleteSentBefore(before: Date): Promise<void> {
    await this.db.query('DELETE FROM mail_outbox WHERE sent_at IS NOT NULL AND sent_at < $1', [before]);
  }
}
