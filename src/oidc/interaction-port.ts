import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { FindAccount } from 'oidc-provider';
import { NON_REJECTABLE_CLAIMS, SCOPE_CLAIMS } from '../../config/claims.ts';
import { AppError } from '../http/errors.ts';
import type { Clock } from '../clock.ts';
import type { ConsentRepository } from '../consents/consent.repository.ts';
import type { AcrMap, AuthMethod, Level } from '../trust/levels.ts';
import { requiredLevelFor, type FederatedSessions } from './acr-policy.ts';
import { isFederatedAccount } from '../federation/federated-account.ts';

export interface InteractionClient {
  clientId: string;
  name: string;
  authority: string;
  contact: string;
  minLevel: Level;
  redirectOrigins: string[];
  /** FED-04: the service accepts accounts of other Länder. */
  federationAllowed: boolean;
  /** FED-06: another Land's portal. */
  federationPartner: boolean;
}

export interface InteractionState {
  uid: string;
  prompt: string;
  reasons: string[];
  client: InteractionClient;
  accountId?: string;
  requiredLevel: Level;
  /** The authorization request itself, to continue after registration and activation. */
  restartUrl: string;
  /** Every claim the service will receive once consent is given (shown on the consent page). */
  claims: string[];
  scopes: string[];
  /** The request's max_age, if any. */
  maxAge?: number;
  /** The request demands a new sign-in (prompt=login). */
  forceLogin: boolean;
}

/** The interactions layer's only view of oidc-provider (routes never import it). */
export class InteractionPort {
  private readonly provider: Provider;
  private readonly acr: AcrMap;
  private readonly consents: ConsentRepository;
  private readonly clock: Clock;
  private readonly federated: Pick<FederatedSessions, 'forget' | 'signedInAt'>;
  private readonly findAccount: FindAccount;

  constructor(
    provider: Provider, acr: AcrMap, consents: ConsentRepository, clock: Clock,
    federated: Pick<FederatedSessions, 'forget' | 'signedInAt'>, findAccount: FindAccount,
  ) {
    this.findAccount = findAccount;
    this.provider = provider;
    this.acr = acr;
    this.consents = consents;
    this.clock = clock;
    this.federated = federated;
  }

  /** Throws when the interaction is unknown or expired (the caller shows "Sitzung abgelaufen"). */
  async details(ctx: Context): Promise<InteractionState> {
    const interaction = await this.provider.interactionDetails(ctx.req, ctx.res);
    const client = await this.provider.Client.find(String(interaction.params.client_id));
    if (!client) throw new Error('client vanished during the interaction');
    const meta = client.metadata();
    const minLevel = (meta.min_level as Level | undefined) ?? 'niedrig';
    const scopes = String(interaction.params.scope ?? 'openid').split(' ').filter((s) => s in SCOPE_CLAIMS);
    return {
      uid: interaction.uid,
      prompt: interaction.prompt.name,
      reasons: interaction.prompt.reasons,
      client: {
        clientId: client.clientId,
        name: String(meta.client_name ?? client.clientId),
        authority: String(meta.authority ?? ''),
        contact: String(meta.contact ?? ''),
        minLevel,
        redirectOrigins: [...new Set((client.redirectUris ?? []).map((u) => new URL(u).origin))],
        federationAllowed: meta.federation_allowed === true,
        federationPartner: meta.federation_partner === true,
      },
      accountId: interaction.session?.accountId,
      requiredLevel: requiredLevelFor(this.acr, minLevel, interaction.params),
      restartUrl: `/auth?${new URLSearchParams(Object.entries(interaction.params).filter((e): e is [string, string] => typeof e[1] === 'string'))}`,
      claims: [...new Set(scopes.flatMap((s) => SCOPE_CLAIMS[s] ?? []))],
      scopes,
      maxAge: Number.isSafeInteger(Number(interaction.params.max_age)) ? Number(interaction.params.max_age) : undefined,
      forceLogin: String(interaction.params.prompt ?? '').split(' ').includes('login'),
    };
  }

  /** Ends the login prompt; the session is a browser-session cookie (remember: false). */
  /** `amr` overrides the method's value (a federated sign-in carries the home Land's). */
  async finishLogin(ctx: Context, login: { accountId: string; level: Level; method: AuthMethod | 'federation'; amr?: string[]; ts?: number }): Promise<string> {
    return this.provider.interactionResult(ctx.req, ctx.res, {
      login: {
        accountId: login.accountId,
        acr: this.acr.acr(login.level),
        amr: login.amr ?? [login.method === 'eid' ? 'hwk' : 'pwd'],
        remember: false,
        // A federated sign-in happened at the home Land: its time is what level ages count from.
        ts: login.ts ?? Math.floor(this.clock.now().getTime() / 1000),
      },
    }, { mergeWithLastSubmission: false });
  }

  /**
   * Grants every requested scope and claim and remembers the decision (OIDC-04) — except for a
   * citizen of another Land, who is asked in every sign-in (FED-02).
   */
  async finishConsent(ctx: Context): Promise<{ redirectTo: string; accountId: string; clientId: string }> {
    const interaction = await this.provider.interactionDetails(ctx.req, ctx.res);
    const accountId = interaction.session?.accountId;
    if (!accountId || interaction.prompt.name !== 'consent') throw new AppError('invalid_request.state', 400);
    const clientId = String(interaction.params.client_id);
    const grant = interaction.grantId
      ? (await this.provider.Grant.find(interaction.grantId)) ?? new this.provider.Grant({ accountId, clientId })
      : new this.provider.Grant({ accountId, clientId });
    const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    // OIDC-03/04: claims asked for through the claims parameter are granted only when a granted
    // scope covers them, so nothing leaves that the consent page did not list.
    const covered = new Set(String(grant.getOIDCScope()).split(' ').flatMap((s) => SCOPE_CLAIMS[s] ?? []));
    const asked = [...new Set([...(details.missingOIDCClaims ?? []), ...claimsParameterNames(interaction.params.claims)])];
    const extraClaims = asked.filter((c) => covered.has(c));
    const refused = asked.filter((c) => !covered.has(c));
    if (extraClaims.length) grant.addOIDCClaims(extraClaims);
    // Marked as rejected so the provider neither releases them nor asks again.
    if (refused.length) grant.rejectOIDCClaims(refused);
    const grantId = await grant.save();
    const scopes = String(grant.getOIDCScope()).split(' ').filter(Boolean);
    const claims = [...new Set(scopes.flatMap((s) => SCOPE_CLAIMS[s] ?? []))];
    if (!isFederatedAccount(accountId)) await this.consents.save({ accountId, clientId, scopes, claims }, grantId);
    const redirectTo = await this.provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return { redirectTo, accountId, clientId };
  }

  /**
   * The claims the account has a value for right now (through the provider's own account
   * lookup), so the consent page can say which of the asked-for data does not exist and is
   * therefore not transferred (FED-06: exactly what is transferred).
   */
  async availableClaims(ctx: Context, accountId: string, claims: readonly string[]): Promise<Set<string>> {
    const account = await this.findAccount(ctx as never, accountId);
    if (!account) return new Set();
    const values = await account.claims('userinfo', 'openid', {}, []) as Record<string, unknown>;
    return new Set(claims.filter((c) => values[c] !== undefined && values[c] !== null));
  }

  /** Sends the user back to the service with an OIDC error (access_denied, unmet requirements). */
  async abort(ctx: Context, error: string, description: string): Promise<string> {
    return this.provider.interactionResult(ctx.req, ctx.res, { error, error_description: description }, { mergeWithLastSubmission: false });
  }

  /** Whether an interaction with this uid is still running (in any browser). */
  async interactionExists(uid: string): Promise<boolean> {
    return (await this.provider.Interaction.find(uid)) !== undefined;
  }

  /** The provider session behind the request's cookie, if it belongs to a signed-in account. */
  async currentSession(ctx: Context): Promise<{ id: string; accountId: string; loginTs: number } | undefined> {
    if (!ctx.cookies.get(this.provider.cookieName('session'))) return undefined;
    const session = await this.provider.Session.get(ctx as never);
    if (!session.accountId) return undefined;
    // A federated session's login time is the home Land's sign-in (level ages count from it);
    // idle time and sign-out marks count from when it came back here.
    const loginTs = isFederatedAccount(session.accountId) ? await this.federated.signedInAt(session.accountId) : undefined;
    return { id: session.jti, accountId: session.accountId, loginTs: loginTs ?? session.loginTs ?? 0 };
  }

  /** Ends a provider session server-side (idle time-out, sign-out from the portal). */
  async endSession(sessionId: string): Promise<void> {
    const session = await this.provider.Session.find(sessionId);
    // The home Land's data of a federated sign-in ends with its session.
    if (session?.accountId) await this.federated.forget(session.accountId);
    await session?.destroy();
  }
}

/** The claim names a request asks for through the claims parameter (userinfo and id_token). */
function claimsParameterNames(raw: unknown): string[] {
  if (typeof raw !== 'string') return [];
  try {
    const parsed = JSON.parse(raw) as Record<string, Record<string, unknown> | null>;
    return ['userinfo', 'id_token'].flatMap((where) => Object.keys(parsed[where] ?? {}))
      .filter((c) => !NON_REJECTABLE_CLAIMS.has(c));
  } catch {
    return [];
  }
}
