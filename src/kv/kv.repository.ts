import type { DataSource } from 'typeorm';
import type { KvStore } from './kv-store.ts';
import type { Clock } from '../clock.ts';
import { queryReturning } from '../db/unit-of-work.ts';

/** Embedded-mode KvStore on the kv_entry table; expiry is checked on read. */
export class DbKvStore implements KvStore {
  private readonly db: DataSource;
  private readonly clock: Clock;

  constructor(db: DataSource, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  async get(key: string): Promise<string | null> {
    const rows: { value: string }[] = await this.db.query(
      'SELECT value FROM kv_entry WHERE key = $1 AND expires_at > $2',
      [key, this.clock.now()],
    );
    return rows[0]?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.db.query(
      `INSERT INTO kv_entry (key, value, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [key, value, this.expiry(ttlSeconds)],
    );
  }

  async add(key: string, delta: number, ttlSeconds: number): Promise<{ count: number; ttlSeconds: number }> {
    const now = this.clock.now();
    const rows: { value: string; expires_at: Date }[] = await this.db.query(
      `INSERT INTO kv_entry (key, value, expires_at) VALUES ($1, ($4::int)::text, $2)
       ON CONFLICT (key) DO UPDATE SET
         value = CASE WHEN kv_entry.expires_at > $3 THEN (kv_entry.value::int + $4::int)::text ELSE ($4::int)::text END,
         expires_at = CASE WHEN kv_entry.expires_at > $3 THEN kv_entry.expires_at ELSE EXCLUDED.expires_at END
       RETURNING value, expires_at`,
      [key, this.expiry(ttlSeconds), now, delta],
    );
    const row = rows[0];
    const left = row ? Math.ceil((new Date(row.expires_at).getTime() - now.getTime()) / 1000) : ttlSeconds;
    return { count: Number(row?.value ?? delta), ttlSeconds: Math.max(left, 1) };
  }

  async expire(key: string, ttlSeconds: number): Promise<void> {
    await this.db.query('UPDATE kv_entry SET expires_at = $2 WHERE key = $1', [key, this.expiry(ttlSeconds)]);
  }

  async delete(key: string): Promise<void> {
    await this.db.query('DELETE FROM kv_entry WHERE key = $1', [key]);
  }

  /** Expiry is checked on read; this removes what nobody reads again (e.g. a federated sign-in's data). */
  async sweep(): Promise<number> {
    return (await queryReturning<{ key: string }>(this.db, 'DELETE FROM kv_entry WHERE expires_at <= $1 RETURNING key', [this.clock.now()])).length;
  }

  async take(key: string): Promise<string | null> {
    const rows = await queryReturning<{ value: string; expires_at: Date }>(this.db, 'DELETE FROM kv_entry WHERE key = $1 RETURNING value, expires_at', [key]);
    const row = rows[0];
    return row && row.expires_at > this.clock.now() ? row.value : null;
  }

  private expiry(ttlSeconds: number): Date {
    return new Date(this.clock.now().getTime() + ttlSeconds * 1000);
  }
}
