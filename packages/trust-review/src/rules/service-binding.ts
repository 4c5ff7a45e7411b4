import { accountOfArn, asList, type Statement } from '@airlock/cloud-assembly';

/**
 * Condition keys that tie a service's request to this account's own resources: the confused-deputy keys, and the
 * encryption context CloudWatch Logs sends to KMS (the log group's ARN, so the account is in it).
 */
const ACCOUNT_KEYS = ['aws:SourceAccount'];
const ARN_KEYS = ['aws:SourceArn', 'kms:EncryptionContext:aws:logs:arn'];

/**
 * Operators under which a binding key restricts the request to its values. `IfExists` passes a request without the
 * key, a `Not` operator admits every other account, and `ForAnyValue`/`Null` do not test the value at all.
 */
const BINDING_OPERATORS = ['StringEquals', 'StringLike', 'ArnEquals', 'ArnLike'];

/**
 * Whether a statement that allows a service principal binds it to `accountId`: some binding key under a binding
 * operator whose every value names that account (the account itself, or an ARN in it; `*` or another account's ID
 * binds nothing). Returns the problem in words, or undefined when the statement is bound.
 */
export function serviceBindingProblem(statement: Statement, accountId: string): string | undefined {
  const found: string[] = [];
  for (const [operator, keys] of Object.entries(statement.Condition ?? {}))
    for (const [key, value] of Object.entries(keys)) {
      const isAccountKey = ACCOUNT_KEYS.includes(key);
      if (!isAccountKey && !ARN_KEYS.includes(key)) continue;
      const values = asList(value);
      const foreign = values.filter((v) => (isAccountKey ? v !== accountId : accountOfArn(v) !== accountId));
      if (!BINDING_OPERATORS.includes(operator)) found.push(`${key} under ${operator}, which does not bind it`);
      else if (values.length === 0 || foreign.length > 0)
        found.push(`${key} ${JSON.stringify(foreign.length > 0 ? foreign : values)}, not this account (${accountId})`);
      else return undefined;
    }
  return found.length === 0 ? 'without aws:SourceAccount or aws:SourceArn' : `with ${found.join(' and ')}`;
}
