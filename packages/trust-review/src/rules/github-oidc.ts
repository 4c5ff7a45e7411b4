import { asList, principalsOf, type Statement } from '@airlock/cloud-assembly';
import { allowStatements } from './define-rule.js';

/** GitHub Actions' OIDC issuer: its claims appear in conditions as `<host>:aud` and `<host>:sub`. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const SUB = `${GITHUB_OIDC_HOST}:sub`;
export const AUD = `${GITHUB_OIDC_HOST}:aud`;

/** Trust statements that admit a web identity (GitHub's or another provider's). */
export const federatedStatements = (statements: readonly Statement[]): Statement[] =>
  allowStatements(statements).filter((s) => principalsOf(s).some((p) => p.kind === 'Federated'));

/** Every `sub` value a statement tests, whatever the operator. */
export const subjectsOf = (statement: Statement): string[] =>
  Object.values(statement.Condition ?? {}).flatMap((keys) => asList(keys[SUB]));
