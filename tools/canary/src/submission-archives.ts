import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeConfig } from '@airlock/contracts';
import { create } from 'tar';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** The example every deploy must run to SUCCEEDED. */
export const EXAMPLE_SUBMISSION = join(root, 'examples/submissions/hello');
/** The probe of the attack suite (raw observations; the canary judges them). */
export const PROBE_PROGRAM = join(root, 'packages/rehearsal/attack-submissions/probe.mjs');

async function pack(directory: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of create({ gzip: true, cwd: directory, portable: true }, ['.']) as AsyncIterable<Buffer>)
    chunks.push(chunk);
  return Buffer.concat(chunks);
}

export const exampleArchive = (): Promise<Buffer> => pack(EXAMPLE_SUBMISSION);

/** The probe with its configuration in its entrypoint's arguments: the task gives a submission no other input. */
export async function probeArchive(config: ProbeConfig): Promise<Buffer> {
  const directory = mkdtempSync(join(tmpdir(), 'airlock-canary-probe-'));
  try {
    cpSync(PROBE_PROGRAM, join(directory, 'probe.mjs'));
    writeFileSync(
      join(directory, 'airlock.json'),
      JSON.stringify({ entrypoint: ['node', 'probe.mjs', JSON.stringify(config)] }),
    );
    return await pack(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
