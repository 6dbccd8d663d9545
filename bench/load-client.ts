import { fork, type ChildProcess } from 'node:child_process';
import type { FlowRunOptions, FlowRunReport, FlowTarget } from './flow-driver.ts';
import type { LoadJob, LoadReply, LoadRequest } from './load-child.ts';
import { here } from './settings.ts';

/*
 * The bench's side of the load generator (bench/load-child.ts): forks it once and sends it jobs
 * over IPC. The load runs in its own process so the servers in this process keep their event
 * loop to themselves. Every job has a timeout, so a stuck child cannot hang the bench.
 */

export class LoadClient {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  private nextId = 1;

  constructor() {
    this.child = fork(here('./load-child.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: LoadReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      clearTimeout(waiter.timer);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`load child: ${reply.error}`));
    });
    this.child.on('exit', (code) => {
      for (const [id, waiter] of this.pending) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`load child exited (${code}) during job ${id}`));
      }
      this.pending.clear();
    });
  }

  run<T>(job: LoadJob, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`load job ${job.kind} exceeded ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.child.send({ id, job } satisfies LoadRequest);
    });
  }

  flows(target: FlowTarget, options: FlowRunOptions): Promise<FlowRunReport> {
    return this.run({ kind: 'flows', target, options }, options.durationMs + 60_000);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  close(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}
