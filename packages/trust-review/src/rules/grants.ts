/** Whether an Action list covers `action`, through "*" or a trailing-wildcard pattern such as `sts:Assume*`. */
export const grants = (actions: readonly string[], action: string): boolean =>
  actions.some(
    (a) =>
      a === '*' ||
      a.toLowerCase() === action.toLowerCase() ||
      (a.endsWith('*') && action.toLowerCase().startsWith(a.slice(0, -1).toLowerCase())),
  );
