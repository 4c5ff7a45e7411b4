#!/usr/bin/env node
// The `airlock` command: runs the TypeScript CLI through tsx, as every other workspace tool does.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
