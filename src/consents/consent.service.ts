import type { AuditService } from '../audit/audit.service.ts';
import type { SessionControl } from '../accounts/repos.ts';
import type { OnlineServiceRepository } from '../catalog/online-service.repository.ts';
import type { ConsentRepository } from './consent.repository.ts';

export interface ConsentView {
  clientId: string;
  serviceName: string;
  authority: string;
  claims: string[];
  updatedAt: Date;
}

/** OIDC-04 in Mein Bereich: which service received which data, and withdrawing it. */
export class ConsentService {
  private readonly consents: ConsentRepository;
  private readonly services: OnlineServiceRepository;
  private readonly sessions: SessionControl;
  private readonly audit: AuditService;

  constructor(consents: ConsentRepository, services: OnlineServiceRepository, sessions: SessionControl, audit: AuditService) {
    this.consents = consents;
    this.services = services;
    this.sessions = sessions;
    this.audit = audit;
  }

  async list(accountId: string): Promise<ConsentView[]> {
    const consents = await this.consents.listForAccount(accountId);
    const views = await Promise.all(consents.map(async (c) => {
      const service = await this.services.find(c.clientId);
      if (!service || service.firstParty) return null;
      return { clientId: c.clientId, serviceName: service.displayName, authority: service.authority, claims: c.claims, updatedAt: c.updatedAt };
    }));
    return views.filter((v): v is ConsentView => v !== null);
  }

  /** Withdrawing revokes the service's grants, so its refresh and access tokens stop working. */
  async withdraw(accountId: string, clientId: string, ip: string): Promise<string | null> {
    const removed = await this.consents.remove(accountId, clientId);
    if (!removed) return null;
    await this.sessions.revokeGrants(removed.grantIds);
    await this.audit.record({ type: 'consent.withdrawn', result: 'success', accountId, clientId, ip });
    return (await this.services.find(clientId))?.displayName ?? clientId;
  }
}
