import { EntitySchema } from 'typeorm';

/** OIDC-05: one row per security-relevant event. */
export interface AuditEvent {
  id: string;
  at: Date;
  type: string;
  result: 'success' | 'failure';
  accountId: string | null;
  clientId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export const AuditEventEntity = new EntitySchema<AuditEvent>({
  name: 'AuditEvent',
  tableName: 'audit_event',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    at: { type: 'timestamptz' },
    type: { type: 'text' },
    result: { type: 'text' },
    accountId: { name: 'account_id', type: 'uuid', nullable: true },
    clientId: { name: 'client_id', type: 'text', nullable: true },
    ip: { type: 'text', nullable: true },
    details: { type: 'jsonb', default: {} },
  },
});
