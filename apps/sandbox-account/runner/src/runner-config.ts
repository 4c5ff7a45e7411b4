import { RUN_GRANT_VARIABLES, type OutputPost } from '@airlock/contracts';

const { inputUrl: INPUT_URL, outputPost: OUTPUT_POST, deadline: RUN_DEADLINE } = RUN_GRANT_VARIABLES;

/** What the orchestrator passes to the container, and nothing else: two presigned requests and a deadline. */
export interface RunnerConfig {
  /** Presigned GET of this run's input archive. */
  readonly inputUrl: string;
  /** Presigned POST for this run's `output.json`. */
  readonly outputPost: OutputPost;
  /** Epoch milliseconds after which nothing of this run may happen. */
  readonly deadline: number;
  /** Writable scratch volume; the root file system is read-only. */
  readonly scratchDir: string;
}

export class RunnerConfigError extends Error {}

export function readRunnerConfig(env: NodeJS.ProcessEnv): RunnerConfig {
  const inputUrl = requireUrl(env, INPUT_URL);
  let outputPost: unknown;
  try {
    outputPost = JSON.parse(env[OUTPUT_POST] ?? '');
  } catch {
    throw new RunnerConfigError(`${OUTPUT_POST} must be JSON: {"url": "...", "fields": {...}}`);
  }
  if (!isPost(outputPost)) throw new RunnerConfigError(`${OUTPUT_POST} must be JSON: {"url": "...", "fields": {...}}`);
  requireUrl({ [`${OUTPUT_POST}_URL`]: outputPost.url }, `${OUTPUT_POST}_URL`);
  const deadline = Number(env[RUN_DEADLINE]);
  if (!Number.isSafeInteger(deadline) || deadline <= 0) {
    throw new RunnerConfigError(`${RUN_DEADLINE} must be the run deadline in epoch milliseconds`);
  }
  return { inputUrl, outputPost, deadline, scratchDir: env.SCRATCH_DIR || '/scratch' };
}

function requireUrl(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (!value || !/^https?:\/\//.test(value)) throw new RunnerConfigError(`${name} must be an http(s) URL`);
  return value;
}

function isPost(value: unknown): value is RunnerConfig['outputPost'] {
  if (typeof value !== 'object' || value === null) return false;
  const { url, fields } = value as Record<string, unknown>;
  return (
    typeof url === 'string' &&
    typeof fields === 'object' &&
    fields !== null &&
    Object.values(fields).every((v) => typeof v === 'string')
  );
}
