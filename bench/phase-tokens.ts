import type { FlowTarget } from './flow-driver.ts';
import type { LoadClient } from './load-client.ts';
import { interleave, meanOf, type Interleaved, type ServerName } from './measure.ts';
import type { Targets } from './servers.ts';
import { fmt, log, REFRESH_POOL, TOKEN_CONNECTIONS, TOKEN_SECONDS } from './settings.ts';
import type { TokenLoadOptions, TokenLoadReport } from './token-load.ts';

/*
 * Phase 2: /token requests per second under autocannon (run by the load child), baseline
 * against app — client_credentials with a request body both servers accept, then refresh_token
 * with rotating tokens minted by the flow driver right before each half.
 */

export interface TokenPhaseResult {
  /** The client_credentials body used for every run (with `scope=` only if both servers take it). */
  ccBody: string;
  /** How each server answered `grant_type=client_credentials&scope=`. */
  ccProbe: { baseline: string; app: string };
  clientCredentials: Interleaved<TokenLoadReport>;
  /** minted: refresh tokens in the pool of each half. */
  refresh: Interleaved<TokenLoadReport> & { minted: Record<ServerName, number[]> };
}

export const tokenOptions = (t: FlowTarget, durationSec: number): TokenLoadOptions => ({
  baseUrl: t.baseUrl, clientId: t.clientId, clientSecret: t.clientSecret, connections: TOKEN_CONNECTIONS, durationSec, maxRequests: 500_000,
});

export async function tokenPhase(load: LoadClient, targets: Targets): Promise<TokenPhaseResult> {
  // (2a) client_credentials: find a body both servers accept.
  const emptyScope = 'grant_type=client_credentials&scope=';
  const probe = async (t: FlowTarget, body: string) =>
    load.run<{ ok: boolean; status: number; text: string }>({ kind: 'probe-client-credentials', options: tokenOptions(t, 1), body }, 30_000);
  const probeB = await probe(targets.baseline, emptyScope);
  const probeA = await probe(targets.app, emptyScope);
  const describe = (p: { ok: boolean; status: number; text: string }) => (p.ok ? `accepted (${p.status})` : `rejected (${p.status} ${p.text.replace(/[`|]/g, "'")})`);
  const ccBody = probeB.ok && probeA.ok ? emptyScope : 'grant_type=client_credentials';
  if (ccBody !== emptyScope) {
    for (const t of [targets.baseline, targets.app]) {
      const p = await probe(t, ccBody);
      if (!p.ok) throw new Error(`client_credentials without scope refused by ${t.baseUrl}: ${p.status} ${p.text}`);
    }
  }
  log(`client_credentials body: ${ccBody} (empty scope: baseline ${describe(probeB)}, app ${describe(probeA)})`);
  // 2 s warm-up per server, untimed, so the timed halves do not pay for JIT and connection setup.
  for (const server of ['baseline', 'app'] as const) {
    await load.run<TokenLoadReport>({ kind: 'client-credentials', options: tokenOptions(targets[server], 2), body: ccBody }, 60_000);
  }
  const tokenHalf = TOKEN_SECONDS / 2;
  const cc = await interleave(load, 0, (server) =>
    load.run<TokenLoadReport>({ kind: 'client-credentials', options: tokenOptions(targets[server], tokenHalf), body: ccBody }, tokenHalf * 1000 + 60_000), mergeTokens);
  log(`client_credentials: baseline ${fmt(cc.baseline.okPerSecond, 0)} ok/s, app ${fmt(cc.app.okPerSecond, 0)} ok/s (non2xx ${cc.baseline.non2xx}/${cc.app.non2xx}); other processes ${fmt(cc.othersCores.baseline, 2)}/${fmt(cc.othersCores.app, 2)} cores`);

  // (2b) refresh_token: a pool is minted by the flow driver right before each half (the
  // baseline's in-memory adapter is an LRU of 1000 entries, so older tokens get evicted).
  const minted: Record<ServerName, number[]> = { baseline: [], app: [] };
  const rt = await interleave(load, 1, async (server) => {
    const mint = await load.flows(targets[server], { concurrency: 8, durationMs: 60_000, maxFlows: REFRESH_POOL, keepRefreshTokens: true });
    if (mint.refreshTokens.length < TOKEN_CONNECTIONS) throw new Error(`only ${mint.refreshTokens.length} refresh tokens minted on ${server}: ${mint.errorSamples.join(' | ')}`);
    minted[server].push(mint.refreshTokens.length);
    return load.run<TokenLoadReport>({ kind: 'refresh-token', options: tokenOptions(targets[server], tokenHalf), pool: mint.refreshTokens }, tokenHalf * 1000 + 60_000);
  }, mergeTokens);
  log(`refresh_token: baseline ${fmt(rt.baseline.okPerSecond, 0)} ok/s, app ${fmt(rt.app.okPerSecond, 0)} ok/s (chain breaks ${rt.baseline.chainBreaks}/${rt.app.chainBreaks}); other processes ${fmt(rt.othersCores.baseline, 2)}/${fmt(rt.othersCores.app, 2)} cores`);
  return { ccBody, ccProbe: { baseline: describe(probeB), app: describe(probeA) }, clientCredentials: cc, refresh: { ...rt, minted } };
}

/** Two halves of one server's autocannon measurement merged (latency percentiles: mean of the halves). */
function mergeTokens(parts: TokenLoadReport[]): TokenLoadReport {
  const ok = parts.reduce((a, p) => a + p.ok, 0);
  const durationSec = parts.reduce((a, p) => a + p.durationSec, 0);
  const statusCodes: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statusCodes)) statusCodes[k] = (statusCodes[k] ?? 0) + v;
  const weightedAvg = parts.reduce((a, p) => a + p.latencyMs.avg * p.ok, 0) / Math.max(1, ok);
  const chainBreaks = parts.some((p) => p.chainBreaks !== undefined) ? parts.reduce((a, p) => a + (p.chainBreaks ?? 0), 0) : undefined;
  return {
    grant: parts[0]!.grant,
    body: parts[0]!.body,
    connections: parts[0]!.connections,
    durationSec,
    ok,
    okPerSecond: ok / durationSec,
    non2xx: parts.reduce((a, p) => a + p.non2xx, 0),
    errors: parts.reduce((a, p) => a + p.errors, 0),
    timeouts: parts.reduce((a, p) => a + p.timeouts, 0),
    statusCodes,
    latencyMs: {
      avg: weightedAvg,
      p50: meanOf(parts.map((p) => p.latencyMs.p50)),
      p97_5: meanOf(parts.map((p) => p.latencyMs.p97_5)),
      p99: meanOf(parts.map((p) => p.latencyMs.p99)),
      max: Math.max(...parts.map((p) => p.latencyMs.max)),
    },
    ...(chainBreaks !== undefined ? { chainBreaks } : {}),
  };
}
