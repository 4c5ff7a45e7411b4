#!/usr/bin/env node
// The `airlock-canary` command: runs the TypeScript canary through tsx, as every other workspace tool does.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
