// Walking Amazon States Language definitions: shared by the state machine rule and the baseline.

export type State = Record<string, unknown>;

/** Every state of a definition, nested Map and Parallel states included, with its path for the message. */
export function statesOf(definition: { States?: Record<string, unknown> }, prefix = ''): Array<[string, State]> {
  return Object.entries(definition.States ?? {}).flatMap(([name, value]) => {
    const state = value as State;
    const path = `${prefix}${name}`;
    const nested = [state.Iterator, state.ItemProcessor, ...((state.Branches as unknown[] | undefined) ?? [])].filter(
      (d): d is { States?: Record<string, unknown> } => typeof d === 'object' && d !== null,
    );
    return [[path, state] as [string, State], ...nested.flatMap((d) => statesOf(d, `${path}/`))];
  });
}

/** Every key path of a Parameters object: `Overrides.ContainerOverrides[].Environment`, `TaskDefinition.$`, … */
export function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => keyPaths(v, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...keyPaths(v, path)];
  });
}
