/**
 * The three-container runner task's contract: container names (each also the runner's role argument), the variables
 * each container reads, and the exit codes the launch result carries. The runner, the sandbox's task definition and
 * launch workflow, finalize and the rehearsal all read it from here.
 */

/** Container names in the task definition; each container's `command` is its own name: `["fetch"]` and so on. */
export const CONTAINER = { FETCH: 'fetch', RUN: 'run', DELIVER: 'deliver' } as const;
export type ContainerName = (typeof CONTAINER)[keyof typeof CONTAINER];
export const CONTAINER_NAMES: readonly ContainerName[] = Object.values(CONTAINER);

/** Where the task definition mounts the shared scratch volume in all three containers (the image declares it). */
export const SCRATCH_PATH = '/scratch';

/** Environment variable names the containers read. */
export const VARIABLE = {
  /** Per run (fetch): presigned GET of `runs/<RUN_ID>/input.tar.gz`. */
  INPUT_URL: 'INPUT_URL',
  /** Per run (deliver): presigned POST for `runs/<RUN_ID>/output.json`, as JSON `{"url": "...", "fields": {...}}`. */
  OUTPUT_POST: 'OUTPUT_POST',
  /** Per run (fetch, run): epoch milliseconds after which nothing of the run may happen. */
  RUN_DEADLINE: 'RUN_DEADLINE',
  /** Per run (fetch, deliver): the run ID, which the URLs must name. */
  RUN_ID: 'RUN_ID',
  /** Fixed in the task definition (fetch, deliver): the data bucket's object-URL prefix, ending in "/". */
  DATA_URL_PREFIX: 'AIRLOCK_DATA_URL_PREFIX',
  /** Fixed in the task definition (fetch, run): the latest acceptable deadline, in seconds from now. */
  RUN_MAX_SECONDS: 'RUN_MAX_SECONDS',
  /** Optional (all): the shared scratch volume's mount point; SCRATCH_PATH unless set (tests set it). */
  SCRATCH_DIR: 'SCRATCH_DIR',
} as const;

/** Which variables each container receives: `perRun` as container overrides, `fixed` in the task definition. */
export const CONTAINER_VARIABLES = {
  [CONTAINER.FETCH]: {
    perRun: [VARIABLE.INPUT_URL, VARIABLE.RUN_ID, VARIABLE.RUN_DEADLINE],
    fixed: [VARIABLE.DATA_URL_PREFIX, VARIABLE.RUN_MAX_SECONDS],
  },
  [CONTAINER.RUN]: { perRun: [VARIABLE.RUN_DEADLINE], fixed: [VARIABLE.RUN_MAX_SECONDS] },
  [CONTAINER.DELIVER]: { perRun: [VARIABLE.OUTPUT_POST, VARIABLE.RUN_ID], fixed: [VARIABLE.DATA_URL_PREFIX] },
} as const satisfies Record<ContainerName, { perRun: readonly string[]; fixed: readonly string[] }>;

/**
 * Exit codes of the three containers. 0 means the container did its job whatever the submission did (an archive
 * rejected by fetch is recorded and delivered as REJECTED). `run`'s code is only a claim: the submission shares its
 * uid; the launch workflow's timeout is the authority on the deadline.
 */
export const CONTAINER_EXIT = {
  OK: 0,
  /** A variable is missing or malformed, or the role argument is unknown. */
  BAD_ENVIRONMENT: 2,
  /** fetch: the input could not be downloaded. */
  DOWNLOAD_FAILED: 3,
  /** deliver: S3 refused the POST or it failed. */
  UPLOAD_REJECTED: 4,
  /** The deadline has passed (or passed during the container's work). */
  DEADLINE: 5,
  /** fetch/deliver: the URL or POST key is not this run's object under the data bucket's prefix. */
  URL_REFUSED: 6,
  /** fetch/run: the deadline is later than now + RUN_MAX_SECONDS. */
  DEADLINE_REFUSED: 7,
  /** run: not PID 1 of its own PID namespace (with that namespace's /proc), so it cannot safely kill everything. */
  NOT_NAMESPACE_INIT: 8,
  /** run/deliver: the previous container's record on the volume is missing, not a regular file, too big or malformed. */
  RECORD_UNUSABLE: 9,
  /** run: a process of the submission was still alive after the kill. */
  SURVIVORS: 10,
  /** run: stopped by SIGTERM (StopTask); everything was killed and the record written. */
  STOPPED: 11,
} as const;
