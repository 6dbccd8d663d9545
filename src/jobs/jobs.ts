/** Every job the app knows and its payload; a handler must exist for each (checked at start). */
export interface JobPayloads {
  'mail.send': { outboxId: string };
  'mail.sweep': Record<string, never>;
  'registrations.purge': Record<string, never>;
  'password.reset_request': { email: string; ip: string };
  'federation.list_refresh': Record<string, never>;
  'federation.audit_purge': Record<string, never>;
  'kv.sweep': Record<string, never>;
}

export type JobName = keyof JobPayloads;
export type JobHandlers = { [N in JobName]: (payload: JobPayloads[N]) => Promise<void> };

export const JOB_NAMES: readonly JobName[] = ['mail.send', 'mail.sweep', 'registrations.purge', 'password.reset_request', 'federation.list_refresh', 'federation.audit_purge', 'kv.sweep'];

/** Repeating jobs and their period in milliseconds. */
export const SCHEDULE: Partial<Record<JobName, number>> = {
  'mail.sweep': 60_000,
  'registrations.purge': 15 * 60_000,
  'federation.list_refresh': 24 * 3600_000,
  'federation.audit_purge': 3600_000,
  'kv.sweep': 3600_000,
};

export interface JobQueue {
  enqueue<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<void>;
  /** Runs a handler right now in this process (tests, CLI) and waits for it. */
  runNow<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function assertHandlers(handlers: Partial<JobHandlers>): asserts handlers is JobHandlers {
  const missing = JOB_NAMES.filter((name) => typeof handlers[name] !== 'function');
  if (missing.length) throw new Error(`no handler for job(s): ${missing.join(', ')}`);
}
