import {
  simulateRequest,
  type PolicyDocument,
  type SimulationRequest,
  type SimulationResult,
} from '@airlock/cloud-assembly';
import type { SimulationRow, Verdict } from './simulation-matrix.js';

/** One request of a matrix that shows a defence deciding: who asks for what, and the verdict expected with it. */
export interface DefendedCase {
  readonly hop: string;
  readonly case: string;
  /** The caller's ARN as AWS sees it (a role, or a session of one). */
  readonly principal: string;
  readonly identity: readonly PolicyDocument[];
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly resourcePolicy?: PolicyDocument;
  readonly context?: Record<string, string | string[]>;
  readonly expected: Verdict;
}

const verdictOf = (result: SimulationResult): string =>
  result.kind === 'error' ? `Error: ${result.errors.slice(0, 200)}` : result.allowed ? 'Allowed' : 'Denied';

/**
 * Simulates a case twice, with the defence (`defend` adds it to the request, or says why it cannot) and without it.
 * The row passes when the defended verdict is the expected one and, where the case names it (`control`), the
 * undefended verdict is too: then the row proves the defence is what decides, not the caller's own policies.
 */
export async function withAndWithout(
  c: DefendedCase,
  defence: {
    readonly name: string;
    readonly defend: (request: SimulationRequest) => SimulationRequest | { readonly missing: string };
    readonly control: Verdict | undefined;
  },
): Promise<SimulationRow> {
  const request: SimulationRequest = {
    principal: c.principal,
    identityPolicies: c.identity,
    action: c.action,
    resource: c.resource,
    resourceAccount: c.resourceAccount,
    ...(c.resourcePolicy ? { resourcePolicy: c.resourcePolicy } : {}),
    ...(c.context ? { context: c.context } : {}),
  };
  const defended = defence.defend(request);
  const [actual, control] = await Promise.all([
    'missing' in defended ? `Error: ${defended.missing}` : simulateRequest(defended).then(verdictOf),
    simulateRequest(request).then(verdictOf),
  ]);
  return rowOf(
    c,
    `${actual} (without ${defence.name}: ${control})`,
    actual === c.expected && (defence.control === undefined || control === defence.control),
  );
}

/** A case's row of the report: what was asked, what was expected, what the simulator said, and whether it passed. */
export const rowOf = (c: DefendedCase, actual: string, passed: boolean): SimulationRow => ({
  hop: c.hop,
  case: c.case,
  principal: c.principal,
  action: c.action,
  resource: c.resource,
  expected: c.expected,
  actual,
  passed,
});
