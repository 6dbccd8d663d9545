import { createHash } from 'node:crypto';
import { errors, importJWK, importSPKI, jwtVerify, type CompactJWSHeaderParameters, type JWK } from 'jose';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { KvStore } from '../kv/kv-store.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { FederationListEntry, type FederationMemberService } from './federation-member.service.ts';

/** Asymmetric only: with 'none' or HMAC the "public" key would be enough to forge a list. */
const ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'];
const TIMEOUT_MS = 10_000;
const MAX_BYTES = 1024 * 1024;
const CONTENT_TYPES = new Set(['application/jose', 'application/jwt', 'text/plain']);
/** A list issued further ahead than this would lock out every correct list until that time. */
const FUTURE_SKEW_SECONDS = 300;
const MARK_KEY = 'federation-list:applied';
/** Longer than any sensible list lifetime, so the replay mark outlives the lists it guards against. */
const MARK_TTL_SECONDS = 400 * 24 * 3600;

const ListPayload = z.object({
  iss: z.string().optional(),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().optional(),
  members: z.array(FederationListEntry).max(1000),
});

/** The list in force: its iat, and a digest telling a re-fetch of it from a re-issue. */
const Mark = z.object({ iat: z.number(), digest: z.string() });

/**
 * `held`: listed Länder kept disabled because the list changed their issuer (our client secret
 * would go to the new host) until an operator runs `federation enable` (FED-05).
 */
export type RefreshResult =
  | { ok: true; applied: string[]; disabled: string[]; skipped: string[]; held: string[] }
  | { ok: false; reason: string };

/** A refusal whose message is already the reason to report. */
class Refused extends Error {}

export interface MemberListSyncDeps {
  url: string;
  /** The federation's public key: JWK JSON or SPKI PEM. */
  key: string;
  members: FederationMemberService;
  kv: KvStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  fetch?: typeof fetch;
}

/**
 * FED-05: keeps the federation list in line with the signed document the federation publishes.
 * Whatever goes wrong, the database is left as it was, so the last valid list stays in force,
 * and the stale gauge tells the operators.
 */
export class MemberListSync {
  private readonly deps: Required<MemberListSyncDeps>;
  private running?: Promise<RefreshResult>;

  constructor(deps: MemberListSyncDeps) {
    this.deps = { ...deps, fetch: deps.fetch ?? globalThis.fetch };
  }

  /** The start-up run and the daily job may meet; they share one attempt. */
  refresh(): Promise<RefreshResult> {
    this.running ??= this.attempt().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async attempt(): Promise<RefreshResult> {
    const { members, kv, clock, logger, metrics } = this.deps;
    try {
      const jws = await this.download();
      const digest = createHash('sha256').update(jws.split('.')[1] ?? '').digest('base64url');
      const { payload } = await jwtVerify(jws, (header) => this.keyFor(header), {
        algorithms: ALGORITHMS, currentDate: clock.now(), requiredClaims: ['iat'],
      });
      const parsed = ListPayload.safeParse(payload);
      if (!parsed.success) throw new Refused(`invalid list: ${describe(parsed.error)}`);
      const list = parsed.data;
      await this.checkFresh(list.iat, digest);
      const result = await members.applyList(list.members, new Date(list.iat * 1000));
      await kv.set(MARK_KEY, JSON.stringify({ iat: list.iat, digest }), MARK_TTL_SECONDS);

      metrics.federationListStale.set(0);
      metrics.federationListRefreshes.inc({ result: 'success' });
      metrics.federationListLastSuccess.set(Math.floor(clock.now().getTime() / 1000));
      logger.info({ issuedAt: list.iat, applied: result.applied, disabled: result.disabled, held: result.held }, 'federation list applied');
      if (result.skipped.length > 0) {
        logger.warn({ skipped: result.skipped }, 'federation list names Länder without local client credentials; add them with `npm run cli -- federation add`');
      }
      if (result.held.length > 0) {
        logger.warn({ held: result.held }, 'federation list changed the issuer of these Länder; they stay disabled until checked and enabled with `npm run cli -- federation enable`');
      }
      return { ok: true, ...result };
    } catch (error) {
      const reason = reasonOf(error);
      metrics.federationListStale.set(1);
      metrics.federationListRefreshes.inc({ result: 'failure' });
      logger.error({ url: this.deps.url, reason }, 'federation list refresh failed; the last valid list stays in force');
      return { ok: false, reason };
    }
  }

  private async download(): Promise<string> {
    const response = await this.deps.fetch(this.deps.url, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { accept: [...CONTENT_TYPES].join(', ') },
    });
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const refusal = !response.ok ? `HTTP ${response.status}`
      : !CONTENT_TYPES.has(type) ? `unexpected content-type '${type}'`
        : Number(response.headers.get('content-length') ?? 0) > MAX_BYTES ? `larger than ${MAX_BYTES} bytes` : null;
    if (refusal) {
      await response.body?.cancel().catch(() => undefined);
      throw new Refused(refusal);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > MAX_BYTES) throw new Refused(`larger than ${MAX_BYTES} bytes`);
      chunks.push(chunk);
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)).trim();
  }

  /** The document names its algorithm (already checked against ALGORITHMS); the key must fit it. */
  private async keyFor(header: CompactJWSHeaderParameters) {
    const { key } = this.deps;
    try {
      if (!key.startsWith('{')) return await importSPKI(key, header.alg);
      const jwk = JSON.parse(key) as JWK;
      if (jwk.kty === 'oct' || 'd' in jwk) throw new Error('not a public key');
      if (jwk.alg && jwk.alg !== header.alg) throw new Error(`it is meant for ${jwk.alg}`);
      return await importJWK(jwk, header.alg);
    } catch (error) {
      throw new Refused(`the federation key cannot verify ${header.alg}: ${(error as Error).message}`);
    }
  }

  private async checkFresh(iat: number, digest: string): Promise<void> {
    const now = Math.floor(this.deps.clock.now().getTime() / 1000);
    if (iat > now + FUTURE_SKEW_SECONDS) throw new Refused(`issued in the future (iat ${iat})`);
    const stored = await this.deps.kv.get(MARK_KEY);
    const mark = stored === null ? null : Mark.safeParse(safeJson(stored)).data;
    if (!mark) return;
    if (iat < mark.iat) throw new Refused(`replayed: issued at ${iat}, older than the list in force (${mark.iat})`);
    // The same document fetched again is the list in force, not a replay; a different one under the same iat is.
    if (iat === mark.iat && digest !== mark.digest) throw new Refused(`not newer than the list in force (iat ${iat})`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
}

function reasonOf(error: unknown): string {
  if (error instanceof Refused) return error.message;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'signature algorithm not allowed';
  if (error instanceof errors.JWTExpired) return 'the list has expired (exp)';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim}: ${error.message}`;
  if (error instanceof errors.JOSEError) return `not a valid signed list: ${error.message}`;
  if (error instanceof z.ZodError) return `invalid list: ${describe(error)}`;
  // By name: fetch's errors may come from another realm (a VM context), where instanceof fails.
  const { name, cause } = error as { name?: string; cause?: { code?: string; message?: string } };
  if (name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  if (name === 'TypeError' && cause) return `cannot fetch: ${cause.code ?? cause.message}`;
  return (error as Error).message ?? String(error);
}
