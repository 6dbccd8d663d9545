import { errors, type Configuration, type KoaContextWithOIDC, type UnknownObject } from 'oidc-provider';
import { NON_REJECTABLE_CLAIMS, SCOPE_CLAIMS, SUPPORTED_SCOPES } from '../../config/claims.ts';
import type { Config } from '../../config/index.ts';
import { LEVELS } from '../../config/trust-levels.ts';
import type { AcrMap } from '../trust/levels.ts';
import type { Clock } from '../clock.ts';
import { createInteractionPolicy, type FederatedSessions } from './acr-policy.ts';
import { isFederatedAccount, subjectAccountOf } from '../federation/federated-account.ts';
import { EXTRA_CLIENT_METADATA } from './client-adapter.ts';
import type { AdapterConstructor } from './adapters/types.ts';

/** The pages the provider itself renders; the interactions layer supplies them. */
export interface ProviderPages {
  error(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, error: Error): void;
  logout(ctx: KoaContextWithOIDC, form: string): void;
  loggedOut(ctx: KoaContextWithOIDC): void;
}

export interface ConfigurationDeps {
  config: Config;
  acr: AcrMap;
  adapter: AdapterConstructor;
  jwks: { keys: UnknownObject[] };
  findAccount: NonNullable<Configuration['findAccount']>;
  loadExistingGrant: NonNullable<Configuration['loadExistingGrant']>;
  pairwise: (sector: string, accountId: string) => string;
  pages: ProviderPages;
  clock: Clock;
  federated: FederatedSessions;
}

export function buildConfiguration(deps: ConfigurationDeps): Configuration {
  const { config, acr } = deps;
  return {
    // consume() reports a boolean on top of the documented contract (see makeConsumptionExclusive).
    adapter: deps.adapter as unknown as Configuration['adapter'],
    jwks: deps.jwks as Configuration['jwks'],
    findAccount: deps.findAccount,
    loadExistingGrant: deps.loadExistingGrant,
    claims: Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
    scopes: [...SUPPORTED_SCOPES],
    acrValues: acr.values,
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: (_ctx, accountId, client) => deps.pairwise(String(client.metadata().sector), subjectAccountOf(accountId)),
    // Authorization code flow only: no implicit or hybrid response types.
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      introspectionSigningAlgValues: ['ES256', 'RS256'],
      // Client secrets are stored hashed, so HMAC-based algorithms cannot be offered.
      clientAuthSigningAlgValues: ['ES256', 'RS256', 'PS256'],
      requestObjectSigningAlgValues: ['ES256', 'RS256', 'PS256'],
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    extraClientMetadata: {
      properties: [...EXTRA_CLIENT_METADATA],
      validator(_ctx, key, value) {
        if (key === 'min_level' && !(LEVELS as readonly unknown[]).includes(value)) throw new Error('invalid min_level');
      },
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: {
        enabled: true,
        // OIDC-03/04: the claims parameter may ask only for claims of the service's own scopes,
        // which the consent page lists; anything else is refused instead of silently released.
        assertClaimsParameter: async (_ctx, claims, client) => {
          const allowed = new Set(String(client.scope ?? '').split(' ').flatMap((s) => SCOPE_CLAIMS[s] ?? []));
          const asked = [claims.userinfo, claims.id_token].flatMap((part) => Object.keys(part ?? {}));
          const outside = asked.filter((c) => !allowed.has(c) && !NON_REJECTABLE_CLAIMS.has(c));
          if (outside.length) throw new errors.InvalidRequest(`claims outside the service's scopes: ${outside.join(' ')}`);
        },
      },
      clientCredentials: { enabled: true },
      // Only the service a token was issued to may inspect or revoke it; no cross-service peeking.
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => deps.pages.logout(ctx, form),
        postLogoutSuccessSource: async (ctx) => deps.pages.loggedOut(ctx),
      },
    },
    // Refresh tokens whenever the client may use them; rotation with reuse detection is on.
    // A federated sign-in's data lives only as long as the sign-in, so it gets no refresh token.
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && !isFederatedAccount(code.accountId),
    rotateRefreshToken: true,
    interactions: {
      policy: createInteractionPolicy(acr, deps.clock, config.levelMaxAge, deps.federated),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    cookies: {
      keys: [...config.cookieKeys],
      // SESS-03: only browser-session cookies; sessions end server-side after idle time.
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    ttl: {
      AccessToken: config.ttl.accessToken,
      AuthorizationCode: config.ttl.authorizationCode,
      ClientCredentials: config.ttl.accessToken,
      IdToken: config.ttl.idToken,
      RefreshToken: config.ttl.refreshToken,
      Interaction: config.ttl.sessionIdle,
      Session: config.ttl.sessionMax,
      Grant: config.ttl.refreshToken,
    },
    renderError: async (ctx, out, error) => deps.pages.error(ctx, out, error),
    conformIdTokenClaims: true,
    allowOmittingSingleRegisteredRedirectUri: false,
    clientBasedCORS: (_ctx, origin, client) =>
      client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
  };
}
