import { EntitySchema } from 'typeorm';

/**
 * Mails are written in the same transaction as the change that causes them and sent by a
 * job afterwards, so a rolled-back change never mails and a crash never loses a mail.
 */
export interface OutboxMail {
  id: string;
  recipient: string;
  template: string;
  params: Record<string, unknown>;
  createdAt: Date;
  sentAt: Date | null;
  /** Set by the worker sending it, so two workers never send one mail twice. */
  claimedAt: Date | null;
  attempts: number;
  lastError: string | null;
}

export const OutboxMailEntity = new EntitySchema<OutboxMail>({
  name: 'OutboxMail',
  tableName: 'mail_outbox',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    recipient: { type: 'text' },
    template: { type: 'text' },
    params: { type: 'jsonb' },
    createdAt: { name: 'created_at', type: 'timestamptz' },
    sentAt: { name: 'sent_at', type: 'timestamptz', nullable: true },
    claimedAt: { name: 'claimed_at', type: 'timestamptz', nullable: true },
    attempts: { type: 'int', default: 0 },
    lastError: { name: 'last_error', type: 'text', nullable: true },
  },
});
