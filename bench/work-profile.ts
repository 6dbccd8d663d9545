import type { App } from '../src/app.ts';
import { sleep } from './settings.ts';

/*
 * Work per request in the app: SQL statements and Redis commands counted while a given load
 * runs. Untimed, and run after the timed phases so the wrappers cannot disturb them; it explains
 * the timed numbers, since every statement and command is a round trip the baseline does not make.
 */

export interface WorkProfile {
  label: string;
  units: number;
  sql: { count: number; ms: number; byStatement: [string, number, number][] };
  redis: { count: number; byCommand: [string, number][] };
}

type QueryFn = (this: unknown, query: string, ...rest: unknown[]) => Promise<unknown>;

export async function profileWork(app: App, label: string, work: () => Promise<number>): Promise<WorkProfile> {
  // SQL: wrap the query runner prototype of this DataSource's driver (bench process only).
  const runner = app.dataSource.createQueryRunner();
  const proto = Object.getPrototypeOf(runner) as { query: QueryFn };
  await runner.release();
  const original = proto.query;
  const statements = new Map<string, { n: number; ms: number }>();
  proto.query = async function query(this: unknown, sql: string, ...rest: unknown[]) {
    const t = performance.now();
    try {
      return await original.call(this, sql, ...rest);
    } finally {
      const key = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
      const entry = statements.get(key) ?? { n: 0, ms: 0 };
      entry.n++;
      entry.ms += performance.now() - t;
      statements.set(key, entry);
    }
  };
  // Redis: every command the app's connection writes (auto-pipelined and MULTI batches included)
  // passes through the instance's sendCommand once.
  const redis = app.redis as unknown as { sendCommand: (command: { name: string }, ...rest: unknown[]) => unknown };
  const sendCommand = redis.sendCommand;
  const commands = new Map<string, number>();
  redis.sendCommand = function send(this: unknown, command: { name: string }, ...rest: unknown[]) {
    const name = String(command.name).toUpperCase();
    commands.set(name, (commands.get(name) ?? 0) + 1);
    return sendCommand.call(this, command, ...rest);
  };
  let units = 0;
  try {
    await sleep(200);
    units = await work();
    await sleep(300);
  } finally {
    proto.query = original;
    redis.sendCommand = sendCommand;
  }
  const sqlTotal = [...statements.values()].reduce((a, s) => ({ n: a.n + s.n, ms: a.ms + s.ms }), { n: 0, ms: 0 });
  return {
    label,
    units,
    sql: {
      count: sqlTotal.n,
      ms: sqlTotal.ms,
      byStatement: [...statements].sort((a, b) => b[1].n - a[1].n).map(([k, s]) => [k, s.n, s.ms] as [string, number, number]),
    },
    redis: { count: [...commands.values()].reduce((a, b) => a + b, 0), byCommand: [...commands].sort((a, b) => b[1] - a[1]) },
  };
}
