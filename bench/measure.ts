import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { LoadClient } from './load-client.ts';
import { quick, sleep } from './settings.ts';

/*
 * Fair timing on a shared machine. CPU accounting: how much CPU did processes other than the
 * bench (and its load child) use? The machine is shared, so every run records it, and each run
 * waits (bounded) for a quiet moment first. During app runs the figure includes the PostgreSQL
 * and Redis work for the app. Every comparison runs in interleaved halves (interleave), so a
 * drift in machine load hits baseline and app alike.
 */

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

interface CpuSnapshot {
  at: number;
  busySec: number;
  ownSec: number;
}

function cpuSnapshot(childPid: number | undefined): CpuSnapshot {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  const busySec = (user + nice + system + irq + softirq + steal) / CLK_TCK;
  const usage = process.cpuUsage();
  let ownSec = (usage.user + usage.system) / 1e6;
  if (childPid) {
    try {
      const stat = readFileSync(`/proc/${childPid}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ownSec += (Number(after[11]) + Number(after[12])) / CLK_TCK;
    } catch {
      // the child is gone
    }
  }
  return { at: performance.now(), busySec, ownSec };
}

/** Cores used by other processes between two snapshots. */
function othersCores(a: CpuSnapshot, b: CpuSnapshot): number {
  const wall = (b.at - a.at) / 1000;
  return wall > 0 ? Math.max(0, (b.busySec - a.busySec) - (b.ownSec - a.ownSec)) / wall : 0;
}

interface Measured<T> {
  result: T;
  /** Cores used by other processes during the run. */
  othersCores: number;
  /** Cores used by other processes right before the run (after the quiet gate). */
  othersBefore: number;
  waitedMs: number;
}

export const QUIET_CORES = 0.25;
export const QUIET_MAX_WAIT_MS = quick ? 2_000 : 10_000;
/** All quiet gates together wait at most this long, so the bench stays within its time budget. */
let quietBudgetMs = quick ? 5_000 : 40_000;

export async function measured<T>(load: LoadClient | undefined, run: () => Promise<T>): Promise<Measured<T>> {
  const gateStart = performance.now();
  const maxWait = Math.max(500, Math.min(QUIET_MAX_WAIT_MS, quietBudgetMs));
  let othersBefore = Infinity;
  while (performance.now() - gateStart < maxWait) {
    const a = cpuSnapshot(load?.pid);
    await sleep(500);
    othersBefore = othersCores(a, cpuSnapshot(load?.pid));
    if (othersBefore <= QUIET_CORES) break;
  }
  const waitedMs = performance.now() - gateStart;
  quietBudgetMs = Math.max(0, quietBudgetMs - Math.max(0, waitedMs - 500));
  const before = cpuSnapshot(load?.pid);
  const result = await run();
  return { result, othersCores: othersCores(before, cpuSnapshot(load?.pid)), othersBefore, waitedMs };
}

// Interleaving: the halves of one server are merged by the phase that ran them.

export const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export type ServerName = 'baseline' | 'app';
/** ABBA for the first pair, BAAB for the next: a linear drift in machine load cancels out. */
const ORDER: ServerName[][] = [['baseline', 'app', 'app', 'baseline'], ['app', 'baseline', 'baseline', 'app']];

export interface Interleaved<T> {
  baseline: T;
  app: T;
  othersCores: { baseline: number; app: number };
  waitedMs: number;
}

export async function interleave<R, T>(load: LoadClient, round: number, runHalf: (server: ServerName) => Promise<R>, merge: (parts: R[]) => T): Promise<Interleaved<T>> {
  const parts: Record<ServerName, R[]> = { baseline: [], app: [] };
  const others: Record<ServerName, number[]> = { baseline: [], app: [] };
  let waitedMs = 0;
  for (const server of ORDER[round % ORDER.length]!) {
    const m = await measured(load, () => runHalf(server));
    parts[server].push(m.result);
    others[server].push(m.othersCores);
    waitedMs += m.waitedMs;
  }
  return {
    baseline: merge(parts.baseline),
    app: merge(parts.app),
    othersCores: { baseline: meanOf(others.baseline), app: meanOf(others.app) },
    waitedMs,
  };
}
