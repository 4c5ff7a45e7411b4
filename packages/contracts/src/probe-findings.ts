import * as v from 'valibot';

/**
 * What the canary's probe submission (packages/rehearsal/attack-submissions/probe.mjs) writes as its result: raw
 * observations from inside the task, never verdicts. The canary reads them from the run's report and decides what
 * violates the design. `reached: null` means the probe did not try (e.g. nothing may leave the rehearsing machine).
 */
const text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const attempt = v.strictObject({ target: text(200), reached: v.nullable(v.boolean()), detail: text(500) });
const list = <T extends v.GenericSchema>(item: T, max: number) => v.pipe(v.array(item), v.maxLength(max));

export const PROBE_FINDINGS_VERSION = 1;

/** What the probe is told: where it runs, and what it may aim at there. */
export interface ProbeConfig {
  /** `rehearsal`: never send anything off the task's loopback; `aws`: try the real targets. */
  readonly mode: 'aws' | 'rehearsal';
  /** The S3 endpoint the task network reaches (the rehearsal's front, or `https://s3.<region>.amazonaws.com`). */
  readonly s3Endpoint: string;
  /** A bucket that is not the data bucket: any answer but a refusal means the endpoint lets the task out. */
  readonly foreignBucket: string;
  /**
   * Rehearsal only: the rehearsing machine's loopback ports (by name) that the task network must not reach, every
   * one but the S3 front's; the probe tries each as it tries an internet address, which the rehearsal never does.
   */
  readonly hostPorts?: Readonly<Record<string, number>>;
}

export const probeFindingsSchema = v.strictObject({
  probe: v.literal(PROBE_FINDINGS_VERSION),
  mode: v.picklist(['aws', 'rehearsal']),
  /** The task metadata endpoints; `credentials` when an answer held an access key. */
  metadata: list(v.strictObject({ ...attempt.entries, credentials: v.boolean() }), 6),
  /** Names outside the DNS firewall's allow-list: `reached` when one resolved. */
  dns: list(attempt, 8),
  /** Internet addresses, and on the rehearsal its machine's ports: `reached` when a connection opened. */
  internet: list(attempt, 16),
  /** The S3 endpoint asked for another bucket: `reached` when S3 answered with anything but a refusal. */
  foreignBucket: attempt,
  /** Every process the probe could see, whether its environment was readable and which secret-looking names it held. */
  environments: list(
    v.strictObject({
      pid: text(16),
      self: v.boolean(),
      readable: v.boolean(),
      secrets: list(text(64), 16),
    }),
    64,
  ),
  scratch: v.strictObject({
    path: text(200),
    uid: v.nullable(v.number()),
    gid: v.nullable(v.number()),
    mode: text(8),
    freeBytes: v.nullable(v.number()),
  }),
  identity: v.strictObject({ uid: v.number(), gid: v.number(), capEff: text(16), capBnd: text(16) }),
  /** Other processes (the supervisor, PID 1, first): whether a signal 0 / SIGCONT reached it and ptrace access was given. */
  neighbours: list(
    v.strictObject({ pid: text(16), signalled: v.boolean(), traceable: v.boolean(), detail: text(300) }),
    64,
  ),
  /** The length of the task's per-run variables as the probe can observe them (its supervisor's environment). */
  overrides: v.strictObject({ observedLength: v.nullable(v.number()), detail: text(300) }),
});

export type ProbeFindings = v.InferOutput<typeof probeFindingsSchema>;
