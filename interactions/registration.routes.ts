import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { RegistrationService } from '../src/accounts/registration.service.ts';
import { ConsentForm, RegistrationForm, displayNameSchema, emailSchema } from '../src/accounts/validation.ts';
import { formBody, parseForm, safeReturnTo, seeOther, type FieldErrors } from './form.ts';
import type { Renderer } from './render.ts';

const KeptPasswordForm = z.object({ displayName: displayNameSchema, email: emailSchema });

/** REG-01..06, ACT-01: "Registrieren" → "als Bürger" → "Servicekonto" → overview → activation. */
export function registrationRoutes(registration: RegistrationService, renderer: Renderer): Router {
  const router = new Router();
  const weiterOf = (ctx: Context, body?: Record<string, string>) => safeReturnTo(body?.weiter ?? ctx.query.weiter) ?? undefined;

  router.get('/registrieren', (ctx) => renderer.render(ctx, 'register-start', { title: 'title.register', weiter: weiterOf(ctx) }));
  router.get('/registrieren/buerger', (ctx) => renderer.render(ctx, 'register-kind', { title: 'title.register', weiter: weiterOf(ctx) }));

  const renderForm = (ctx: Context, data: { values?: Record<string, string>; errors?: FieldErrors; draft?: string; passwordKept?: boolean; weiter?: string }, status = 200) =>
    renderer.render(ctx, 'register-form', { title: 'title.register_form', values: {}, errors: {}, ...data }, status);
  const renderOverview = (ctx: Context, draft: { displayName: string; email: string }, draftId: string, weiter: string | undefined, errors: FieldErrors = {}, status = 200) =>
    renderer.render(ctx, 'register-overview', { title: 'title.register_overview', values: draft, draft: draftId, weiter, errors }, status);

  router.get('/registrieren/servicekonto', (ctx) => renderForm(ctx, { weiter: weiterOf(ctx) }));

  // "Weiter": validate everything server-side, keep the input, then show the overview.
  router.post('/registrieren/servicekonto', async (ctx) => {
    const body = formBody(ctx);
    const weiter = weiterOf(ctx, body);
    const existing = body.draft ? await registration.loadDraft(body.draft) : null;
    const keepPassword = existing !== null && body.password === '' && body.passwordRepeat === '';
    const parsed = keepPassword ? parseForm(KeptPasswordForm, body) : parseForm(RegistrationForm, body);
    const values = { displayName: body.displayName ?? '', email: body.email ?? '' };
    if (!parsed.ok) {
      renderForm(ctx, { values, errors: parsed.errors, draft: existing ? body.draft : undefined, passwordKept: keepPassword, weiter }, 422);
      return;
    }
    const { displayName, email } = parsed.data as { displayName: string; email: string };
    const password = keepPassword ? undefined : (parsed.data as RegistrationForm).password;
    const draftId = await registration.saveDraft({ draftId: existing ? body.draft : undefined, displayName, email, password, returnTo: weiter ?? null });
    renderOverview(ctx, { displayName, email }, draftId, weiter);
  });

  // "Zurück" returns to the form with the data kept (REG-05).
  router.post('/registrieren/servicekonto/zurueck', async (ctx) => {
    const body = formBody(ctx);
    const draft = await registration.loadDraft(body.draft ?? '');
    if (!draft) return seeOther(ctx, '/registrieren/servicekonto');
    renderForm(ctx, { values: { displayName: draft.displayName, email: draft.email }, draft: body.draft, passwordKept: true, weiter: draft.returnTo ?? undefined });
  });

  // "Servicekonto anlegen" needs the consent (REG-06); the answer is the same for every address (REG-07).
  router.post('/registrieren/servicekonto/anlegen', async (ctx) => {
    const body = formBody(ctx);
    const draft = await registration.loadDraft(body.draft ?? '');
    if (!draft) return seeOther(ctx, '/registrieren/servicekonto');
    const consent = parseForm(ConsentForm, body);
    if (!consent.ok) {
      renderOverview(ctx, draft, body.draft!, draft.returnTo ?? undefined, consent.errors, 422);
      return;
    }
    await registration.complete(body.draft!, ctx.ip);
    seeOther(ctx, '/registrieren/fertig');
  });

  router.get('/registrieren/fertig', (ctx) => renderer.render(ctx, 'register-done', { title: 'title.register_done' }));

  // ACT-01: the link completes the registration and leads to the first sign-in, continuing a
  // started sign-in at an online service.
  router.get('/aktivieren', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    const result = token ? await registration.activate(token, ctx.ip) : null;
    if (!result) {
      renderer.render(ctx, 'activation-failed', { title: 'title.activation_failed' }, 410);
      return;
    }
    renderer.render(ctx, 'activation-done', { title: 'title.activation_done', next: result.returnTo ?? '/konto' });
  });

  return router;
}
