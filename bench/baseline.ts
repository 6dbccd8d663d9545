import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import argon2 from 'argon2';
import { exportJWK, generateKeyPair } from 'jose';
import Koa from 'koa';
import Provider, { type Configuration } from 'oidc-provider';

/**
 * The bare reference: oidc-provider with its default in-memory adapter, one static client,
 * an ES256 key generated at start and a plain login form that verifies argon2id hashes made
 * at start with the app's parameters. Consent is granted in the login request itself (a Grant
 * for the requested scopes), so a flow is authorize → login → resume → code → token.
 * No database, no Redis, no templates, no CSRF, no audit, no throttling.
 */

export interface Argon2Parameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface BaselineOptions {
  host?: string;
  argon2?: Argon2Parameters;
  users?: number;
  password?: string;
}

export interface Baseline {
  url: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  users: { email: string; password: string }[];
  close(): Promise<void>;
}

/** The app's defaults (config/index.ts: OWASP argon2id), read from the same variables. */
export function argon2FromEnv(env: NodeJS.ProcessEnv = process.env): Argon2Parameters {
  return {
    memoryCost: Number(env.ARGON2_MEMORY_KIB ?? 19 * 1024),
    timeCost: Number(env.ARGON2_TIME_COST ?? 2),
    parallelism: Number(env.ARGON2_PARALLELISM ?? 1),
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startBaseline(port: number, options: BaselineOptions = {}): Promise<Baseline> {
  const host = options.host ?? '127.0.0.1';
  const params = options.argon2 ?? argon2FromEnv();
  const password = options.password ?? 'Baseline-Passwort-1!';
  const userCount = options.users ?? 16;

  // Bind first: the issuer must be known before the Provider is built (port 0 = any free port).
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;

  const accounts = new Map<string, { id: string; name: string; hash: string }>();
  const users: { email: string; password: string }[] = [];
  for (let i = 0; i < userCount; i++) {
    const email = `user${i}@baseline.test`;
    const hash = await argon2.hash(password, { type: argon2.argon2id, ...params });
    accounts.set(email, { id: randomUUID(), name: `User ${i}`, hash });
    users.push({ email, password });
  }
  const byId = new Map([...accounts.values()].map((a) => [a.id, a]));
  const emailOf = new Map([...accounts].map(([email, a]) => [a.id, email]));

  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };

  const clientId = 'baseline-client';
  const clientSecret = randomBytes(32).toString('base64url');
  const redirectUri = 'http://127.0.0.1:9/cb';

  const configuration: Configuration = {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      scope: 'openid profile email',
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    }],
    jwks: { keys: [jwk] } as Configuration['jwks'],
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
    },
    // Same token policy as the app: refresh tokens whenever allowed, rotated on every use.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    findAccount: async (_ctx, id) => {
      const account = byId.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, name: account.name, email: emailOf.get(id), email_verified: true }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // The app's default lifetimes (config/index.ts), which also silences the provider's notices.
    ttl: {
      AccessToken: 600, AuthorizationCode: 60, ClientCredentials: 600, IdToken: 600,
      RefreshToken: 14 * 24 * 3600, Interaction: 20 * 60, Session: 12 * 3600, Grant: 14 * 24 * 3600,
    },
  };
  const provider = new Provider(url, configuration);

  const router = new Router({ prefix: '/interaction/:uid' });
  router.get('/', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Login</title><form method="post" action="/interaction/${escapeHtml(details.uid)}/login">`
      + '<input name="email" type="email"><input name="password" type="password"><button>Anmelden</button></form>';
  });
  router.post('/login', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const body = (ctx.request.body ?? {}) as { email?: string; password?: string };
    const account = accounts.get(String(body.email ?? '').trim().toLowerCase());
    const ok = account ? await argon2.verify(account.hash, String(body.password ?? '')) : false;
    if (!account || !ok) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = 'invalid credentials';
      return;
    }
    // Auto consent: a Grant for every requested scope, handed in with the login result.
    const grant = new provider.Grant({ accountId: account.id, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    const redirectTo = await provider.interactionResult(ctx.req, ctx.res, {
      login: { accountId: account.id },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  });

  const koa = new Koa();
  const parse = bodyParser({ enableTypes: ['form'] });
  koa.use(async (ctx, next) => (ctx.path.startsWith('/interaction/') ? parse(ctx, next) : next()));
  koa.use(router.routes());
  const handle = provider.callback();
  koa.use(async (ctx) => {
    ctx.respond = false;
    await handle(ctx.req, ctx.res);
  });
  server.on('request', koa.callback());

  return {
    url, clientId, clientSecret, redirectUri, users,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

// `node bench/baseline.ts [port] [users]`: a standalone baseline (the bench uses it to compare idle RSS).
if (import.meta.main) {
  const baseline = await startBaseline(Number(process.argv[2] ?? 0), { users: Number(process.argv[3] ?? 16) });
  process.stdout.write(`baseline listening: ${baseline.url}\n`);
  const stop = () => void baseline.close().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
