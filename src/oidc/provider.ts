import Provider, { errors } from 'oidc-provider';
import type { Config } from '../../config/index.ts';
import type { Clock } from '../clock.ts';
import type { ConsentRepository } from '../consents/consent.repository.ts';
import { secretMatches } from '../catalog/online-service.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { AcrMap } from '../trust/levels.ts';
import { buildConfiguration, type ConfigurationDeps } from './configuration.ts';
import { InteractionPort } from './interaction-port.ts';

export interface OidcDeps extends ConfigurationDeps {
  clock: Clock;
  consents: ConsentRepository;
  audit: AuditService;
  metrics: Metrics;
  logger: Logger;
}

export interface Oidc {
  provider: Provider;
  interactions: InteractionPort;
}

export function createOidc(deps: OidcDeps & { acr: AcrMap; config: Config }): Oidc {
  const provider = new Provider(deps.config.issuer, buildConfiguration(deps));
  provider.proxy = deps.config.trustProxy;

  // Secrets are stored as SHA-256 hashes; the provider sees the hash as client_secret.
  provider.Client.prototype.compareClientSecret = function compare(this: { clientSecret?: string }, actual: string) {
    return Promise.resolve(this.clientSecret !== undefined && secretMatches(this.clientSecret, actual));
  };

  makeConsumptionExclusive(provider);

  provider.on('grant.success', (ctx) => {
    deps.metrics.tokens.inc({ kind: String(ctx.oidc.params?.grant_type ?? 'unknown') });
  });
  provider.on('end_session.success', (ctx) => {
    const accountId = ctx.oidc.session?.accountId;
    if (accountId) void deps.federated.forget(accountId).catch((err: unknown) => deps.logger.error({ err }, 'could not drop federated data at sign-out'));
    void deps.audit.record({ type: 'logout', result: 'success', accountId: ctx.oidc.session?.accountId ?? null, clientId: ctx.oidc.client?.clientId ?? null, ip: ctx.ip });
  });
  provider.on('server_error', (_ctx, error) => deps.logger.error({ err: error }, 'oidc server error'));
  provider.on('grant.error', (_ctx, error) => deps.logger.debug({ err: error.message }, 'token request refused'));

  return {
    provider,
    interactions: new InteractionPort(provider, deps.acr, deps.consents, deps.clock, deps.federated, deps.findAccount),
  };
}

/**
 * oidc-provider checks `consumed` and then consumes, so parallel redemptions of one code or
 * refresh token could all pass the check. Our adapters consume atomically and report whether
 * this call was first; every later caller gets invalid_grant (RFC 6749 §4.1.2: a code is
 * single-use).
 */
function makeConsumptionExclusive(provider: Provider): void {
  for (const Model of [provider.AuthorizationCode, provider.RefreshToken]) {
    const prototype = Model.prototype as unknown as {
      jti: string;
      adapter: { consume(id: string): Promise<unknown> };
      emit(event: string): void;
      consume(): Promise<void>;
    };
    prototype.consume = async function consume(this: typeof prototype) {
      const first = await this.adapter.consume(this.jti);
      if (first === false) throw new errors.InvalidGrant('grant request is invalid');
      this.emit('consumed');
    };
  }
}
