/**
 * The incident kill switch: an inline deny put on the role that starts new work in one account. Defined once here,
 * for the deploy tool that puts it on the deployed role and the rehearsal that proves what it stops and what it
 * leaves working.
 */
export type KillSwitchAccount = 'sandbox' | 'data';

/** What starts a new launch in the sandbox account: the launcher role starting the launch workflow. */
export const SANDBOX_LAUNCH_ACTIONS: readonly string[] = ['states:StartExecution'];
/** What gets a new run its URLs in the data account: the prepare step assuming the URL signer. */
export const DATA_PREPARE_ACTIONS: readonly string[] = ['sts:AssumeRole'];

/** The statement ids, so a denial can be traced to the kill switch. */
export const KILL_SWITCH_STATEMENT_IDS = {
  sandbox: 'KillSwitchNoNewLaunches',
  data: 'KillSwitchNoNewPrepares',
} as const satisfies Record<KillSwitchAccount, string>;

export interface KillSwitchPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ReadonlyArray<{ Sid: string; Effect: 'Deny'; Action: string[]; Resource: string }>;
}

/**
 * The inline policy the kill switch puts on the account's starting role: it denies only starting new work, so
 * describing, stopping, finalizing and purging the runs in flight keep working (I8).
 */
export function killSwitchPolicyDocument(account: KillSwitchAccount): KillSwitchPolicyDocument {
  const actions = account === 'sandbox' ? SANDBOX_LAUNCH_ACTIONS : DATA_PREPARE_ACTIONS;
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: KILL_SWITCH_STATEMENT_IDS[account], Effect: 'Deny', Action: [...actions], Resource: '*' }],
  };
}
