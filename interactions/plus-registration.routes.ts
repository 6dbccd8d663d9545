import Router from '@koa/router';
import type { Context } from 'koa';
import type { RegistrationService } from '../src/accounts/registration.service.ts';
import { RegistrationForm } from '../src/accounts/validation.ts';
import { addressLine, displayNameFrom, germanDate, identityFrom } from '../src/eid/identity.ts';
import type { PlusService } from '../src/eid/plus.service.ts';
import { formBody, parseForm, safeReturnTo, type FieldErrors } from './form.ts';
import type { Renderer } from './render.ts';
import { handOverToEid, takeEidFlowId } from './eid.routes.ts';

/**
 * EID-01: registration straight to Servicekonto Plus — e-mail and password first, then the
 * identity data from the eID (address and birth date only from there), then the overview,
 * the consent and the activation mail like a basic registration.
 */
export function plusRegistrationRoutes(registration: RegistrationService, plus: PlusService, renderer: Renderer): Router {
  const router = new Router();
  const form = (ctx: Context, data: { values?: Record<string, string>; errors?: FieldErrors; weiter?: string }, status = 200) =>
    renderer.render(ctx, 'register-plus-info', { title: 'title.register_plus', values: {}, errors: {}, ...data }, status);
  const failed = (ctx: Context, message: string) => renderer.render(ctx, 'eid-result', {
    title: 'title.eid_failed', heading: 'eid.failed.heading', message, next: '/registrieren/servicekonto-plus',
  }, 400);

  router.get('/registrieren/servicekonto-plus', (ctx) => form(ctx, { weiter: safeReturnTo(ctx.query.weiter) ?? undefined }));

  router.post('/registrieren/servicekonto-plus', async (ctx) => {
    const body = formBody(ctx);
    const weiter = safeReturnTo(body.weiter) ?? undefined;
    // The name is read from the card later; the form asks only for e-mail and password.
    const parsed = parseForm(RegistrationForm, { ...body, displayName: 'Servicekonto Plus' });
    if (!parsed.ok) return form(ctx, { values: { email: body.email ?? '' }, errors: parsed.errors, weiter }, 422);
    const draftId = await registration.saveDraft({ displayName: '', email: parsed.data.email, password: parsed.data.password, returnTo: weiter ?? null });
    handOverToEid(ctx, await plus.begin('register', '/registrieren/servicekonto-plus/zurueck', { draftId }));
  });

  router.get('/registrieren/servicekonto-plus/zurueck', async (ctx) => {
    const done = await plus.finish(takeEidFlowId(ctx));
    if (!done?.flow.draftId) return failed(ctx, 'eid.failed.invalid_session');
    if (!done.result.ok) return failed(ctx, `eid.failed.${done.result.reason}`);
    const { person } = done.result;
    if (!(await plus.pseudonymFree(person.restrictedId))) return failed(ctx, 'eid.failed.eid.pseudonym_taken');
    const identity = identityFrom(person, new Date());
    const draft = await registration.attachEid(done.flow.draftId, {
      identity: { ...identity, verifiedAt: identity.verifiedAt.toISOString() }, pseudonym: person.restrictedId ?? null,
    }, displayNameFrom(identity));
    if (!draft) return failed(ctx, 'eid.failed.invalid_session');
    renderer.render(ctx, 'register-overview', {
      title: 'title.register_overview', values: { displayName: draft.displayName, email: draft.email }, draft: done.flow.draftId,
      weiter: draft.returnTo ?? undefined, errors: {},
      identity: [
        ['claim.given_name', identity.givenNames], ['claim.family_name', identity.familyName], ['claim.birth_name', identity.birthName],
        ['claim.birthdate', germanDate(identity.birthDate)], ['claim.place_of_birth', identity.placeOfBirth],
        ['claim.address', addressLine(identity.address)],
      ].filter(([, v]) => v).map(([key, value]) => ({ label: renderer.text(ctx, key!), value })),
      eidSignIn: Boolean(person.restrictedId),
    });
  });

  return router;
}
