import type { AuditService } from '../audit/audit.service.ts';
import type { KvStore } from '../kv/kv-store.ts';
import type { MailService } from '../mail/mail-service.ts';

const PER_HOUR = 5;

/** CON-01: the contact form mails the customer service; limited per client address. */
export class ContactService {
  private readonly kv: KvStore;
  private readonly mail: MailService;
  private readonly audit: AuditService;
  private readonly recipient: string;

  constructor(kv: KvStore, mail: MailService, audit: AuditService, recipient: string) {
    this.kv = kv;
    this.mail = mail;
    this.audit = audit;
    this.recipient = recipient;
  }

  async send(message: { name: string; email: string; subject: string; message: string }, ip: string): Promise<'sent' | 'throttled'> {
    const { count } = await this.kv.add(`contact:${ip}`, 1, 3600);
    if (count > PER_HOUR) return 'throttled';
    await this.mail.queueAndDispatch({ recipient: this.recipient, template: 'contact', params: message });
    await this.audit.record({ type: 'contact.sent', result: 'success', ip });
    return 'sent';
  }
}
