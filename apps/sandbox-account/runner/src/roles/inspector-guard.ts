import { createServer } from 'node:net';

/**
 * Points Node's inspector at a loopback port this process already holds, so SIGUSR1 cannot open a debugger in it.
 * Node answers SIGUSR1 by listening for a debugger on 127.0.0.1:`process.debugPort`, and a process of the same uid
 * may send it even to a namespace's PID 1 (the kernel drops only signals PID 1 has no handler for): the submission
 * would then run code inside its own supervisor. Held for the process's lifetime; connections are dropped at once.
 * Where loopback has no address the inspector cannot listen either, so that is no failure.
 */
export async function holdInspectorPort(): Promise<void> {
  const holder = createServer((connection) => connection.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.listen(0, '127.0.0.1', resolve);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') return;
    throw error;
  }
  holder.unref();
  const address = holder.address();
  if (address === null || typeof address === 'string') throw new Error('the inspector port holder has no TCP port');
  process.debugPort = address.port;
}
