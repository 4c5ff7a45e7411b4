#!/usr/bin/env node
// Runs the TypeScript deploy tool through tsx, as every other workspace tool does.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/deploy-cli.ts');
await main();
