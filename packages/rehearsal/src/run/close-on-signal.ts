import { constants } from 'node:os';

/** Cleaning up never takes longer than this: each container gets SIGKILL after its stop timeout (at most 2 s). */
const CLEANUP_LIMIT_MS = 20_000;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a rehearsal: `close` it (stop its tasks, so every process of them ends, and
 * remove its files), then exit as the signal asks (128 + its number). A second signal while closing changes
 * nothing: leaving now would leave the submission running. Returns a function that removes the handlers.
 */
export function closeOnSignal(close: () => Promise<void>): () => void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`\n${signal}: stopping the sandbox task and removing the rehearsal's files…\n`);
    const code = 128 + (constants.signals[signal] ?? 0);
    const giveUp = setTimeout(() => {
      process.stderr.write(`cleanup did not finish in ${CLEANUP_LIMIT_MS / 1000} s; exiting anyway\n`);
      process.exit(code);
    }, CLEANUP_LIMIT_MS);
    void close()
      .catch((error: unknown) => process.stderr.write(`cleanup failed: ${(error as Error).message}\n`))
      .finally(() => {
        clearTimeout(giveUp);
        process.exit(code);
      });
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
