// aws-local-stepfunctions declares Node >= 22 and uses Promise.withResolvers, which Node 20 lacks; without it every
// Task fails (and a `Catch States.ALL` would hide that). Imported before the engine loads.
if (!('withResolvers' in Promise)) {
  Object.defineProperty(Promise, 'withResolvers', {
    value: function withResolvers<T>() {
      let resolve!: (value: T) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
