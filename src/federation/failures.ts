import * as client from 'openid-client';

/**
 * Why a federated sign-in did not work out. Each reason has its own German page telling the
 * citizen what happened and how to go on.
 */
export type FailureReason =
  | 'state' | 'disabled' | 'unreachable' | 'upstream_error' | 'upstream_cancelled'
  | 'nonce' | 'signature' | 'expired' | 'invalid_token' | 'not_citizen' | 'level_too_low' | 'level_unknown';

export const FAILURE_REASONS: readonly FailureReason[] = [
  'state', 'disabled', 'unreachable', 'upstream_error', 'upstream_cancelled',
  'nonce', 'signature', 'expired', 'invalid_token', 'not_citizen', 'level_too_low', 'level_unknown',
];

/** Our own configuration for a Land is unusable (e.g. its client secret cannot be decrypted). */
export class MemberConfigError extends Error {
  override readonly name = 'MemberConfigError';
}

interface Coded {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  status?: unknown;
  error?: unknown;
}

/** Maps what openid-client (oauth4webapi) or fetch threw to a reason. */
export function classifyFailure(error: unknown): { reason: FailureReason; upstreamError?: string } {
  // For the citizen the Land is "zurzeit nicht möglich"; the operator finds the cause in the log.
  if (error instanceof MemberConfigError) return { reason: 'disabled' };
  if (error instanceof client.AuthorizationResponseError) {
    return { reason: error.error === 'access_denied' ? 'upstream_cancelled' : 'upstream_error', upstreamError: error.error };
  }
  const chain: Coded[] = [];
  for (let e: unknown = error; e && typeof e === 'object' && chain.length < 5; e = (e as Coded).cause) chain.push(e as Coded);
  const has = (test: (e: Coded) => boolean) => chain.some(test);
  const message = (e: Coded) => String(e.message ?? '');
  if (has((e) => e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET'
    || message(e) === 'fetch failed' || e.code === 'OAUTH_RESPONSE_IS_NOT_JSON')) return { reason: 'unreachable' };
  if (error instanceof client.ResponseBodyError) {
    return (error.status >= 500) ? { reason: 'unreachable' } : { reason: 'upstream_error', upstreamError: error.error };
  }
  if (has((e) => e.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && message(e).includes('nonce'))) return { reason: 'nonce' };
  if (has((e) => e.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED')) return { reason: 'expired' };
  if (has((e) => e.code === 'OAUTH_KEY_SELECTION_FAILED' || /signature/i.test(message(e)))) return { reason: 'signature' };
  return { reason: 'invalid_token' };
}
