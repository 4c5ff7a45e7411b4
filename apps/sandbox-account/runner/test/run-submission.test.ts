import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_LIMITS } from '../src/limits.js';
import { runSubmission } from '../src/run.js';
import { RUNNER_EXIT as EXIT } from '@airlock/contracts';
import { submission, tarGz, type TestEntry } from './archives.js';
import { PresignedFixture } from './presigned-fixture.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/submissions/hello/', import.meta.url));
// Short deadlines keep the suite fast; the upload reserve shrinks with them.
const limits = { ...RUNNER_LIMITS, uploadReserveMs: 1_000 };

let fixture: PresignedFixture;
beforeAll(async () => {
  fixture = await new PresignedFixture(Buffer.alloc(0)).start();
});
afterAll(() => fixture.close());

async function run(input: Buffer, seconds = 20) {
  fixture.setInput(input);
  const scratchDir = mkdtempSync(join(tmpdir(), 'airlock-runner-'));
  const uploadsBefore = fixture.uploads.length;
  const outcome = await runSubmission(
    { inputUrl: fixture.inputUrl, outputPost: fixture.outputPost, deadline: Date.now() + seconds * 1000, scratchDir },
    limits,
  );
  const delivered = fixture.uploads.length > uploadsBefore;
  return { outcome, scratchDir, output: delivered ? fixture.lastOutput() : undefined };
}

function exampleArchive(): Buffer {
  const walk = (dir: string): TestEntry[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(join(dir, e.name))
        : [{ path: relative(EXAMPLE, join(dir, e.name)), content: readFileSync(join(dir, e.name), 'utf8') }],
    );
  return tarGz(walk(EXAMPLE));
}

describe('runSubmission', () => {
  it('runs the example submission and delivers its result through the POST', async () => {
    const { outcome, output } = await run(exampleArchive());
    expect(outcome.exitCode).toBe(EXIT.DELIVERED);
    expect(output).toMatchObject({
      schemaVersion: 1,
      status: 'COMPLETED',
      execution: { exitCode: 0, timedOut: false, stdout: { tail: expect.stringContaining('counted') } },
      result: { languages: { JavaScript: { files: 1 }, Python: { files: 1, lines: 3 }, Markdown: { files: 1 } } },
    });
    expect(fixture.uploads.at(-1)?.fields).toEqual(fixture.outputPost.fields);
  });

  it('delivers a crash as a completed run with the exit code and stderr tail', async () => {
    const { outcome, output } = await run(submission("console.error('boom'); process.exit(3);"));
    expect(outcome.exitCode).toBe(EXIT.DELIVERED);
    expect(output).toMatchObject({ status: 'COMPLETED', execution: { exitCode: 3, stderr: { tail: 'boom\n' } } });
    expect(output).not.toHaveProperty('result');
  });

  it('kills a submission that loops forever at the deadline, with its children, and still delivers', async () => {
    const started = Date.now();
    const { outcome, output } = await run(
      submission(
        "import { spawn } from 'node:child_process'; spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }); for (;;) {}",
      ),
      3,
    );
    expect(outcome.exitCode).toBe(EXIT.DELIVERED);
    expect(output).toMatchObject({ status: 'TIMED_OUT', execution: { timedOut: true, signal: 'SIGKILL' } });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('keeps only a bounded tail of megabytes of output', async () => {
    const { output } = await run(submission("process.stdout.write('x'.repeat(5 * 1024 * 1024) + 'END');"));
    const stdout = (output as { execution: { stdout: { tail: string; bytes: number } } }).execution.stdout;
    expect(stdout.bytes).toBe(5 * 1024 * 1024 + 3);
    expect(stdout.tail.length).toBe(RUNNER_LIMITS.outputTailBytes);
    expect(stdout.tail.endsWith('END')).toBe(true);
  });

  it('refuses a huge result.json but delivers the rest', async () => {
    const { outcome, output } = await run(
      submission(
        "import { writeFileSync } from 'node:fs'; writeFileSync(process.env.AIRLOCK_RESULT_FILE, JSON.stringify({ big: 'y'.repeat(1024 * 1024) }));",
      ),
    );
    expect(outcome.exitCode).toBe(EXIT.DELIVERED);
    expect(output).toMatchObject({
      status: 'COMPLETED',
      resultError: expect.stringMatching(/^result\.json is \d+ bytes, over the limit of 65536$/),
    });
    expect(output).not.toHaveProperty('result');
  });

  it('gives the submission neither the presigned URLs nor anything else of the runner environment', async () => {
    process.env.AIRLOCK_TEST_SECRET = 'must-not-leak';
    const { output } = await run(
      submission(
        "import { writeFileSync } from 'node:fs'; writeFileSync(process.env.AIRLOCK_RESULT_FILE, JSON.stringify(Object.keys(process.env).sort()));",
      ),
    );
    delete process.env.AIRLOCK_TEST_SECRET;
    expect(output?.result).toEqual(['AIRLOCK_INPUT_DIR', 'AIRLOCK_RESULT_FILE', 'HOME', 'PATH', 'TMPDIR']);
  });

  it.each<[string, TestEntry[], RegExp]>([
    ['a path traversal', [{ path: '../escape.txt', content: 'x' }], /"\.\.\/escape\.txt" contains a "\.\." segment/],
    ['an absolute path', [{ path: '/tmp/airlock-absolute.txt', content: 'x' }], /is an absolute path/],
    ['a symbolic link', [{ path: 'link', type: 'SymbolicLink', linkpath: '/etc/passwd' }], /"link" is a SymbolicLink/],
    ['a hard link', [{ path: 'hard', type: 'Link', linkpath: '/etc/passwd' }], /"hard" is a Link/],
  ])('rejects an archive with %s without extracting or running anything', async (_name, bad, reason) => {
    const { outcome, output, scratchDir } = await run(
      submission("import { writeFileSync } from 'node:fs'; writeFileSync('ran', '');", bad),
    );
    expect(outcome.exitCode).toBe(EXIT.DELIVERED);
    expect(output).toEqual({ schemaVersion: 1, status: 'REJECTED', rejection: expect.stringMatching(reason) });
    expect(readdirSync(join(scratchDir, 'work'))).toEqual([]);
    expect(existsSync(join(scratchDir, 'escape.txt'))).toBe(false);
  });

  it('rejects an archive with too many entries or no manifest', async () => {
    const many = Array.from({ length: RUNNER_LIMITS.archive.maxEntries + 1 }, (_, i) => ({
      path: `f${i}`,
      content: '',
    }));
    expect((await run(tarGz(many))).output).toMatchObject({
      status: 'REJECTED',
      rejection: expect.stringMatching(/more than 2000 entries/),
    });
    expect((await run(tarGz([{ path: 'main.mjs', content: '' }]))).output).toMatchObject({
      status: 'REJECTED',
      rejection: 'airlock.json is missing from the archive root',
    });
    expect((await run(Buffer.from('not a gzip at all'))).output).toMatchObject({ status: 'REJECTED' });
  });

  it('exits UPLOAD_REJECTED when the POST is refused', async () => {
    fixture.postStatus = 403;
    try {
      const { outcome } = await run(submission('process.exit(0)'));
      expect(outcome).toEqual({
        exitCode: EXIT.UPLOAD_REJECTED,
        message: expect.stringMatching(/HTTP 403 .*AccessDenied/),
      });
    } finally {
      fixture.postStatus = 204;
    }
  });

  it('exits DOWNLOAD_FAILED when the input cannot be fetched, and DEADLINE when none is left', async () => {
    const scratchDir = mkdtempSync(join(tmpdir(), 'airlock-runner-'));
    const base = { outputPost: fixture.outputPost, scratchDir };
    const missing = await runSubmission(
      { ...base, inputUrl: fixture.inputUrl.replace('/input', '/nothing'), deadline: Date.now() + 10_000 },
      limits,
    );
    expect(missing).toEqual({ exitCode: EXIT.DOWNLOAD_FAILED, message: 'input download failed: HTTP 404' });
    const late = await runSubmission({ ...base, inputUrl: fixture.inputUrl, deadline: Date.now() + 500 }, limits);
    expect(late.exitCode).toBe(EXIT.DEADLINE);
    expect(statSync(scratchDir).isDirectory()).toBe(true);
  });
});
