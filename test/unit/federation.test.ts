import { describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { MemberConfigError, classifyFailure } from '../../src/federation/failures.ts';
import { FederationMemberService } from '../../src/federation/federation-member.service.ts';

const LOW = 'http://eidas.europa.eu/LoA/low';
const SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';
const HIGH = 'http://eidas.europa.eu/LoA/high';

const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('federation rules', () => {
  const member = { acrMap: { [LOW]: 'niedrig', [SUBSTANTIAL]: 'substanziell', [HIGH]: 'hoch' } as const, maxLevel: 'substanziell' as const };

  it('FED-06 maps a member\'s acr to our level and caps it at the member\'s maximum, never raising it', () => {
    expect(FederationMemberService.levelFor(member, LOW)).toBe('niedrig');
    expect(FederationMemberService.levelFor(member, SUBSTANTIAL)).toBe('substanziell');
    expect(FederationMemberService.levelFor(member, HIGH)).toBe('substanziell');
    expect(FederationMemberService.levelFor({ ...member, maxLevel: 'niedrig' }, SUBSTANTIAL)).toBe('niedrig');
  });

  it('FED-06 an unmapped acr (also an inherited property name) yields no level at all', () => {
    expect(FederationMemberService.levelFor(member, 'urn:land:unbekannt')).toBeNull();
    expect(FederationMemberService.levelFor(member, 'toString')).toBeNull();
    expect(FederationMemberService.levelFor(member, '__proto__')).toBeNull();
  });

  it('FED-02 tells the failure pages apart: cancellation, upstream error, nonce, expiry, signature, network', () => {
    const cancelled = new client.AuthorizationResponseError('denied', { cause: new URLSearchParams({ error: 'access_denied' }) });
    expect(classifyFailure(cancelled)).toEqual({ reason: 'upstream_cancelled', upstreamError: 'access_denied' });
    const failed = new client.AuthorizationResponseError('failed', { cause: new URLSearchParams({ error: 'server_error' }) });
    expect(classifyFailure(failed)).toEqual({ reason: 'upstream_error', upstreamError: 'server_error' });
    expect(classifyFailure(coded('OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'unexpected ID Token "nonce" claim value')).reason).toBe('nonce');
    expect(classifyFailure(coded('OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'unexpected JWT "aud" claim value')).reason).toBe('invalid_token');
    expect(classifyFailure(coded('OAUTH_JWT_TIMESTAMP_CHECK_FAILED', 'unexpected JWT "exp" (expiration time) claim value, expiration is past current timestamp')).reason).toBe('expired');
    expect(classifyFailure(coded('OAUTH_INVALID_RESPONSE', 'JWT signature verification failed')).reason).toBe('signature');
    expect(classifyFailure(Object.assign(new TypeError('fetch failed'), { cause: coded('ECONNREFUSED', 'connect ECONNREFUSED') })).reason).toBe('unreachable');
    expect(classifyFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError')).reason).toBe('unreachable');
    expect(classifyFailure(new Error('something else')).reason).toBe('invalid_token');
    // Our own broken configuration is not the citizen's token's fault.
    expect(classifyFailure(new MemberConfigError('no client secret')).reason).toBe('disabled');
  });
});
