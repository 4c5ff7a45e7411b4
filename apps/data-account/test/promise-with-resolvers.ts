// aws-local-stepfunctions uses Promise.withResolvers, which Node 20 lacks; without it every Task fails. Imported
// before the engine loads (the rehearsal has the same polyfill; apps may not import tools).
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
