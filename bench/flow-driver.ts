import { createHash, randomBytes } from 'node:crypto';

/**
 * A browser without a browser, reduced to what the authorization code flow needs: a cookie
 * jar keyed by name, manual redirects, the login form and (when due) the consent form, then
 * the code redemption at /token. Works against the real app and the bare baseline alike.
 */

export interface FlowUser {
  email: string;
  password: string;
}

export interface FlowTarget {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  users: readonly FlowUser[];
  scope?: string;
}

export interface FlowResult {
  refreshToken?: string;
  consented: boolean;
  ms: number;
}

export interface FlowRunOptions {
  concurrency: number;
  durationMs: number;
  /** Hard cap on flows started, so a run is bounded in count as well as time. */
  maxFlows: number;
  /** Keep the refresh tokens of completed flows (for the refresh_token grant bench). */
  keepRefreshTokens?: boolean;
}

export interface FlowRunReport {
  concurrency: number;
  completed: number;
  errors: number;
  errorKinds: Record<string, number>;
  errorSamples: string[];
  consents: number;
  elapsedMs: number;
  flowsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Every completed flow's duration, so runs can be merged. */
  latenciesMs: number[];
  refreshTokens: string[];
}

const REQUEST_TIMEOUT_MS = 15_000;
const MAX_HOPS = 12;

export class FlowError extends Error {
  readonly kind: string;
  constructor(kind: string, detail: string) {
    super(`${kind}: ${detail}`);
    this.kind = kind;
  }
}

class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [key = '', val = ''] = a.split('=').map((s) => s.trim());
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(val) <= Date.now();
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

const b64url = (buf: Buffer) => buf.toString('base64url');

export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
}

/** One complete sign-in of `user` in a fresh browser: authorize → login → consent if due → code → token. */
export async function signIn(target: FlowTarget, user: FlowUser): Promise<FlowResult> {
  const started = performance.now();
  const jar = new CookieJar();
  const origin = new URL(target.baseUrl).origin;
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const authorize = new URL('/auth', origin);
  authorize.search = new URLSearchParams({
    client_id: target.clientId,
    redirect_uri: target.redirectUri,
    response_type: 'code',
    scope: target.scope ?? 'openid profile email',
    state: b64url(randomBytes(12)),
    nonce: b64url(randomBytes(12)),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  const send = async (stage: string, url: string, form?: Record<string, string>) => {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header();
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    let res: Response;
    try {
      res = await fetch(url, { method: form ? 'POST' : 'GET', headers, body, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new FlowError(`${stage}:network`, (error as Error).message);
    }
    jar.store(res);
    const text = await res.text();
    const location = res.headers.get('location');
    return { status: res.status, text, location: location ? new URL(location, url).href : undefined };
  };

  let consented = false;
  let loggedIn = false;
  let page = await send('authorize', authorize.href);
  let code: string | undefined;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (page.status >= 300 && page.status < 400 && page.location) {
      if (page.location.startsWith(target.redirectUri)) {
        const params = new URL(page.location).searchParams;
        code = params.get('code') ?? undefined;
        if (!code) throw new FlowError('callback', `no code: ${params.get('error') ?? '?'} ${params.get('error_description') ?? ''}`);
        break;
      }
      if (new URL(page.location).origin !== origin) throw new FlowError('redirect', `left the provider: ${page.location}`);
      page = await send(new URL(page.location).pathname.startsWith('/interaction/') ? 'interaction' : 'resume', page.location);
      continue;
    }
    if (page.status !== 200) throw new FlowError(`http${page.status}`, page.text.slice(0, 200));
    // An interaction page: a login form or a consent form.
    const actions = [...page.text.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    const withCsrf = (form: Record<string, string>) => (csrf ? { _csrf: csrf, ...form } : form);
    const login = actions.find((a) => a.endsWith('/login'));
    const confirm = actions.find((a) => a.endsWith('/confirm'));
    if (login && !loggedIn) {
      loggedIn = true;
      page = await send('login', new URL(login, origin).href, withCsrf({ email: user.email, password: user.password }));
      if (page.status !== 303 && page.status !== 302) throw new FlowError(`login${page.status}`, page.text.slice(0, 200));
    } else if (confirm && !consented) {
      consented = true;
      page = await send('consent', new URL(confirm, origin).href, withCsrf({}));
      if (page.status !== 303 && page.status !== 302) throw new FlowError(`consent${page.status}`, page.text.slice(0, 200));
    } else {
      throw new FlowError('page', `unexpected page (forms: ${actions.join(', ') || 'none'})`);
    }
  }
  if (!code) throw new FlowError('hops', 'too many redirects');

  let res: Response;
  try {
    res = await fetch(new URL('/token', origin), {
      method: 'POST',
      headers: { authorization: basicAuth(target.clientId, target.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: target.redirectUri, code_verifier: verifier }).toString(),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new FlowError('token:network', (error as Error).message);
  }
  const text = await res.text();
  if (res.status !== 200) throw new FlowError(`token${res.status}`, text.slice(0, 200));
  const tokens = JSON.parse(text) as { access_token?: string; id_token?: string; refresh_token?: string };
  if (!tokens.access_token || !tokens.id_token) throw new FlowError('token', `incomplete response: ${Object.keys(tokens).join(',')}`);
  return { refreshToken: tokens.refresh_token, consented, ms: performance.now() - started };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** C workers run complete flows until the time is up (or maxFlows were started); each flow uses the next user. */
export async function runFlows(target: FlowTarget, options: FlowRunOptions): Promise<FlowRunReport> {
  const started = performance.now();
  const deadline = started + options.durationMs;
  let startedFlows = 0;
  let completed = 0;
  let errors = 0;
  let consents = 0;
  const errorKinds: Record<string, number> = {};
  const errorSamples: string[] = [];
  const latencies: number[] = [];
  const refreshTokens: string[] = [];

  const worker = async () => {
    while (performance.now() < deadline && startedFlows < options.maxFlows) {
      const user = target.users[startedFlows++ % target.users.length]!;
      try {
        const result = await signIn(target, user);
        completed++;
        if (result.consented) consents++;
        latencies.push(result.ms);
        if (options.keepRefreshTokens && result.refreshToken) refreshTokens.push(result.refreshToken);
      } catch (error) {
        errors++;
        const kind = error instanceof FlowError ? error.kind : 'exception';
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        if (errorSamples.length < 5) errorSamples.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    concurrency: options.concurrency,
    completed,
    errors,
    errorKinds,
    errorSamples,
    consents,
    elapsedMs,
    flowsPerSecond: completed / (elapsedMs / 1000),
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? 0,
    },
    latenciesMs: latencies,
    refreshTokens,
  };
}
