import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCOUNT_ROLES, loadEnvironment, type AccountRole } from '@airlock/shared/environment';
import { accountStack, cloudAssemblyDir, loadTrustSurface } from '@airlock/cloud-assembly';
import { baselineOf, serializeBaseline } from '../src/baseline.js';
import { onTestFinished } from 'vitest';
import { organizationGuardrails } from '@airlock/shared/organization-guardrails';
import { review } from '../src/review.js';
import { runTrustRules } from '../src/rules/index.js';

// Templates synthesized by the apps' `synth` targets (the test target depends on them).
export const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const env = loadEnvironment('example');

// Templates are edited freely here, as a person editing JSON would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary template JSON under mutation
export type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };

/** A temporary workspace with copies of the real cloud assemblies and a baseline reviewed from them. */
export function scratch() {
  const root = mkdtempSync(join(tmpdir(), 'airlock-review-'));
  // Called inside a test: the copies go when that test ends.
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  for (const account of ACCOUNT_ROLES) {
    const from = cloudAssemblyDir(workspaceRoot, account);
    const to = cloudAssemblyDir(root, account);
    mkdirSync(to, { recursive: true });
    // The manifests and templates, not the asset directories.
    for (const f of readdirSync(from, { withFileTypes: true }).filter((e) => e.isFile()))
      cpSync(join(from, f.name), join(to, f.name));
  }
  const baselineFile = join(root, 'trust-baseline.json');
  writeFileSync(baselineFile, serializeBaseline(baselineOf(loadTrustSurface(env, root), organizationGuardrails(env))));
  /** Edits the main template of an account in place. */
  const edit = (account: AccountRole, change: (t: Template) => void) => {
    const file = accountStack(env, root, account).templateFullPath;
    const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
    change(template);
    writeFileSync(file, JSON.stringify(template));
  };
  /** Edits an account's deploy-access template (its deploy roles and their managed policies) in place. */
  const editDeployAccess = (account: AccountRole, change: (t: Template) => void) => {
    const file = join(
      cloudAssemblyDir(root, account),
      `${accountStack(env, root, account).stackName}-deploy-access.template.json`,
    );
    const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
    change(template);
    writeFileSync(file, JSON.stringify(template));
  };
  const run = () => review(env, root, baselineFile);
  /** The static rules' findings alone (no simulation): what most mutation tests need, in a fraction of the time. */
  const ruleFindings = () => runTrustRules(loadTrustSurface(env, root));
  /** The surface the edited templates make, for questions beyond the review (who-can). */
  const surface = () => loadTrustSurface(env, root);
  return { edit, editDeployAccess, run, ruleFindings, surface };
}

/** Rewrites a state machine's definition text (the string parts of its `Fn::Join`), as a person editing it would. */
export function editDefinition(t: Template, name: string, change: (text: string) => string): void {
  const machine = Object.values(t.Resources).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties.StateMachineName === name,
  )!;
  const definition = machine.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  machine.Properties.DefinitionString =
    typeof definition === 'string'
      ? change(definition)
      : {
          'Fn::Join': [
            definition['Fn::Join'][0],
            definition['Fn::Join'][1].map((p) => (typeof p === 'string' ? change(p) : p)),
          ],
        };
}
