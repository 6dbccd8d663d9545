import autocannon, { type AutocannonRequest, type Result } from 'autocannon';
import { basicAuth } from './flow-driver.ts';

/**
 * Token endpoint load with autocannon's programmatic API.
 *
 * client_credentials: one fixed request (basic auth + form body), repeated.
 *
 * refresh_token: refresh tokens rotate, so each can be redeemed once. The pool of pre-minted
 * tokens is a queue shared by all connections: `setupRequest` takes the next token, and
 * `onResponse` of a 200 puts the rotated refresh token back. Every connection therefore
 * follows its own chain (one request in flight per connection), the pool never runs dry while
 * responses succeed, and every request is a genuine one-time redemption. A failed response
 * breaks its chain; the spare tokens of the pool replace it (counted as chainBreaks).
 */

export interface TokenLoadOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  connections: number;
  durationSec: number;
  /** Hard cap on requests, on top of the duration. */
  maxRequests: number;
}

export interface TokenLoadReport {
  grant: string;
  body: string;
  connections: number;
  durationSec: number;
  ok: number;
  okPerSecond: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  latencyMs: { avg: number; p50: number; p97_5: number; p99: number; max: number };
  chainBreaks?: number;
  poolLeft?: number;
}

function report(grant: string, body: string, options: TokenLoadOptions, result: Result): TokenLoadReport {
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count)]));
  return {
    grant,
    body,
    connections: options.connections,
    durationSec: result.duration,
    ok: result['2xx'],
    okPerSecond: result['2xx'] / result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    latencyMs: { avg: result.latency.average, p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
  };
}

const formHeaders = (options: TokenLoadOptions) => ({
  authorization: basicAuth(options.clientId, options.clientSecret),
  'content-type': 'application/x-www-form-urlencoded',
});

/** Sends the client_credentials body once and reports whether the server issued a token. */
export async function probeClientCredentials(options: TokenLoadOptions, body: string): Promise<{ ok: boolean; status: number; text: string }> {
  const res = await fetch(new URL('/token', options.baseUrl), { method: 'POST', headers: formHeaders(options), body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { ok: res.status === 200 && text.includes('"access_token"'), status: res.status, text: text.slice(0, 200) };
}

export async function clientCredentialsLoad(options: TokenLoadOptions, body: string): Promise<TokenLoadReport> {
  const result = await autocannon({
    url: new URL('/token', options.baseUrl).href,
    method: 'POST',
    headers: formHeaders(options),
    body,
    connections: options.connections,
    duration: options.durationSec,
    maxOverallRequests: options.maxRequests,
    timeout: 10,
  });
  return report('client_credentials', body, options, result);
}

export async function refreshTokenLoad(options: TokenLoadOptions, pool: string[]): Promise<TokenLoadReport> {
  const queue = [...pool];
  let chainBreaks = 0;
  const headers = formHeaders(options);
  const request: AutocannonRequest = {
    method: 'POST',
    path: '/token',
    headers,
    setupRequest: (req) => {
      // An empty pool still sends a request (a falsy return would stall autocannon); it fails as invalid_grant.
      const token = queue.shift() ?? 'pool-exhausted';
      return { ...req, method: 'POST', path: '/token', headers, body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}` };
    },
    onResponse: (status, body) => {
      if (status !== 200) {
        chainBreaks++;
        return;
      }
      try {
        const rotated = (JSON.parse(body) as { refresh_token?: string }).refresh_token;
        if (rotated) queue.push(rotated);
        else chainBreaks++;
      } catch {
        chainBreaks++;
      }
    },
  };
  const result = await autocannon({
    url: new URL('/token', options.baseUrl).href,
    requests: [request],
    connections: options.connections,
    duration: options.durationSec,
    maxOverallRequests: options.maxRequests,
    timeout: 10,
  });
  return { ...report('refresh_token', 'grant_type=refresh_token&refresh_token=<rotating pool>', options, result), chainBreaks, poolLeft: queue.length };
}
