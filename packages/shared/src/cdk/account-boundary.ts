import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { AccountRole, AirlockEnvironment } from '../config/environment-schema.js';
import { permissionsBoundaryArn } from '@airlock/contracts';

/**
 * Sets the account's permissions boundary (created by its deploy-access stack) on every IAM role of every stack
 * under `scope`, CDK's own helper roles included: the CloudFormation execution policies refuse a role without it.
 */
export function applyAccountBoundary(scope: IConstruct, env: AirlockEnvironment, account: AccountRole): void {
  for (const stack of scope.node.findAll().filter(Stack.isStack)) {
    const boundary = iam.ManagedPolicy.fromManagedPolicyArn(
      stack,
      'AccountPermissionsBoundary',
      permissionsBoundaryArn(env, account),
    );
    iam.PermissionsBoundary.of(stack).apply(boundary);
  }
}
