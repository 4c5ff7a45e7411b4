import { GetTemplateCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { broadens, compareTemplates, summarize, type CfnTemplate, type CompareTemplates } from './surface-changes.js';

export interface GateResult {
  readonly broadening: boolean;
  readonly summary: string;
}

/** The template CloudFormation holds for the stack, as deployed; undefined when the stack does not exist yet. */
export async function deployedTemplate(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<CfnTemplate | undefined> {
  try {
    const { TemplateBody } = await cloudFormation.send(
      new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }),
    );
    return JSON.parse(TemplateBody ?? '{}') as CfnTemplate;
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message))
      return undefined;
    throw error;
  }
}

/**
 * Compares the template about to be deployed with the deployed one (read with the deploy credentials). The
 * workflow sends a broadening deploy to the reviewer-gated environment; the everyday execution policy refuses the
 * same changes anyway, so skipping this step only turns a pause into a failed deploy.
 */
export async function broadeningGate(
  cloudFormation: CloudFormationClient,
  stackName: string,
  proposed: CfnTemplate,
  compare: CompareTemplates = compareTemplates,
): Promise<GateResult> {
  const changes = compare(await deployedTemplate(cloudFormation, stackName), proposed);
  return { broadening: broadens(changes), summary: summarize(stackName, changes) };
}
