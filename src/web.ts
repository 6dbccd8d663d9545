import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import mount from 'koa-mount';
import serve from 'koa-static';
import { fileURLToPath } from 'node:url';
import { contactRoutes, devMailRoutes } from '../interactions/contact.routes.ts';
import { interactionRoutes } from '../interactions/interaction.routes.ts';
import { federationRoutes } from '../interactions/federation.routes.ts';
import { kontoRoutes } from '../interactions/konto.routes.ts';
import { pageRoutes } from '../interactions/page.routes.ts';
import { portalAuthRoutes, requireAccount } from '../interactions/portal-auth.routes.ts';
import { recoveryRoutes } from '../interactions/recovery.routes.ts';
import { registrationRoutes } from '../interactions/registration.routes.ts';
import { plusRegistrationRoutes } from '../interactions/plus-registration.routes.ts';
import { eidRoutes, tcTokenRoutes } from '../interactions/eid.routes.ts';
import type { PlusService } from './eid/plus.service.ts';
import type { Renderer } from '../interactions/render.ts';
import { csrf } from './http/csrf.ts';
import { errorHandler } from './http/error-handler.ts';
import { healthRoutes, type ReadinessProbe } from './http/health.ts';
import { localeMiddleware } from './http/i18n.ts';
import { requestContext } from './http/request-context.ts';
import { securityHeaders } from './http/security-headers.ts';
import { withSessionCookiesOnly } from './http/session-cookies-only.ts';
import { sessionIdle } from './http/session-idle.ts';
import type { MailSink } from './mail/mail-sink.ts';
import type { JobQueue } from './jobs/jobs.ts';
import type { Oidc } from './oidc/provider.ts';
import type { Infrastructure, Services } from './services.ts';

export const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** Provider endpoints that never render a page nor set a cookie. */
const PROTOCOL_FAST_LANE = /^\/(token|me|jwks|\.well-known\/)/i;

/** Paths of our own pages: they parse forms and check CSRF; protocol endpoints stay untouched. */
const PAGE_PATH = /^\/(interaction\/|registrieren|aktivieren|passwort-|konto|abmelden|kontakt|dev\/|eid\/zurueck)/i;

/** Assembles the Koa application: shared middleware, our pages, then the OIDC protocol. */
export function buildWeb(
  infra: Infrastructure, services: Services & { plus: PlusService }, oidc: Oidc, renderer: Renderer,
  options: { probes: ReadinessProbe[]; devSink?: MailSink; tcToken: (ref: string) => Promise<string | null>; jobs: JobQueue; eidClientOrigin: string },
): Koa {
  const { config, clock, logger, metrics, kv } = infra;
  const koa = new Koa({ proxy: config.trustProxy, keys: [...config.cookieKeys] });
  koa.use(requestContext(logger, metrics));
  // eID buttons post to us and are redirected to the eID client (AusweisApp or simulator).
  koa.use(securityHeaders([options.eidClientOrigin]));
  koa.use(localeMiddleware());
  koa.use(errorHandler(logger, (ctx, page, status) => renderer.render(ctx, 'error', { title: 'title.error', ...page }, status)));
  // Machine-to-machine endpoints (token, userinfo, JWKS, discovery) need none of the page
  // middleware below; they go straight to the provider.
  const protocol = mount(oidc.provider);
  koa.use((ctx, next) => (PROTOCOL_FAST_LANE.test(ctx.path) ? protocol(ctx, next) : next()));
  koa.use(healthRoutes(options.probes, metrics, config.metricsToken).routes());
  koa.use(mountAssets('/assets', root('interactions/assets')));
  koa.use(mountAssets('/assets/kern', root('node_modules/@kern-ux/native/dist')));
  koa.use(sessionIdle(oidc.interactions, kv, clock, config.ttl.sessionIdle));
  const formStack = composeForms();
  koa.use(async (ctx, next) => (PAGE_PATH.test(ctx.path) ? formStack(ctx, next) : next()));

  const guard = requireAccount(oidc.interactions, services.accounts, kv);
  const routers = [
    pageRoutes(renderer),
    interactionRoutes({ port: oidc.interactions, accounts: services.accounts, audit: services.audit, renderer, kv, federation: services.federation }),
    federationRoutes({ port: oidc.interactions, federation: services.federation, renderer }),
    registrationRoutes(services.registration, renderer),
    plusRegistrationRoutes(services.registration, services.plus, renderer),
    recoveryRoutes(services.selfService, renderer, (email, ip) => options.jobs.enqueue('password.reset_request', { email, ip })),
    portalAuthRoutes({ port: oidc.interactions, kv, renderer, issuer: config.issuer }),
    kontoRoutes({ selfService: services.selfService, consents: services.consents, renderer, guard, clock }),
    contactRoutes(services.contact, renderer),
    eidRoutes({ plus: services.plus, port: oidc.interactions, kv, renderer, guard }),
    tcTokenRoutes(options.tcToken),
    ...(options.devSink && !config.production ? [devMailRoutes(options.devSink, renderer)] : []),
  ];
  for (const router of routers) koa.use(router.routes());

  // Everything else is the OIDC protocol, served by oidc-provider. Mounting shares one Koa
  // context per request instead of handing the raw request to a second application.
  koa.use(async (ctx, next) => {
    withSessionCookiesOnly(ctx.res);
    await protocol(ctx, next);
  });
  return koa;
}

function composeForms() {
  const parse = bodyParser({ enableTypes: ['form'], formLimit: '32kb' });
  const check = csrf();
  return (ctx: Koa.Context, next: Koa.Next) => parse(ctx, () => check(ctx, next));
}

function mountAssets(prefix: string, dir: string) {
  const files = serve(dir, { maxage: 86400_000 });
  return async (ctx: Koa.Context, next: Koa.Next) => {
    if (!ctx.path.startsWith(`${prefix}/`)) return next();
    const original = ctx.path;
    ctx.path = ctx.path.slice(prefix.length);
    await files(ctx, async () => {
      ctx.path = original;
      await next();
    });
  };
}
