import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './settings.ts';

/*
 * CPU profile of the bench process's main thread (where both servers run) under one load:
 * V8's sampling profiler, self time grouped by package or app directory. Untimed, and run after
 * the timed phases so the profiler cannot disturb them; it shows where the app's extra
 * milliseconds per request go.
 */

export interface CpuProfileReport {
  label: string;
  units: number;
  wallMs: number;
  busyMs: number;
  byArea: [string, number][];
  byFunction: [string, number][];
}

/** Native frames that write to a socket: one syscall each, reported as their own area. */
const SOCKET_WRITES = new Set(['writev', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeBuffer', 'writeUcs2String']);

/** The package (node_modules), app directory or native bucket a sampled frame belongs to. */
function areaOf(url: string, fn: string): string {
  if (!url) {
    if (SOCKET_WRITES.has(fn)) return 'socket writes (syscalls)';
    return fn.startsWith('(') ? fn : '(native other)';
  }
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const root = pathToFileURL(repoRoot).href;
  if (url.startsWith(root)) {
    const [top = '', second] = url.slice(root.length).split('/');
    return top === 'src' && second && !second.includes('.') ? `app src/${second}` : `app ${top}`;
  }
  return url.replace(/^file:\/\//, '').slice(-60);
}

export async function cpuProfile(label: string, work: () => Promise<number>): Promise<CpuProfileReport> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const started = performance.now();
  let units = 0;
  let profile: Awaited<ReturnType<typeof stop>>;
  async function stop() {
    return (await session.post('Profiler.stop')).profile;
  }
  try {
    units = await work();
  } finally {
    profile = await stop();
    session.disconnect();
  }
  const wallMs = profile.endTime > profile.startTime ? (profile.endTime - profile.startTime) / 1000 : performance.now() - started;
  const selfUs = new Map<number, number>();
  profile.samples?.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = functionName || '(anonymous)';
    // Idle time and the profiler's own inspector calls are not the servers' work.
    if (fn === '(idle)' || url.startsWith('node:inspector')) continue;
    busyUs += us;
    const area = areaOf(url, fn);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = url ? `${area}: ${fn} (${url.split('/').slice(-1)[0]}:${lineNumber + 1})` : fn;
    functions.set(where, (functions.get(where) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => [k, us / 1000] as [string, number]);
  return { label, units, wallMs, busyMs: busyUs / 1000, byArea: top(areas, 40), byFunction: top(functions, 14) };
}
