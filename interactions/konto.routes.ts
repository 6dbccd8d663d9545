import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Account } from '../entities/account.entity.ts';
import type { SelfServiceService } from '../src/accounts/self-service.service.ts';
import { EmailChangeForm, PasswordChangeForm, currentPasswordSchema, displayNameSchema } from '../src/accounts/validation.ts';
import type { ConsentService } from '../src/consents/consent.service.ts';
import type { Clock } from '../src/clock.ts';
import { sessionLevel } from '../src/trust/levels.ts';
import { addressLine, germanDate } from '../src/eid/identity.ts';
import { formBody, parseForm, seeOther } from './form.ts';
import type { Renderer } from './render.ts';

const ProfileForm = z.object({ displayName: displayNameSchema });
const DeleteForm = z.object({ password: currentPasswordSchema, confirm: z.literal('yes', { message: 'konto.delete.confirm_required' }) });
const PENDING_EMAIL = 'sk.pending-email';

export interface KontoDeps {
  selfService: SelfServiceService;
  consents: ConsentService;
  renderer: Renderer;
  /** The guard (requireAccount) placed in front of every page but the e-mail link's start. */
  guard: Middleware;
  clock: Clock;
}

/** Mein Bereich: Übersicht, Mein Profil, Konto verwalten (PROF-01, MAIL-01/02, OIDC-04, DEL-01/02). */
export function kontoRoutes(deps: KontoDeps): Router {
  const { selfService, consents, renderer, guard } = deps;
  const router = new Router();
  const account = (ctx: Context) => ctx.state.account as Account;
  const page = (ctx: Context, view: string, title: string, section: string, data: Record<string, unknown> = {}, status = 200) =>
    renderer.render(ctx, view, { title, section, errors: {}, ...data }, status);

  router.get('/konto', guard, async (ctx) => {
    const a = account(ctx);
    page(ctx, 'konto-overview', 'title.konto', 'overview', {
      account: {
        displayName: a.displayName, email: a.email,
        kindLabel: renderer.text(ctx, a.kind === 'citizen_plus' ? 'register.kind.plus.heading' : 'register.kind.basic.heading'),
        levelLabel: renderer.text(ctx, `level.${sessionLevel(a.kind, 'pwd')}`),
      },
      consentCount: (await consents.list(a.id)).length,
    });
  });

  // PROF-02: the eID-sourced data of a Plus account are shown, never editable.
  const locked = (ctx: Context) => {
    const id = account(ctx).identity;
    if (!id) return [];
    const date = germanDate(id.birthDate);
    return ([
      ['claim.academic_title', id.academicTitle], ['claim.given_name', id.givenNames], ['claim.family_name', id.familyName],
      ['claim.birth_name', id.birthName], ['claim.birthdate', date], ['claim.address', addressLine(id.address)],
    ] as const).filter(([, value]) => value).map(([key, value]) => ({ label: renderer.text(ctx, key), value }));
  };
  router.get('/konto/profil', guard, (ctx) => page(ctx, 'konto-profile', 'title.konto_profile', 'profile', {
    values: { displayName: account(ctx).displayName }, email: account(ctx).email, locked: locked(ctx), saved: ctx.query.gespeichert === '1',
  }));
  router.post('/konto/profil', guard, async (ctx) => {
    const body = formBody(ctx);
    const parsed = parseForm(ProfileForm, body);
    if (!parsed.ok) {
      page(ctx, 'konto-profile', 'title.konto_profile', 'profile', { values: { displayName: body.displayName }, email: account(ctx).email, locked: locked(ctx), errors: parsed.errors }, 422);
      return;
    }
    await selfService.updateProfile(account(ctx).id, parsed.data.displayName, ctx.ip);
    seeOther(ctx, '/konto/profil?gespeichert=1');
  });

  router.get('/konto/verwalten', guard, (ctx) => page(ctx, 'konto-manage', 'title.konto_manage', 'manage'));

  router.get('/konto/email', guard, (ctx) => page(ctx, 'konto-email', 'title.konto_email', 'manage', {
    values: {}, currentEmail: account(ctx).email, sent: ctx.query.gesendet === '1',
  }));
  router.post('/konto/email', guard, async (ctx) => {
    const body = formBody(ctx);
    const parsed = parseForm(EmailChangeForm, body);
    if (!parsed.ok) {
      page(ctx, 'konto-email', 'title.konto_email', 'manage', { values: body, currentEmail: account(ctx).email, errors: parsed.errors }, 422);
      return;
    }
    await selfService.requestEmailChange(account(ctx).id, parsed.data.newEmail, ctx.ip);
    seeOther(ctx, '/konto/email?gesendet=1');
  });

  // MAIL-02: the link leads to a fresh sign-in with the old address and password first.
  router.get('/konto/email-bestaetigen', (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    // The sign-in that confirms must happen after the link was opened (MAIL-02).
    const pending = JSON.stringify({ token, openedAt: Math.floor(deps.clock.now().getTime() / 1000) });
    ctx.cookies.set(PENDING_EMAIL, pending, { signed: true, httpOnly: true, sameSite: 'lax', overwrite: true });
    ctx.redirect(`/konto/anmelden?erneut=1&weiter=${encodeURIComponent('/konto/email-bestaetigen/abschliessen')}`);
  });
  router.get('/konto/email-bestaetigen/abschliessen', guard, async (ctx) => {
    const raw = ctx.cookies.get(PENDING_EMAIL, { signed: true });
    ctx.cookies.set(PENDING_EMAIL, null);
    const pending = raw ? (JSON.parse(raw) as { token: string; openedAt: number }) : null;
    const freshSignIn = pending !== null && (ctx.state.loginTs as number) >= pending.openedAt;
    const newEmail = pending && freshSignIn ? await selfService.confirmEmailChange(pending.token, account(ctx).id, ctx.ip) : null;
    if (!newEmail) {
      renderer.render(ctx, 'konto-email-failed', { title: 'title.konto_email_failed' }, 410);
      return;
    }
    renderer.render(ctx, 'konto-email-confirmed', { title: 'title.konto_email_confirmed', newEmail });
  });

  router.get('/konto/passwort', guard, (ctx) => page(ctx, 'konto-password', 'title.konto_password', 'manage', { saved: ctx.query.gespeichert === '1' }));
  router.post('/konto/passwort', guard, async (ctx) => {
    const parsed = parseForm(PasswordChangeForm, formBody(ctx));
    if (!parsed.ok) {
      page(ctx, 'konto-password', 'title.konto_password', 'manage', { errors: parsed.errors }, 422);
      return;
    }
    const result = await selfService.changePassword(account(ctx).id, parsed.data.currentPassword, parsed.data.password, ctx.ip);
    if (result === 'wrong_password') {
      page(ctx, 'konto-password', 'title.konto_password', 'manage', { errors: { currentPassword: ['konto.password.current_wrong'] } }, 422);
      return;
    }
    seeOther(ctx, '/konto/passwort?gespeichert=1');
  });

  router.get('/konto/einwilligungen', guard, async (ctx) => {
    const list = await consents.list(account(ctx).id);
    const withdrawn = typeof ctx.query.widerrufen === 'string' ? ctx.query.widerrufen : undefined;
    page(ctx, 'konto-consents', 'title.konto_consents', 'manage', {
      withdrawn,
      consents: list.map((c) => ({
        clientId: c.clientId, serviceName: c.serviceName, authority: c.authority,
        claims: c.claims.filter((claim) => claim !== 'sub').map((claim) => renderer.text(ctx, `claim.${claim}`)),
        updatedAt: c.updatedAt.toLocaleString(ctx.state.lang === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Berlin' }),
      })),
    });
  });
  router.post('/konto/einwilligungen/widerrufen', guard, async (ctx) => {
    const name = await consents.withdraw(account(ctx).id, formBody(ctx).clientId ?? '', ctx.ip);
    seeOther(ctx, name ? `/konto/einwilligungen?widerrufen=${encodeURIComponent(name)}` : '/konto/einwilligungen');
  });

  router.get('/konto/loeschen', guard, (ctx) => page(ctx, 'konto-delete', 'title.konto_delete', 'manage'));
  router.post('/konto/loeschen', guard, async (ctx) => {
    const parsed = parseForm(DeleteForm, formBody(ctx));
    if (!parsed.ok) {
      page(ctx, 'konto-delete', 'title.konto_delete', 'manage', { errors: parsed.errors }, 422);
      return;
    }
    if (!(await selfService.deleteAccount(account(ctx).id, parsed.data.password))) {
      page(ctx, 'konto-delete', 'title.konto_delete', 'manage', { errors: { password: ['konto.delete.password_wrong'] } }, 422);
      return;
    }
    ctx.state.user = undefined;
    renderer.render(ctx, 'konto-deleted', { title: 'title.konto_deleted' });
  });

  return router;
}
