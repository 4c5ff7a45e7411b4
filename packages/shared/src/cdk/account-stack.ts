import { Aspects, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AccountRole, AirlockEnvironment } from '../config/environment-schema.js';
import { accountStackName } from '@airlock/contracts';
import { LogDeliveryKeyBinding } from './log-delivery-binding.js';

export interface AccountStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  /** The validated environment this stack is deployed for. */
  readonly airlock: AirlockEnvironment;
}

/**
 * One account's stack, pinned to that account and region from the environment, so deploying it with another
 * account's credentials fails instead of creating resources in the wrong place.
 */
export class AccountStack extends Stack {
  readonly airlock: AirlockEnvironment;

  constructor(scope: Construct, account: AccountRole, props: AccountStackProps) {
    super(scope, accountStackName(props.airlock, account), {
      ...props,
      stackName: accountStackName(props.airlock, account),
      env: { account: props.airlock.accounts[account], region: props.airlock.region },
    });
    this.airlock = props.airlock;
    Aspects.of(this).add(new LogDeliveryKeyBinding());
  }
}
