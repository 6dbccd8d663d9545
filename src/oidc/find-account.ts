import type { FindAccount } from 'oidc-provider';
import type { Account, EidIdentity } from '../../entities/account.entity.ts';
import { addressLine, oidcBirthdate } from '../eid/identity.ts';
import { isFederatedAccount } from '../federation/federated-account.ts';

export interface AccountLookup {
  findById(id: string): Promise<Account | null>;
}

/** The home Land's data of a federated sign-in (kept in the provider store, not the database). */
export interface FederatedLookup {
  profile(accountId: string): Promise<{ claims: Record<string, unknown> } | null>;
}

/**
 * Maps an account to OIDC standard claims; the provider filters them by scope and consent.
 * oidc-provider asks several times within one request, so lookups are shared per request.
 */
export function createFindAccount(accounts: AccountLookup, federated: FederatedLookup): FindAccount {
  const perRequest = new WeakMap<object, Map<string, Promise<Account | null>>>();
  const load = (ctx: object, id: string) => {
    let known = perRequest.get(ctx);
    if (!known) perRequest.set(ctx, (known = new Map()));
    let pending = known.get(id);
    if (!pending) known.set(id, (pending = accounts.findById(id)));
    return pending;
  };
  return async (ctx, id) => {
    if (isFederatedAccount(id)) {
      const profile = await federated.profile(id);
      // Once the sign-in's data has expired there is nothing left to release.
      if (!profile) return undefined;
      return { accountId: id, claims: () => ({ ...profile.claims, sub: id }) };
    }
    const account = await load(ctx, id);
    if (!account || account.status !== 'active') return undefined;
    return {
      accountId: account.id,
      async claims() {
        const id = account.identity;
        return {
          sub: account.id,
          name: account.displayName,
          given_name: id?.givenNames ?? account.givenName ?? undefined,
          family_name: id?.familyName ?? account.familyName ?? undefined,
          email: account.email,
          email_verified: true,
          updated_at: Math.floor(account.updatedAt.getTime() / 1000),
          account_type: account.kind === 'citizen_plus' ? 'servicekonto_plus' : 'servicekonto',
          ...(id ? plusClaims(id) : {}),
        };
      },
    };
  };
}

/** The eID-sourced claims of a Servicekonto Plus, in OIDC form where OIDC has one. */
function plusClaims(id: EidIdentity): Record<string, unknown> {
  const a = id.address;
  const address = a && (a.text
    ? { formatted: a.text }
    : { street_address: a.street, postal_code: a.zipCode, locality: a.city, country: a.country, formatted: addressLine(a, '\n') ?? undefined });
  return {
    address: address ?? undefined,
    birthdate: oidcBirthdate(id.birthDate),
    place_of_birth: id.placeOfBirth ?? undefined,
    birth_name: id.birthName ?? undefined,
    academic_title: id.academicTitle ?? undefined,
    nationality: id.nationality ?? undefined,
  };
}
