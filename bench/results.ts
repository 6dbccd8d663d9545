import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argon2Parameters } from './baseline.ts';
import type { FlowRow } from './phase-flows.ts';
import type { ProfilePhaseResult } from './phase-profiles.ts';
import type { RssResults } from './phase-rss.ts';
import type { TokenPhaseResult } from './phase-tokens.ts';
import { fmt, repoRoot } from './settings.ts';

/*
 * Everything one bench run collected, as handed to the RESULTS.md writer (results-md.ts and
 * analysis.ts): the machine it ran on, then the output of each phase.
 */

export interface MachineInfo {
  nproc: string;
  cpu: string;
  memory: string;
  node: string;
  kernel: string;
  oidcProvider: string;
}

/** ccBody, ccProbe, clientCredentials and refresh come from the token phase; profiles and cpuProfiles from the profile phase. */
export interface Results extends TokenPhaseResult, ProfilePhaseResult {
  date: string;
  machine: MachineInfo;
  argon2: Argon2Parameters;
  loadBefore: number[];
  loadAfter: number[];
  durationSec: number;
  flows: FlowRow[];
  rss: RssResults;
}

/** App rate over baseline rate, the figure each target is stated in. */
export const ratio = (app: number, base: number) => (base > 0 ? app / base : NaN);

/** For the Run section: throughput and RSS only mean something next to the machine they came from. */
export function machineInfo(): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? NaN);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'node_modules/oidc-provider/package.json'), 'utf8')) as { version: string };
  return {
    nproc: execFileSync('nproc').toString().trim(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memory: `${fmt(memKb / 1024 / 1024, 1)} GiB`,
    node: process.version,
    kernel: execFileSync('uname', ['-r']).toString().trim(),
    oidcProvider: pkg.version,
  };
}
