import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import nodemailer, { type Transporter } from 'nodemailer';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** German mail templates (`<name>.subject|text|html.hbs`) rendered and sent over SMTP. */
export class Mailer {
  private readonly templates = new Map<string, { subject: Handlebars.TemplateDelegate; text: Handlebars.TemplateDelegate; html: Handlebars.TemplateDelegate }>();
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(templatesDir: string, smtpUrl: string, from: string) {
    const text = Handlebars.create();
    const html = Handlebars.create();
    const partials = join(templatesDir, 'partials');
    for (const file of readdirSync(partials)) {
      const source = readFileSync(join(partials, file), 'utf8');
      const name = basename(file, '.hbs');
      if (name.endsWith('.html')) html.registerPartial(name.replace(/\.html$/, ''), source);
      else text.registerPartial(name.replace(/\.text$/, ''), source);
    }
    const read = (file: string) => readFileSync(join(templatesDir, file), 'utf8');
    for (const file of readdirSync(templatesDir).filter((f) => f.endsWith('.subject.hbs'))) {
      const name = file.replace(/\.subject\.hbs$/, '');
      this.templates.set(name, {
        // Subjects and plain text are not HTML: no entity escaping there.
        subject: text.compile(read(file).trim(), { noEscape: true }),
        text: text.compile(read(`${name}.text.hbs`), { noEscape: true }),
        html: html.compile(read(`${name}.html.hbs`)),
      });
    }
    this.transport = nodemailer.createTransport(smtpUrl);
    this.from = from;
  }

  has(template: string): boolean {
    return this.templates.has(template);
  }

  render(template: string, params: Record<string, unknown>): RenderedMail {
    const t = this.templates.get(template);
    if (!t) throw new Error(`unknown mail template ${template}`);
    return { subject: t.subject(params).replace(/\s+/g, ' ').trim(), text: t.text(params), html: t.html(params) };
  }

  async send(to: string, template: string, params: Record<string, unknown>): Promise<void> {
    const mail = this.render(template, params);
    await this.transport.sendMail({ from: this.from, to, ...mail });
  }

  close(): void {
    this.transport.close();
  }
}
