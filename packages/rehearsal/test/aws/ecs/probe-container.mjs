// A container program for the ECS stand-in's tests: it reports what it sees in its scratch file `report-<name>.json`
// (or stdout when the volume is read-only) and then behaves as its second argument says. The volume is at /scratch
// (kernel-confined) or at SCRATCH_DIR (the unconfined stand-in's host directory).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, behaviour = 'exit-0'] = process.argv.slice(2);
const scratch = process.env.SCRATCH_DIR ?? '/scratch';
let writable = false;
try {
  writeFileSync(join(scratch, `written-by-${name}`), name);
  writable = true;
} catch {
  writable = false;
}
console.log(JSON.stringify({ name, pid: process.pid, writable, env: process.env }));

if (behaviour.startsWith('exit-')) process.exit(Number(behaviour.slice(5)));
if (behaviour === 'hang-with-setsid-child') {
  // setsid(2): out of reach of a process-group kill; only the PID namespace's end takes it down.
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  setInterval(() => {}, 1000);
}
