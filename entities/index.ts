import { AccountEntity } from './account.entity.ts';
import { AuditEventEntity } from './audit-event.entity.ts';
import { ConsentEntity } from './consent.entity.ts';
import { KvEntryEntity } from './kv-entry.entity.ts';
import { OidcPayloadEntity } from './oidc-payload.entity.ts';
import { OnlineServiceEntity } from './online-service.entity.ts';
import { SigningKeyEntity } from './signing-key.entity.ts';
import { Initial1732000000000 } from './migrations/1732000000000-initial.ts';
import { Accounts1732000000001 } from './migrations/1732000000001-accounts.ts';
import { Eid1732000000002 } from './migrations/1732000000002-eid.ts';
import { AccountFlowEntity } from './account-flow.entity.ts';
import { OutboxMailEntity } from './mail-outbox.entity.ts';
import { RegistrationEntity } from './registration.entity.ts';
import { FederationMemberEntity } from './federation-member.entity.ts';
import { Federation1732000000003 } from './migrations/1732000000003-federation.ts';
import { FederatedIdentity1732000000004 } from './migrations/1732000000004-federated-identity.ts';
import { FederatedIdentityEntity } from './federated-identity.entity.ts';

export const ENTITIES = [
  AccountEntity,
  AccountFlowEntity,
  OutboxMailEntity,
  RegistrationEntity,
  AuditEventEntity,
  ConsentEntity,
  KvEntryEntity,
  OidcPayloadEntity,
  OnlineServiceEntity,
  SigningKeyEntity,
  FederationMemberEntity,
  FederatedIdentityEntity,
];

export const MIGRATIONS = [Initial1732000000000, Accounts1732000000001, Eid1732000000002, Federation1732000000003, FederatedIdentity1732000000004];
