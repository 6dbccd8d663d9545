import type Provider from 'oidc-provider';
import type { SessionControl } from '../accounts/repos.ts';
import type { Clock } from '../clock.ts';
import type { KvStore } from '../kv/kv-store.ts';
import { sessionsEndedKey } from '../kv/keys.ts';


/**
 * Revokes grants through the provider (each grant's tokens go with it) and marks every
 * session of an account as ended: sessions cannot be listed per account, so the idle-session
 * middleware compares each session's sign-in time with this mark.
 */
export class ProviderSessionControl implements SessionControl {
  private readonly getProvider: () => Provider;
  private readonly kv: KvStore;
  private readonly clock: Clock;
  private readonly sessionMaxSeconds: number;

  /** The provider is created after the services that use this, hence the getter. */
  constructor(getProvider: () => Provider, kv: KvStore, clock: Clock, sessionMaxSeconds: number) {
    this.getProvider = getProvider;
    this.kv = kv;
    this.clock = clock;
    this.sessionMaxSeconds = sessionMaxSeconds;
  }

  async revokeGrants(grantIds: readonly string[]): Promise<void> {
    // Our adapters' revokeByGrantId removes the grant's tokens of every model in one call.
    const provider = this.getProvider();
    const tokens = provider.AccessToken as unknown as { adapter: { revokeByGrantId(id: string): Promise<void> } };
    await Promise.all(grantIds.map(async (grantId) => {
      await tokens.adapter.revokeByGrantId(grantId);
      await (await provider.Grant.find(grantId))?.destroy();
    }));
  }

  async endAllSessions(accountId: string): Promise<void> {
    await this.kv.set(sessionsEndedKey(accountId), String(Math.floor(this.clock.now().getTime() / 1000)), this.sessionMaxSeconds);
  }
}
