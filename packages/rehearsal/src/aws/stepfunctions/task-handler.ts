import type { Artifacts } from '../../run/artifacts.js';

/** What a Task state's handler gets once the workflow has assumed the state's `Credentials.RoleArn`. */
export interface TaskContext {
  readonly artifacts: Artifacts;
  /** The role the state assumed; every action of the handler is authorized as this role. */
  readonly role: string;
  readonly runId: string;
  readonly stateName: string;
  /** Authorizes `action` on `resource` as `role`; a denial fails the task with `States.TaskFailed`, as AWS does. */
  act(action: string, resource: string, context?: Record<string, string>): Promise<void>;
}

/** The stand-in for one service integration (`arn:aws:states:::<service>:<action>`), called with the state's input. */
export type TaskHandler = (task: TaskContext, request: never) => Promise<unknown>;
