import { runFlows, type FlowRunOptions, type FlowTarget } from './flow-driver.ts';
import { clientCredentialsLoad, probeClientCredentials, refreshTokenLoad, type TokenLoadOptions } from './token-load.ts';

/**
 * The load generator runs in its own process (forked by load-client.ts), so the servers under test
 * keep their event loop to themselves. Jobs arrive over IPC; each answer carries the job id.
 */

export type LoadJob =
  | { kind: 'flows'; target: FlowTarget; options: FlowRunOptions }
  | { kind: 'probe-client-credentials'; options: TokenLoadOptions; body: string }
  | { kind: 'client-credentials'; options: TokenLoadOptions; body: string }
  | { kind: 'refresh-token'; options: TokenLoadOptions; pool: string[] };

export interface LoadRequest {
  id: number;
  job: LoadJob;
}

export interface LoadReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

async function execute(job: LoadJob): Promise<unknown> {
  switch (job.kind) {
    case 'flows':
      return runFlows(job.target, job.options);
    case 'probe-client-credentials':
      return probeClientCredentials(job.options, job.body);
    case 'client-credentials':
      return clientCredentialsLoad(job.options, job.body);
    case 'refresh-token':
      return refreshTokenLoad(job.options, job.pool);
  }
}

if (import.meta.main) {
  if (!process.send) throw new Error('load-child.ts is started by bench/run.ts over IPC');
  process.on('message', (message: LoadRequest) => {
    void execute(message.job).then(
      (result) => process.send!({ id: message.id, ok: true, result } satisfies LoadReply),
      (error: unknown) => process.send!({ id: message.id, ok: false, error: (error as Error).stack ?? String(error) } satisfies LoadReply),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
