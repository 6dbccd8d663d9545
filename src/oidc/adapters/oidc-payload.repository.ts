import type { DataSource } from 'typeorm';
import { isRecord } from './types.ts';

/** A stored payload with the consumption merged in, as the provider expects it back. */
export type StoredPayload = Record<string, unknown>;

export interface PayloadWrite {
  payload: Record<string, unknown>;
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  /** Seconds from now; null for models that never expire. */
  ttlSeconds: number | null;
}

interface PayloadRow {
  payload: unknown;
  consumed: number | null;
}

// Expiry and consumption use the database clock, so every app instance agrees on them.
const LIVE = '(expires_at IS NULL OR expires_at > now())';
const SELECT = `SELECT payload, floor(extract(epoch FROM consumed_at))::float8 AS consumed FROM oidc_payload`;

/** All SQL for oidc-provider's storage on the oidc_payload table (PostgreSQL adapter). */
export class OidcPayloadRepository {
  private readonly db: DataSource;

  constructor(dataSource: DataSource) {
    this.db = dataSource;
  }

  async upsert(model: string, id: string, write: PayloadWrite): Promise<void> {
    // consumed_at is left alone on conflict: re-saving a consumed code must not revive it.
    await this.db.query(
      `INSERT INTO oidc_payload (model, id, payload, grant_id, uid, user_code, expires_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6,
               CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
       ON CONFLICT (model, id) DO UPDATE SET
         payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid,
         user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
      [model, id, JSON.stringify(write.payload), write.grantId, write.uid, write.userCode, write.ttlSeconds],
    );
  }

  async find(model: string, id: string): Promise<StoredPayload | undefined> {
    return this.first(`${SELECT} WHERE model = $1 AND id = $2 AND ${LIVE}`, [model, id]);
  }

  async findByUid(model: string, uid: string): Promise<StoredPayload | undefined> {
    return this.first(`${SELECT} WHERE model = $1 AND uid = $2 AND ${LIVE} LIMIT 1`, [model, uid]);
  }

  async findByUserCode(model: string, userCode: string): Promise<StoredPayload | undefined> {
    return this.first(`${SELECT} WHERE model = $1 AND user_code = $2 AND ${LIVE} LIMIT 1`, [model, userCode]);
  }

  /**
   * Marks the row consumed in one UPDATE. Only the first of concurrent calls sets the timestamp,
   * so `consumed` stays stable; returns whether this call was that first one.
   */
  async consume(model: string, id: string): Promise<boolean> {
    // The CTE makes the statement a SELECT, whose result TypeORM returns as plain rows.
    const rows: unknown[] = await this.db.query(
      `WITH hit AS (
         UPDATE oidc_payload SET consumed_at = now()
         WHERE model = $1 AND id = $2 AND consumed_at IS NULL AND ${LIVE}
         RETURNING 1
       ) SELECT 1 FROM hit`,
      [model, id],
    );
    return rows.length > 0;
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.db.query('DELETE FROM oidc_payload WHERE model = $1 AND id = $2', [model, id]);
  }

  /** Deletes the grant's rows of every model, as the Redis grant index does. */
  async revokeByGrantId(grantId: string): Promise<number> {
    return this.count('DELETE FROM oidc_payload WHERE grant_id = $1', [grantId]);
  }

  /** Housekeeping for a periodic job; reads already ignore expired rows. */
  async deleteExpired(): Promise<number> {
    return this.count('DELETE FROM oidc_payload WHERE expires_at <= now()', []);
  }

  private async first(sql: string, params: unknown[]): Promise<StoredPayload | undefined> {
    const rows: PayloadRow[] = await this.db.query(sql, params);
    const row = rows[0];
    if (row === undefined || !isRecord(row.payload)) return undefined;
    return row.consumed === null ? row.payload : { ...row.payload, consumed: row.consumed };
  }

  private async count(deleteSql: string, params: unknown[]): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `WITH gone AS (${deleteSql} RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      params,
    );
    return rows[0]?.n ?? 0;
  }
}
