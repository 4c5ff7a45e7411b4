// Runs as an unprivileged uid (started by attacks-user-mode.test.ts with setpriv): rehearses the named attacks in
// `user` mode, one after another in one rehearsal, and prints each report as one JSON array.
import { fileURLToPath } from 'node:url';
import { loadEnvironment } from '@airlock/shared/environment';
import { rehearseAttack } from '../src/run/attacks.js';
import { Rehearsal } from '../src/run/rehearsal.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const rehearsal = await Rehearsal.start({ root, env: loadEnvironment('example') });
try {
  if (rehearsal.confinement.mode !== 'user') {
    throw new Error(`expected user mode, got ${rehearsal.confinement.mode}: ${rehearsal.confinement.reason}`);
  }
  const reports = [];
  for (const name of process.argv.slice(2)) {
    const report = await rehearseAttack(rehearsal, name);
    reports.push({ name, status: report.outcome.status, evidence: report.evidence, problems: report.problems });
  }
  process.stdout.write(JSON.stringify(reports));
} finally {
  await rehearsal.close();
}
