import type { TrustSurface } from '@airlock/cloud-assembly';

/** What a rule says about one subject (a role, a policy, a task definition), as cdk-nag's NagRuleCompliance does. */
export type Compliance = 'compliant' | 'non-compliant' | 'not-applicable';

/** Where a verdict applies: the account and the thing in it, in words (`role airlock-example-orchestrator`). */
export interface Subject {
  readonly account: string;
  readonly subject: string;
}

export type Verdict =
  | (Subject & { readonly compliance: 'compliant' | 'not-applicable' })
  | (Subject & { readonly compliance: 'non-compliant'; readonly message: string });

/** One broken rule: which rule, where, and what is wrong in words. */
export interface Finding extends Subject {
  readonly rule: string;
  readonly message: string;
}

export interface TrustRule {
  /** Kebab-case, the name of the rule's file, shown on every finding. */
  readonly id: string;
  /** The design invariant (I1–I9) or threat the rule enforces. */
  readonly invariant: string;
  /** Why the rule exists, for the report's reader. */
  readonly explanation: string;
  /** A pure function of the surface: one or more verdicts per subject it looks at. */
  readonly check: (surface: TrustSurface) => Verdict[];
}

/** Declares a rule; a rule file exports exactly one. */
export const defineRule = (rule: TrustRule): TrustRule => rule;

/** The non-compliant verdicts of one rule, as findings. */
export const findingsOf = (rule: TrustRule, surface: TrustSurface): Finding[] =>
  rule
    .check(surface)
    .flatMap((v) =>
      v.compliance === 'non-compliant'
        ? [{ rule: rule.id, account: v.account, subject: v.subject, message: v.message }]
        : [],
    );

/** One non-compliant verdict per problem found on a subject, or a single compliant one when there is none. */
export const verdictsFor = (at: Subject, problems: readonly string[]): Verdict[] =>
  problems.length === 0
    ? [{ ...at, compliance: 'compliant' }]
    : problems.map((message) => ({ ...at, compliance: 'non-compliant', message }));

export const notApplicable = (at: Subject): Verdict => ({ ...at, compliance: 'not-applicable' });

export const allowStatements = <S extends { Effect: string }>(statements: readonly S[]): S[] =>
  statements.filter((s) => s.Effect === 'Allow');
