// The entrypoint names mian.mjs: the author should see Node's own "Cannot find module" for it.
console.log('never runs');
