import Router from '@koa/router';
import type { ContactService } from '../src/accounts/contact.service.ts';
import { ContactForm } from '../src/accounts/validation.ts';
import type { MailSink } from '../src/mail/mail-sink.ts';
import { formBody, parseForm, seeOther } from './form.ts';
import type { Renderer } from './render.ts';

/** CON-01: "Kontakt" in the footer. */
export function contactRoutes(contact: ContactService, renderer: Renderer): Router {
  const router = new Router();
  router.get('/kontakt', (ctx) => renderer.render(ctx, 'contact', { title: 'title.contact', values: {}, errors: {}, sent: ctx.query.gesendet === '1' }));
  router.post('/kontakt', async (ctx) => {
    const body = formBody(ctx);
    const parsed = parseForm(ContactForm, body);
    if (!parsed.ok) {
      renderer.render(ctx, 'contact', { title: 'title.contact', values: body, errors: parsed.errors }, 422);
      return;
    }
    if ((await contact.send(parsed.data, ctx.ip)) === 'throttled') {
      renderer.render(ctx, 'contact', { title: 'title.contact', values: body, errors: {}, throttled: true }, 429);
      return;
    }
    seeOther(ctx, '/kontakt?gesendet=1');
  });
  return router;
}

/** Development only: the mails the built-in SMTP sink received (never mounted in production). */
export function devMailRoutes(sink: MailSink, renderer: Renderer): Router {
  const router = new Router();
  router.get('/dev/mails', (ctx) => renderer.render(ctx, 'dev-mails', {
    title: 'title.devmail',
    mails: [...sink.mails].reverse().map((m) => ({ to: m.to.join(', '), subject: m.subject, date: m.date.toISOString(), text: m.text, links: m.links })),
  }));
  return router;
}
