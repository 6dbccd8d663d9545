import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ConsentRepository } from '../consents/consent.repository.ts';
import { isFederatedAccount } from '../federation/federated-account.ts';

/**
 * OIDC-04: consent is remembered per service in PostgreSQL. The provider's Grant is rebuilt
 * from it when the session has none, so the consent page appears only for data not yet agreed.
 */
export function createLoadExistingGrant(consents: ConsentRepository) {
  return async (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    const client = oidc.client!;
    const accountId = oidc.session!.accountId!;
    // The grant the consent page just created comes first (as in oidc-provider's default).
    const fromSession = (oidc.result?.consent as { grantId?: string } | undefined)?.grantId ?? oidc.session!.grantIdFor(client.clientId);
    if (fromSession) {
      const grant = await oidc.provider.Grant.find(fromSession);
      if (grant && grant.accountId === accountId) return grant;
    }
    // FED-02: a citizen of another Land consents in every sign-in; nothing is remembered.
    if (isFederatedAccount(accountId)) return undefined;
    if (client.metadata().first_party === true) {
      // The portal's own sign-in ("Mein Bereich") releases nothing to a third party.
      const grant = new oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope('openid');
      await grant.save();
      return grant;
    }
    const consent = await consents.find(accountId, client.clientId);
    if (!consent) return undefined;
    const grant = new oidc.provider.Grant({ clientId: client.clientId, accountId });
    grant.addOIDCScope(consent.scopes.join(' '));
    if (consent.claims.length) grant.addOIDCClaims(consent.claims);
    const grantId = await grant.save();
    await consents.addGrant(accountId, client.clientId, grantId);
    return grant;
  };
}
