import { quoteUntrusted, terminalSafe } from '@airlock/shared/terminal-text';
import type { StateOutcome, StateTiming } from '../aws/stepfunctions/standard-engine.js';
import { AccessDenied, type Decision } from '../iam/authorizer.js';
import { hopDenial } from '../iam/external-id.js';
import type { Rehearsal, RunOutcome } from './rehearsal.js';

/** A request the rehearsal refused, at the S3 front or in IAM (a role assumption, an action). */
export interface RefusedRequest {
  readonly service: 's3' | 'iam';
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly reason: string;
}

const MARK: Readonly<Record<StateOutcome, string>> = {
  succeeded: '✓',
  failed: '✗',
  caught: '✗',
  handling: '↪',
};

/** One state as `npm start` prints it: ✗ for a failed or caught state, with its error and cause under it. */
export function stateLines(t: StateTiming): string[] {
  const line = `  ${MARK[t.outcome]} ${t.name.padEnd(18)} ${`[${t.account}]`.padEnd(15)} ${String(t.ms).padStart(5)} ms`;
  const caught = t.outcome === 'caught' ? ' (caught)' : t.outcome === 'handling' ? ' (handling the failure)' : '';
  if (!t.error) return [`${line}${caught}`];
  return [`${line}${caught}`, `      ${terminalSafe(t.error)}: ${terminalSafe(t.cause ?? '')}`];
}

/** Every refused request of the rehearsal so far: IAM's (a role assumption, an action) and the S3 front's. */
export function refusedRequests(rehearsal: Rehearsal): RefusedRequest[] {
  const { standard } = rehearsal.artifacts;
  const iamReason = (d: Decision) =>
    (d.action === 'sts:AssumeRole' && d.principal === standard.roleArn
      ? hopDenial(standard, d.resource, rehearsal.authorizer.role(d.resource).trust)
      : undefined) ?? new AccessDenied(d.principal, d.action, d.resource, d.refusedBy).message;
  return [
    ...rehearsal.authorizer.decisions
      .filter((d) => !d.allowed)
      .map((d) => ({
        service: 'iam' as const,
        principal: d.principal,
        action: d.action,
        resource: d.resource,
        reason: iamReason(d),
      })),
    ...rehearsal.accesses
      .filter((a) => !a.allowed)
      .map((a) => ({
        service: 's3' as const,
        principal: a.roleArn,
        action: a.action,
        resource: a.key,
        reason: a.reason ?? '',
      })),
  ];
}

/**
 * Why a run failed, outermost first: the execution's error, what the run record says, then each state that failed
 * with its own error and cause (the innermost is usually the real reason, e.g. a refused role assumption).
 */
export function causeChain(outcome: RunOutcome): string[] {
  if (outcome.status === 'SUCCEEDED') return [];
  return [
    ...(outcome.error ? [`${outcome.error}: ${outcome.cause ?? ''}`] : []),
    ...(outcome.record?.reason ? [`run record ${outcome.record.status ?? ''}: ${outcome.record.reason}`] : []),
    ...outcome.states
      .filter((s) => (s.outcome === 'caught' || s.outcome === 'failed') && s.error && s.error !== outcome.error)
      .map((s) => `${s.name} [${s.account}]: ${s.error ?? ''}: ${s.cause ?? ''}`),
  ];
}

/** The submission's own output, quoted and made terminal-safe, for a run whose record keeps it. */
export function submissionOutputLines(outcome: RunOutcome): string[] {
  const record = outcome.record ?? {};
  return (['stderr', 'stdout'] as const).flatMap((stream) => {
    const tail = stream === 'stderr' ? record.stderrTail : record.stdoutTail;
    if (!tail) return [];
    return [`  the submission's ${stream} (its last bytes, as it wrote them):`, quoteUntrusted(tail, '    │ ')];
  });
}
