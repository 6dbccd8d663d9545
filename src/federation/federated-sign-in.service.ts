import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { CITIZEN_ACCOUNT_TYPES, SCOPE_CLAIMS, NON_REJECTABLE_CLAIMS } from '../../config/claims.ts';
import type { Level } from '../../config/trust-levels.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { sameSecret } from '../constant-time.ts';
import type { Clock } from '../clock.ts';
import type { KvStore } from '../kv/kv-store.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { atLeast, rank } from '../trust/levels.ts';
import { federatedAccountId, federatedIdentityIdOf, type FederatedProfile } from './federated-account.ts';
import type { FederatedIdentityRepository } from './federated-identity.repository.ts';
import { FederationMemberService, type FederationMemberView } from './federation-member.service.ts';
import type { MemberClients } from './member-client.ts';
import { classifyFailure, type FailureReason } from './failures.ts';

export type { FailureReason };

export interface FederationOffer {
  code: string;
  displayName: string;
  /** Where "Anmelden" leads (the Land choice page's CSP must let its form go there). */
  origin: string;
}

export type BeginResult = { ok: true; url: string } | { ok: false; reason: 'not_offered' | 'unreachable' | 'disabled'; member?: FederationOffer };

export type CompleteResult =
  | { ok: true; accountId: string; level: Level; amr: string[]; authTime: number; member: FederationOffer }
  | { ok: false; reason: FailureReason; member?: FederationOffer; upstreamError?: string };

/** What begin() leaves for the way back; single-use, bound to the interaction. */
interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  member: string;
  claims: string[];
  /** The oldest home sign-in this level and request accept, in seconds (sent as max_age). */
  maxAge: number;
}

export interface FederatedSignInDeps {
  members: FederationMemberService;
  identities: FederatedIdentityRepository;
  clients: MemberClients;
  kv: KvStore;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Our redirect URI at every member: `<issuer>/federation/callback`. */
  redirectUri: string;
  /** How long an unfinished hand-over may take (the interaction's lifetime). */
  pendingTtlSeconds: number;
  /** How long the home Land's data may stay in the provider store (the session's lifetime). */
  profileTtlSeconds: number;
  /** Maximum age of a sign-in per level (TR-03160-1): a home sign-in older than that does not count. */
  levelMaxAge: Readonly<Record<Level, number>>;
}

const pendingKey = (uid: string) => `federation:pending:${uid}`;
const profileKey = (accountId: string) => `federation:profile:${accountId}`;

/** The interaction uid a callback belongs to; the state is `<uid>.<random>`. */
export function interactionOfState(state: string | null): string | null {
  const at = state?.lastIndexOf('.') ?? -1;
  return at > 0 ? state!.slice(0, at) : null;
}

/**
 * "Anmeldung mit anderem Servicekonto" (FED-01..05): we are a relying party at the citizen's
 * home Land. The home Land's statement is validated by openid-client; the level it asserts is
 * mapped and capped, never raised; only citizen accounts pass; nothing is stored unless every
 * check passed, and then only the (issuer, sub) link.
 */
export class FederatedSignInService {
  private readonly deps: FederatedSignInDeps;

  constructor(deps: FederatedSignInDeps) {
    this.deps = deps;
  }

  /** FED-04/05: the Länder offered for a service, empty when it does not allow federation. */
  async offers(federationAllowed: boolean, required: Level): Promise<FederationOffer[]> {
    if (!federationAllowed) return [];
    return (await this.deps.members.enabled()).filter((m) => reaches(m, required))
      .map((m) => ({ ...offer(m), origin: this.deps.clients.authorizationOrigin(m) }));
  }

  /**
   * `maxAge` and `forceLogin` are the service's own freshness demands (max_age, prompt=login);
   * they travel on to the home Land, whose sign-in time is the one that counts.
   */
  async begin(input: {
    uid: string; memberCode: string; required: Level; claims: readonly string[]; federationAllowed: boolean; clientId: string; ip: string;
    maxAge?: number; forceLogin?: boolean;
  }): Promise<BeginResult> {
    const member = await this.deps.members.find(input.memberCode);
    if (!input.federationAllowed || !member || !member.enabled || !reaches(member, input.required)) return { ok: false, reason: 'not_offered' };
    let config: client.Configuration;
    try {
      config = await this.deps.clients.configFor(member);
    } catch (error) {
      const reason = classifyFailure(error).reason === 'disabled' ? 'disabled' : 'unreachable';
      this.deps.logger[reason === 'disabled' ? 'error' : 'warn']({ err: error, member: member.code }, `federation member ${reason}`);
      // Like every other failure event: which service the citizen came from, and from where.
      await this.auditFailure(member, reason, input);
      return { ok: false, reason, member: offer(member) };
    }
    // Only what the online service asked for and the member can deliver, plus the account type
    // that FED-03 needs.
    const claims = input.claims.filter((c) => member.claims.includes(c) && !NON_REJECTABLE_CLAIMS.has(c));
    const scopes = ['openid', 'account_type', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid' && SCOPE_CLAIMS[s]!.some((c) => claims.includes(c)))];
    const pending: Pending = {
      state: `${input.uid}.${client.randomState()}`,
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      member: member.code,
      claims,
      maxAge: Math.min(this.deps.levelMaxAge[input.required], input.maxAge ?? Infinity),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.deps.redirectUri,
      scope: [...new Set(scopes)].join(' '),
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      acr_values: acceptableAcrs(member, input.required).join(' '),
      max_age: String(pending.maxAge),
      ...(input.forceLogin ? { prompt: 'login' } : {}),
      ui_locales: 'de',
    });
    await this.deps.kv.set(pendingKey(input.uid), JSON.stringify(pending), this.deps.pendingTtlSeconds);
    return { ok: true, url: url.href };
  }

  /**
   * The way back from the home Land. `params` are the callback's query parameters; `required`
   * and `clientId` come from the interaction, which the caller has already found by its cookie.
   */
  async complete(input: { uid: string; params: URLSearchParams; required: Level; clientId: string; ip: string }): Promise<CompleteResult> {
    const raw = await this.deps.kv.take(pendingKey(input.uid));
    const pending = raw ? (JSON.parse(raw) as Pending) : null;
    if (!pending || !sameSecret(input.params.get('state') ?? '', pending.state)) {
      await this.auditFailure(undefined, 'state', input);
      return { ok: false, reason: 'state' };
    }
    const member = await this.deps.members.find(pending.member);
    if (!member || !member.enabled) {
      await this.auditFailure(member ?? { code: pending.member }, 'disabled', input);
      return { ok: false, reason: 'disabled', ...(member ? { member: offer(member) } : {}) };
    }
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    let userinfo: client.UserInfoResponse;
    try {
      const config = await this.deps.clients.configFor(member);
      const callback = new URL(this.deps.redirectUri);
      callback.search = input.params.toString();
      tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true,
        // openid-client then requires auth_time and refuses a home sign-in older than this.
        maxAge: pending.maxAge,
      });
      userinfo = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      this.deps.clients.remember(member, config);
    } catch (error) {
      const { reason, upstreamError } = classifyFailure(error);
      this.deps.logger.warn({ err: error, member: member.code, reason }, 'federated sign-in refused');
      await this.auditFailure(member, reason, input, upstreamError ? { upstreamError } : {});
      return { ok: false, reason, member: offer(member), ...(upstreamError ? { upstreamError } : {}) };
    }
    const idToken = tokens.claims()!;
    // FED-03: only citizen accounts; a token that does not say so is not taken on trust.
    if (!CITIZEN_ACCOUNT_TYPES.has(String(userinfo.account_type ?? ''))) {
      await this.auditFailure(member, 'not_citizen', input, { accountType: String(userinfo.account_type ?? '') });
      return { ok: false, reason: 'not_citizen', member: offer(member) };
    }
    // FED-06: the member's level, mapped and capped at what it may assert, never raised.
    const level = typeof idToken.acr === 'string' ? FederationMemberService.levelFor(member, idToken.acr) : null;
    if (!level || !atLeast(level, input.required)) {
      await this.auditFailure(member, level ? 'level_too_low' : 'level_unknown', input, { acr: idToken.acr ?? null });
      return { ok: false, reason: level ? 'level_too_low' : 'level_unknown', member: offer(member) };
    }
    const { identity, created } = await this.deps.identities.link(member.code, member.issuer, idToken.sub);
    const accountId = federatedAccountId(identity.id, randomBytes(12).toString('base64url'));
    const profile: FederatedProfile = {
      memberCode: member.code, memberName: member.displayName, clientId: input.clientId, level,
      signedInAt: Math.floor(this.deps.clock.now().getTime() / 1000),
      firstSignIn: created,
      claims: Object.fromEntries(pending.claims.filter((c) => c !== 'sub' && userinfo[c] !== undefined).map((c) => [c, userinfo[c]])),
    };
    await this.deps.kv.set(profileKey(accountId), JSON.stringify(profile), this.deps.profileTtlSeconds);
    this.deps.metrics.federationSignIns.inc({ member: member.code, outcome: 'success' });
    await this.deps.audit.record({
      type: 'federation.sign_in', result: 'success', clientId: input.clientId, ip: input.ip,
      details: { member: member.code, federatedId: identity.id, level, acr: idToken.acr },
    });
    // The home Land's methods (RFC 8176) travel on, marked `fed` so no service mistakes them for
    // a sign-in here; the level is ours. The sign-in time is the home Land's.
    const upstreamAmr = Array.isArray(idToken.amr) ? idToken.amr.filter((m): m is string => typeof m === 'string' && /^[a-z]{2,10}$/.test(m)) : [];
    const authTime = typeof idToken.auth_time === 'number' ? idToken.auth_time : Math.floor(this.deps.clock.now().getTime() / 1000);
    return { ok: true, accountId, level, amr: [...new Set([...upstreamAmr, 'fed'])], authTime, member: offer(member) };
  }

  /** The home Land's data of the current sign-in, or null once it expired. */
  async profile(accountId: string): Promise<FederatedProfile | null> {
    if (!federatedIdentityIdOf(accountId)) return null;
    const raw = await this.deps.kv.get(profileKey(accountId));
    return raw ? (JSON.parse(raw) as FederatedProfile) : null;
  }

  /** Whether a federated session may serve this online service: only the one that started it. */
  async serves(accountId: string, clientId: string): Promise<boolean> {
    const profile = await this.profile(accountId);
    if (profile?.clientId !== clientId) return false;
    // A Land switched off, or limited to a lower level, since this sign-in no longer vouches for it.
    const member = await this.deps.members.find(profile.memberCode);
    if (member?.enabled && atLeast(member.maxLevel, profile.level)) return true;
    await this.forget(accountId);
    return false;
  }

  /** When a federated sign-in came back here: idle time counts from then, not from the home sign-in. */
  async signedInAt(accountId: string): Promise<number | undefined> {
    return (await this.profile(accountId))?.signedInAt;
  }

  /** Ends a sign-in's hold on the home Land's data (sign-out). */
  async forget(accountId: string): Promise<void> {
    if (federatedIdentityIdOf(accountId)) await this.deps.kv.delete(profileKey(accountId));
  }

  /**
   * FED-02: the citizen declined to pass their data on. The sign-in's data goes; so does the
   * link, when this very sign-in created it (no service has ever seen its subject).
   */
  async decline(accountId: string): Promise<void> {
    const profile = await this.profile(accountId);
    await this.forget(accountId);
    if (profile?.firstSignIn) await this.deps.identities.remove(federatedIdentityIdOf(accountId)!);
  }

  /** `member` is unknown when the answer matched no hand-over (state). */
  private async auditFailure(
    member: Pick<FederationMemberView, 'code'> | undefined, reason: FailureReason,
    at: { clientId?: string; ip?: string } = {}, details: Record<string, unknown> = {},
  ): Promise<void> {
    this.deps.metrics.federationSignIns.inc({ member: member?.code ?? 'unknown', outcome: reason });
    await this.deps.audit.record({
      type: 'federation.sign_in', result: 'failure', clientId: at.clientId ?? null, ip: at.ip ?? null,
      details: { ...(member ? { member: member.code } : {}), reason, ...details },
    });
  }
}

const offer = (m: Pick<FederationMemberView, 'code' | 'displayName' | 'issuer'>): FederationOffer => ({ code: m.code, displayName: m.displayName, origin: new URL(m.issuer).origin });

/**
 * Their acr values for the levels from `required` up to what the member may assert, lowest
 * first. An acr mapped above the maximum counts as the maximum (levelFor caps it), so it is
 * asked for only when no acr within the maximum reaches `required`; leaving it out then would
 * hide a member that can serve the service.
 */
function acceptableAcrs(member: Pick<FederationMemberView, 'acrMap' | 'maxLevel'>, required: Level): string[] {
  if (!atLeast(member.maxLevel, required)) return [];
  const reaching = Object.entries(member.acrMap)
    .filter(([, level]) => atLeast(level, required))
    .sort(([, a], [, b]) => rank(a) - rank(b));
  const withinMax = reaching.filter(([, level]) => atLeast(member.maxLevel, level));
  return (withinMax.length > 0 ? withinMax : reaching).map(([acr]) => acr);
}

/** FED-05/06: a member is offered only when it may assert, and can express, the required level. */
function reaches(member: Pick<FederationMemberView, 'acrMap' | 'maxLevel'>, required: Level): boolean {
  return acceptableAcrs(member, required).length > 0;
}
