import type { Clock } from '../clock.ts';
import type { JobQueue } from '../jobs/jobs.ts';
import type { Logger } from '../observability/logger.ts';
import type { Mailer } from './mailer.ts';
import type { OutboxRepository, QueuedMail } from './outbox.repository.ts';

/**
 * The outbox's two halves: services write mails into the outbox inside their transaction
 * (`OutboxRepository.add`) and call `dispatch` after the commit; the `mail.send` job sends
 * and marks each mail once; `mail.sweep` re-enqueues mails a crash left behind.
 */
export class MailService {
  private readonly outbox: OutboxRepository;
  private readonly mailer: Mailer;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private jobs?: JobQueue;

  constructor(outbox: OutboxRepository, mailer: Mailer, clock: Clock, logger: Logger) {
    this.outbox = outbox;
    this.mailer = mailer;
    this.clock = clock;
    this.logger = logger;
  }

  /** The queue and the mail service need each other; the composition root connects them. */
  attach(jobs: JobQueue): void {
    this.jobs = jobs;
  }

  async dispatch(outboxIds: readonly string[]): Promise<void> {
    for (const outboxId of outboxIds) {
      try {
        await this.jobs!.enqueue('mail.send', { outboxId });
      } catch (error) {
        // The sweep will send it; the user's change is already committed.
        this.logger.warn({ err: (error as Error).message, outboxId }, 'mail enqueue failed');
      }
    }
  }

  /** Writes one mail outside any other change (e.g. the contact form) and dispatches it. */
  async queueAndDispatch(mail: QueuedMail): Promise<void> {
    if (!this.mailer.has(mail.template)) throw new Error(`unknown mail template ${mail.template}`);
    await this.dispatch([await this.outbox.add(mail, this.clock.now())]);
  }

  async send(outboxId: string): Promise<void> {
    const mail = await this.outbox.find(outboxId);
    if (!mail || mail.sentAt || !(await this.outbox.claim(outboxId, this.clock.now()))) return;
    try {
      await this.mailer.send(mail.recipient, mail.template, mail.params);
    } catch (error) {
      await this.outbox.markFailed(outboxId, (error as Error).message);
      throw error;
    }
    await this.outbox.markSent(outboxId, this.clock.now());
    await this.outbox.scrubLink(outboxId);
  }

  async sweep(): Promise<void> {
    const now = this.clock.now().getTime();
    const stale = await this.outbox.unsentBefore(new Date(now - 30_000));
    await this.dispatch(stale);
    await this.outbox.deleteSentBefore(new Date(now - 7 * 24 * 3600_000));
  }
}
