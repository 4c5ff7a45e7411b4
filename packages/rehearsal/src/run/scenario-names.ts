// The names `npm start -- --fault` and `--attack` take, apart from the faults and attacks themselves: the command
// line checks a name before the synth check starts, and loading `faults.ts` (the AWS SDK's S3 client among its
// imports) would delay that by ~0.1 s of CPU. `test/run/scenario-names.test.ts` keeps these lists and the
// definitions the same.

export const FAULT_NAMES = [
  'submission-crashes',
  'submission-hangs',
  'output-oversized',
  'output-malformed',
  'cross-run-access',
  'prepare-fails',
  'replayed-submission',
  'forged-report',
  'late-upload',
  'leaked-urls',
  'ecs-throttles',
  'sandbox-trust-broken',
  'launch-aborted',
  'kill-switch',
] as const;

export const ATTACK_NAMES = [
  'read-environ',
  'signal-runner',
  'trace-runner',
  'write-neighbour-output',
  'reach-host',
  'setsid-daemon',
  'fork-bomb',
  'fill-scratch',
  'exceed-memory',
  'exceed-memory-together',
  'flood-stdout',
  'exfiltrate-through-endpoint',
  'output-link',
  'output-fifo',
  'other-run-key',
] as const;
