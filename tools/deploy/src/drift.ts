import {
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  type CloudFormationClient,
} from '@aws-sdk/client-cloudformation';

export interface DriftOptions {
  /** Pause between status polls. @default - 5 s */
  readonly pollMs?: number;
  /** Gives up after this many polls. @default - 120 (10 minutes at 5 s) */
  readonly maxPolls?: number;
}

/** Runs CloudFormation drift detection on the stack; resolves to one line per drifted resource (none: in sync). */
export async function detectDrift(
  cloudFormation: CloudFormationClient,
  stackName: string,
  { pollMs = 5000, maxPolls = 120 }: DriftOptions = {},
): Promise<string[]> {
  const { StackDriftDetectionId } = await cloudFormation.send(new DetectStackDriftCommand({ StackName: stackName }));
  for (let poll = 0; poll < maxPolls; poll++) {
    const status = await cloudFormation.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
    if (status.DetectionStatus === 'DETECTION_IN_PROGRESS') {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      continue;
    }
    if (status.DetectionStatus === 'DETECTION_FAILED')
      throw new Error(
        `drift detection of ${stackName} failed: ${status.DetectionStatusReason}. Fix: give the drift role read access to the resource types named there`,
      );
    if (status.StackDriftStatus === 'IN_SYNC') return [];
    const drifted: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await cloudFormation.send(
        new DescribeStackResourceDriftsCommand({
          StackName: stackName,
          StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
          NextToken,
        }),
      );
      for (const d of page.StackResourceDrifts ?? [])
        drifted.push(
          `${d.LogicalResourceId} (${d.ResourceType}) ${d.StackResourceDriftStatus}: ${(d.PropertyDifferences ?? []).map((p) => `${p.PropertyPath} ${p.DifferenceType}`).join(', ') || 'no property detail'}`,
        );
      NextToken = page.NextToken;
    } while (NextToken);
    return drifted.length > 0 ? drifted : [`${stackName} is ${status.StackDriftStatus}`];
  }
  throw new Error(`drift detection of ${stackName} did not finish after ${maxPolls} polls. Fix: run it again`);
}
