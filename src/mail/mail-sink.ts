import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  date: Date;
  links: string[];
}

/**
 * A real SMTP server that keeps what it receives in memory: the development mailbox behind
 * /dev/mails (never in production) and the mail sink of the tests.
 */
export class MailSink {
  readonly mails: ReceivedMail[] = [];
  private readonly server: SMTPServer;
  private waiters: (() => void)[] = [];

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then((parsed) => {
          const text = parsed.text ?? '';
          const to = [parsed.to].flat().flatMap((a) => a?.value.map((v) => v.address ?? '') ?? []);
          this.mails.push({
            to, subject: parsed.subject ?? '', text, html: typeof parsed.html === 'string' ? parsed.html : '',
            date: parsed.date ?? new Date(), links: [...text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]),
          });
          if (this.mails.length > 200) this.mails.shift();
          for (const wake of this.waiters.splice(0)) wake();
          callback();
        }, callback);
      },
    });
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    const address = this.server.server.address() as AddressInfo;
    return `smtp://${host}:${address.port}`;
  }

  /** Waits until a mail to `to` matching `subject` arrives (bounded, for tests). */
  async waitFor(to: string, subject: RegExp, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.mails.find((m) => m.to.some((t) => t.toLowerCase() === to.toLowerCase()) && subject.test(m.subject));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no mail to ${to} matching ${subject} within ${timeoutMs} ms; got: ${this.mails.map((m) => `${m.to.join(',')}: ${m.subject}`).join(' | ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.some((t) => t.toLowerCase() === address.toLowerCase()));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
