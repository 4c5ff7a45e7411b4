import type { TrustSurface } from '@airlock/cloud-assembly';

/** One broken rule: which rule, where, and what is wrong in words. */
export interface Finding {
  readonly rule: string;
  readonly account: string;
  readonly subject: string;
  readonly message: string;
}

/** A static check over the whole surface. */
export type TrustRule = (surface: TrustSurface) => Finding[];

export const allowStatements = <S extends { Effect: string }>(statements: readonly S[]): S[] =>
  statements.filter((s) => s.Effect === 'Allow');
