import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LambdaArtifact } from '../../run/artifacts.js';

/** A Lambda invocation that failed: `name` is the error type Step Functions sees. */
export class LambdaError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * One warm execution environment per function: the bundled handler from cdk.out, loaded once in a worker thread
 * with the template's environment plus the rehearsal's endpoints and the role's stand-in credentials.
 */
export class LambdaHost {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly ready: Promise<void>;
  private next = 0;
  readonly logs: string[] = [];

  constructor(fn: LambdaArtifact, environment: Record<string, string>) {
    this.worker = new Worker(fileURLToPath(new URL('./lambda-worker.mjs', import.meta.url)), {
      workerData: { bundle: fn.bundle, name: fn.logicalId },
      env: { ...fn.environment, ...environment },
      stdout: true,
      stderr: true,
    });
    // Function logs are kept, not printed: they are CloudWatch's, not the operator's.
    this.worker.stdout.on('data', (c: Buffer) => this.logs.push(c.toString('utf8')));
    this.worker.stderr.on('data', (c: Buffer) => this.logs.push(c.toString('utf8')));
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on(
        'message',
        (message: { ready?: boolean; id?: number; result?: unknown; error?: { name: string; message: string } }) => {
          if (message.ready) return resolve();
          const call = this.pending.get(message.id ?? -1);
          if (!call) return;
          this.pending.delete(message.id ?? -1);
          if (message.error) call.reject(new LambdaError(message.error.name, message.error.message));
          else call.resolve(message.result);
        },
      );
    });
  }

  async invoke(event: unknown): Promise<unknown> {
    await this.ready;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, event });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
