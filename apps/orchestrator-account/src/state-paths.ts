/**
 * A JSONPath into the workflow's state, typed by what is stored there: `statePath<RunGrant>('$.finalize.task')`
 * yields `'$.finalize.task.inputUrl'` for `.field('inputUrl')` and refuses a field the contract does not have, so a
 * renamed contract field breaks the build instead of a run.
 */
export interface StatePath<T> {
  readonly path: string;
  field(name: keyof T & string): string;
}

export function statePath<T>(path: string): StatePath<T> {
  if (!/^\$(\.[A-Za-z][A-Za-z0-9]*)+$/.test(path)) {
    throw new Error(`state path must look like "$.a.b" (letters and digits), got "${path}"`);
  }
  return { path, field: (name) => `${path}.${name}` };
}
