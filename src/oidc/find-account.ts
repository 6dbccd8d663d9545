import type { FindAccount } from 'oidc-provider';
import type { Account } from '../../entities/account.entity.ts';

export interface AccountLookup {
  findById(id: string): Promise<Account | null>;
}

/**
 * Maps an account to OIDC standard claims; the provider filters them by scope and consent.
 * oidc-provider asks several times within one request, so lookups are shared per request.
 */
export function createFindAccount(accounts: AccountLookup): FindAccount {
  const perRequest = new WeakMap<object, Map<string, Promise<Account | null>>>();
  const load = (ctx: object, id: string) => {
    let known = perRequest.get(ctx);
    if (!known) perRequest.set(ctx, (known = new Map()));
    let pending = known.get(id);
    if (!pending) known.set(id, (pending = accounts.findById(id)));
    return pending;
  };
  return async (ctx, id) => {
    const account = await load(ctx, id);
    if (!account || account.status !== 'active') return undefined;
    return {
      accountId: account.id,
      async claims() {
        return {
          sub: account.id,
          name: account.displayName,
          given_name: account.givenName ?? undefined,
          family_name: account.familyName ?? undefined,
          email: account.email,
          email_verified: true,
          updated_at: Math.floor(account.updatedAt.getTime() / 1000),
        };
      },
    };
  };
}
