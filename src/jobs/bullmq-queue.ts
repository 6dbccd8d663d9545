import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../observability/logger.ts';
import { SCHEDULE, assertHandlers, type JobHandlers, type JobName, type JobPayloads, type JobQueue } from './jobs.ts';

const QUEUE = 'servicekonto';

/**
 * Jobs on Redis through BullMQ. Failed jobs retry with back-off; repeating jobs are
 * registered as job schedulers so several nodes never duplicate them.
 */
export class BullmqQueue implements JobQueue {
  private readonly queue: Queue;
  private worker?: Worker;
  private readonly handlers: JobHandlers;
  private readonly connection: ConnectionOptions;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly runWorker: boolean;

  constructor(options: { url: string; prefix: string; handlers: Partial<JobHandlers>; logger: Logger; runWorker: boolean }) {
    assertHandlers(options.handlers);
    this.handlers = options.handlers;
    this.connection = { url: options.url, maxRetriesPerRequest: null };
    this.prefix = `${options.prefix}bull`;
    this.logger = options.logger;
    this.runWorker = options.runWorker;
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix: this.prefix });
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<void> {
    await this.queue.add(name, payload, { attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 });
  }

  runNow<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<void> {
    return this.handlers[name](payload);
  }

  async start(): Promise<void> {
    for (const [name, every] of Object.entries(SCHEDULE)) {
      await this.queue.upsertJobScheduler(name, { every }, { name, data: {} });
    }
    if (!this.runWorker) return;
    this.worker = new Worker(QUEUE, async (job) => {
      const handler = this.handlers[job.name as JobName] as (payload: unknown) => Promise<void>;
      await handler(job.data);
    }, { connection: this.connection, prefix: this.prefix, concurrency: 4 });
    this.worker.on('failed', (job, error) => this.logger.warn({ job: job?.name, err: error.message }, 'job failed'));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
