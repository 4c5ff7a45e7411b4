/**
 * What prepare (data account) hands out for one run, the orchestrator carries, and the sandbox's containers read:
 * one presigned GET, one presigned POST and a deadline, all strings because they travel as container variables.
 */
export interface RunGrant {
  readonly inputUrl: string;
  /** JSON of an {@link OutputPost} for exactly this run's output. */
  readonly outputPost: string;
  /** Epoch milliseconds, as a string. */
  readonly deadline: string;
}

/** The presigned POST of `output.json`, as JSON in {@link RunGrant.outputPost}. */
export interface OutputPost {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The container variable each grant field travels in: the orchestrator sets exactly these, the runner reads them. */
export const RUN_GRANT_VARIABLES = {
  inputUrl: 'INPUT_URL',
  outputPost: 'OUTPUT_POST',
  deadline: 'RUN_DEADLINE',
} as const satisfies Record<keyof RunGrant, string>;
