import type { FindAccount } from 'oidc-provider';
import type { Account } from '../../entities/account.entity.ts';

export interface AccountLookup {
  findById(id: string): Promise<Account | null>;
}

/** Maps an account to OIDC standard claims; the provider filters them by scope and consent. */
export function createFindAccount(accounts: AccountLookup): FindAccount {
  return async (_ctx, id) => {
    const account = await accounts.findById(id);
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
