import { EntitySchema } from 'typeorm';

/** Expiring counters and markers (throttling, session activity) when no Redis is configured. */
export interface KvEntry {
  key: string;
  value: string;
  expiresAt: Date;
}

export const KvEntryEntity = new EntitySchema<KvEntry>({
  name: 'KvEntry',
  tableName: 'kv_entry',
  columns: {
    key: { type: 'text', primary: true },
    value: { type: 'text' },
    expiresAt: { name: 'expires_at', type: 'timestamptz' },
  },
});
