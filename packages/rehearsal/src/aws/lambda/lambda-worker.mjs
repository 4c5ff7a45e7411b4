// Runs one bundled Lambda handler inside a worker thread whose process.env is the function's environment.
import { parentPort, workerData } from 'node:worker_threads';

const { handler } = await import(workerData.bundle);
parentPort.on('message', async ({ id, event }) => {
  try {
    parentPort.postMessage({ id, result: await handler(event, { functionName: workerData.name }) });
  } catch (error) {
    parentPort.postMessage({ id, error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) } });
  }
});
parentPort.postMessage({ ready: true });
