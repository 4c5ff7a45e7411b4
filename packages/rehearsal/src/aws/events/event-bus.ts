import type { Authorizer } from '../../iam/authorizer.js';
import type { SandboxWorkflow, WorkflowExecution } from '../stepfunctions/sandbox-workflow.js';

/** An `AWS::Events::Rule` of the sandbox template, intrinsics resolved. */
export interface EventRule {
  readonly name: string;
  readonly arn: string;
  readonly pattern: EventPattern;
  readonly targets: readonly EventTarget[];
}

export interface EventTarget {
  readonly Arn: string;
  readonly RoleArn?: string;
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: { readonly InputPathsMap?: Record<string, string>; readonly InputTemplate: string };
}

type EventPattern = { readonly [key: string]: EventPattern | readonly unknown[] };
type Event = Readonly<Record<string, unknown>>;

/** What EventBridge did with one event: the rules it matched and the executions their targets started. */
export interface Delivery {
  readonly rule: string;
  readonly execution: WorkflowExecution;
}

/**
 * An account's default event bus for the rehearsal (the sandbox's, the data account's): an event is matched against the synthesized rules
 * (exact values, `prefix`, nested fields, as EventBridge's patterns), and each matching rule's state machine
 * target is started with the target's role, authorized against that role's policy.
 */
export class EventBus {
  readonly deliveries: Delivery[] = [];
  /** Events whose delivery failed (a target's role may not start it), for the caller to report. */
  readonly failures: string[] = [];

  constructor(
    private readonly rules: readonly EventRule[],
    private readonly workflows: ReadonlyMap<string, SandboxWorkflow>,
    private readonly authorizer: Authorizer,
  ) {}

  /** Delivers `event`; resolves when every started target execution has ended. */
  async put(event: Event): Promise<Delivery[]> {
    const delivered: Delivery[] = [];
    for (const rule of this.rules.filter((r) => matches(r.pattern, event))) {
      for (const target of rule.targets) {
        const workflow = this.workflows.get(target.Arn);
        if (!workflow) throw new Error(`rule ${rule.name} targets ${target.Arn}, which the rehearsal does not run`);
        if (!target.RoleArn) throw new Error(`rule ${rule.name}'s target ${target.Arn} has no role to start it with`);
        await this.authorizer.authorize(target.RoleArn, 'states:StartExecution', target.Arn);
        const execution = workflow.start(`${rule.name}-${String(event.id)}`.slice(0, 80), targetInput(target, event));
        delivered.push({ rule: rule.name, execution });
      }
    }
    this.deliveries.push(...delivered);
    await Promise.all(delivered.map((d) => d.execution.done));
    return delivered;
  }
}

/** The event Step Functions sends when an execution changes status. */
export function executionStatusChange(execution: WorkflowExecution, account: string, region: string): Event {
  return {
    version: '0',
    id: `${execution.name}-${execution.status}`.toLowerCase(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account,
    time: new Date().toISOString(),
    region,
    resources: [execution.arn],
    detail: {
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.getTime(),
      stopDate: execution.stopDate?.getTime() ?? null,
    },
  };
}

let objectEvents = 0;

/** The event S3 sends to EventBridge when an object is created (the bucket has EventBridge notifications on). */
export function objectCreated(bucket: string, key: string, account: string, region: string): Event {
  return {
    version: '0',
    // Short and unique: it names the target's execution.
    id: `object-created-${++objectEvents}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account,
    time: new Date().toISOString(),
    region,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key }, reason: 'PutObject' },
  };
}

/** EventBridge pattern matching, for the forms the rehearsal's rules use. */
export function matches(pattern: EventPattern, event: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const value = (event as Record<string, unknown> | undefined)?.[key];
    if (!Array.isArray(expected)) return matches(expected as EventPattern, value);
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    return expected.some((e) =>
      typeof e === 'object' && e !== null
        ? 'prefix' in e && values.some((v) => typeof v === 'string' && v.startsWith(String(e.prefix)))
        : values.includes(e),
    );
  });
}

/** The input a target receives: the whole event, a constant, a path of it, or a transformer's template. */
function targetInput(target: EventTarget, event: Event): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath) return JSON.stringify(select(event, target.InputPath));
  const transformer = target.InputTransformer;
  if (!transformer) return JSON.stringify(event);
  const paths = transformer.InputPathsMap ?? {};
  // A placeholder inside quotes takes the value's text; elsewhere its JSON.
  return transformer.InputTemplate.replace(
    /("?)<([\w-]+)>("?)/g,
    (whole, open: string, name: string, close: string) => {
      const path = paths[name];
      if (path === undefined) return whole;
      const value = select(event, path);
      return open && close ? `"${String(value)}"` : `${open}${JSON.stringify(value)}${close}`;
    },
  );
}

function select(event: Event, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], event);
}
