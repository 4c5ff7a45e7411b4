/** A Task state's failure, named as AWS names it (`States.TaskFailed`, `ECS.ThrottlingException`, ...). */
export class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
