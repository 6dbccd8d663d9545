import { fileURLToPath } from 'node:url';

/*
 * What every part of the bench shares: where PostgreSQL and Redis are, how long each phase runs
 * (BENCH_QUICK=1 shortens them for a smoke run), the fixed load shape, the targets the results
 * are judged against, and the small helpers for paths, waiting, logging and number formatting.
 */

export const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const quick = process.env.BENCH_QUICK === '1';
export const FLOW_SECONDS = Number(process.env.BENCH_FLOW_SECONDS ?? (quick ? 3 : 15));
export const TOKEN_SECONDS = Number(process.env.BENCH_TOKEN_SECONDS ?? (quick ? 3 : 10));
export const ARGON2_SECONDS = quick ? 2 : 8;
export const IDLE_SECONDS = quick ? 2 : 5;
export const CONCURRENCIES = [4, 8];
export const TOKEN_CONNECTIONS = 20;
export const USERS = 16;
// Spare refresh tokens per connection: a broken rotation chain is replaced from the pool.
export const REFRESH_POOL = TOKEN_CONNECTIONS * 3;
export const PASSWORD = 'Bench-Passwort-1!';
// Never contacted: the flow driver reads the code from the redirect's Location header.
export const REDIRECT_URI = 'http://127.0.0.1:9/cb';
export const TARGET = { flows: 0.9, token: 0.8, rssMb: 150 };

export const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
