/**
 * What prepare (data account) hands out for one run, the orchestrator carries into the launch request, and the
 * sandbox's `fetch` and `deliver` containers read: one presigned GET, one presigned POST and a deadline, all strings
 * because they travel as container variables.
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
