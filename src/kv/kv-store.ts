/**
 * Small expiring key-value port for throttle counters and session activity: Redis in
 * deployments, a database table in embedded mode.
 */
export interface KvStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Atomically adds delta to a counter, starting its expiry window on first use; returns the
   * new count and the seconds left in the window.
   */
  add(key: string, delta: number, ttlSeconds: number): Promise<{ count: number; ttlSeconds: number }>;
  delete(key: string): Promise<void>;
  /** Reads and deletes in one step: exactly one caller gets a single-use value. */
  take(key: string): Promise<string | null>;
  /** Deletes expired entries; returns how many (Redis expires keys itself: always 0). */
  sweep(): Promise<number>;
  /** Sets a new remaining lifetime for an existing key. */
  expire(key: string, ttlSeconds: number): Promise<void>;
}
