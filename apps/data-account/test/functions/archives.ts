import { tarGz } from '@airlock/shared/testing';

export const goodArchive = () =>
  tarGz([
    { path: 'airlock.json', content: '{"entrypoint":["node","main.mjs"]}' },
    { path: 'main.mjs', content: 'console.log(1)' },
  ]);
