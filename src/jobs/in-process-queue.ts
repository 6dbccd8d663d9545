import type { Logger } from '../observability/logger.ts';
import { SCHEDULE, assertHandlers, type JobHandlers, type JobName, type JobPayloads, type JobQueue } from './jobs.ts';

/**
 * Embedded mode (no Redis): jobs run in this process right after being enqueued, repeating
 * jobs on timers. The mail outbox sweep picks up anything a crash interrupted.
 */
export class InProcessQueue implements JobQueue {
  private readonly handlers: JobHandlers;
  private readonly logger: Logger;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(handlers: Partial<JobHandlers>, logger: Logger) {
    assertHandlers(handlers);
    this.handlers = handlers;
    this.logger = logger;
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<void> {
    const run = this.runNow(name, payload)
      .catch((error: unknown) => this.logger.warn({ job: name, err: (error as Error).message }, 'job failed'))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  runNow<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<void> {
    return this.handlers[name](payload);
  }

  async start(): Promise<void> {
    for (const [name, every] of Object.entries(SCHEDULE)) {
      const timer = setInterval(() => void this.enqueue(name as JobName, {} as never), every);
      timer.unref();
      this.timers.push(timer);
    }
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.running);
  }
}
