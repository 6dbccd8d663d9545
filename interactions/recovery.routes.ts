import Router from '@koa/router';
import { z } from 'zod';
import type { SelfServiceService } from '../src/accounts/self-service.service.ts';
import { PasswordResetForm, emailSchema } from '../src/accounts/validation.ts';
import { formBody, parseForm, seeOther } from './form.ts';
import type { Renderer } from './render.ts';

const ResetRequestForm = z.object({ email: emailSchema });

/** RST-01/02: "Passwort vergessen?" → e-mail → link (60 minutes, single use) → new password. */
export function recoveryRoutes(selfService: SelfServiceService, renderer: Renderer, requestReset: (email: string, ip: string) => Promise<void>): Router {
  const router = new Router();

  router.get('/passwort-vergessen', (ctx) => renderer.render(ctx, 'reset-request', { title: 'title.reset', values: {}, errors: {} }));

  router.post('/passwort-vergessen', async (ctx) => {
    const body = formBody(ctx);
    const parsed = parseForm(ResetRequestForm, body);
    if (!parsed.ok) {
      renderer.render(ctx, 'reset-request', { title: 'title.reset', values: { email: body.email }, errors: parsed.errors }, 422);
      return;
    }
    // REG-07: the lookup runs in a job, so the answer takes the same time for every address.
    await requestReset(parsed.data.email, ctx.ip);
    seeOther(ctx, '/passwort-vergessen/gesendet');
  });

  router.get('/passwort-vergessen/gesendet', (ctx) => renderer.render(ctx, 'reset-sent', { title: 'title.reset_sent' }));

  router.get('/passwort-zuruecksetzen', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    if (!token || !(await selfService.isResetLinkValid(token))) {
      renderer.render(ctx, 'reset-failed', { title: 'title.reset_failed' }, 410);
      return;
    }
    renderer.render(ctx, 'reset-form', { title: 'title.reset_form', token, errors: {} });
  });

  router.post('/passwort-zuruecksetzen', async (ctx) => {
    const body = formBody(ctx);
    const parsed = parseForm(PasswordResetForm, body);
    if (!parsed.ok) {
      renderer.render(ctx, 'reset-form', { title: 'title.reset_form', token: body.token, errors: parsed.errors }, 422);
      return;
    }
    if (!(await selfService.resetPassword(body.token ?? '', parsed.data.password, ctx.ip))) {
      renderer.render(ctx, 'reset-failed', { title: 'title.reset_failed' }, 410);
      return;
    }
    seeOther(ctx, '/passwort-zuruecksetzen/fertig');
  });

  router.get('/passwort-zuruecksetzen/fertig', (ctx) => renderer.render(ctx, 'reset-done', { title: 'title.reset_done' }));
  return router;
}
