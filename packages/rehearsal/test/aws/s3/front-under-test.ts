import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { close } from '../../../src/aws/http-server.js';
import { startS3Front, type S3FrontPolicies, type S3Upstream } from '../../../src/aws/s3/s3-front.js';
import { s3PoliciesOf } from '../../../src/aws/s3/s3-policies.js';
import { createConfinedTask, detectConfinement, type ConfinedTask } from '../../../src/confinement/index.js';
import { Authorizer } from '../../../src/iam/authorizer.js';
import type { CredentialRegistry } from '../../../src/iam/credentials.js';
import type { Artifacts } from '../../../src/run/artifacts.js';

/** The URL of a stand-in for s3rver listening on a loopback port. */
export const upstreamUrl = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/**
 * The S3 front as the rehearsal starts it over the synthesized surface, forwarding to `upstream` (a stand-in for
 * s3rver), with the surface's own policies unless a test gives others.
 */
export function startFrontUnderTest(
  artifacts: Artifacts,
  upstream: S3Upstream,
  registry: CredentialRegistry,
  policies: S3FrontPolicies = s3PoliciesOf(artifacts.surface, false),
): ReturnType<typeof startS3Front> {
  return startS3Front(
    upstream,
    (bucket) => `arn:${artifacts.env.partition}:s3:::${bucket}`,
    artifacts.env.region,
    registry,
    new Authorizer(artifacts.surface),
    policies,
  );
}

/** The front under test served to a confined task's network, with a stand-in for s3rver that answers every request. */
export interface FrontInTaskNetwork {
  readonly front: Awaited<ReturnType<typeof startS3Front>>;
  /** The stand-in for s3rver (in this process, as s3rver is in the rehearsal's). */
  readonly upstream: Server;
  readonly task: ConfinedTask;
  /** Runs a Node program inside the task's network (with the host's files, so the SDK resolves); its stdout. */
  inTask(program: string, ...args: string[]): Promise<string>;
  close(): Promise<void>;
}

const packageDir = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

/**
 * Starts the front over `answer` (what the stand-in for s3rver answers) and a confined task whose only way out,
 * 127.0.0.1:`listenPort` in its network, is handed to the front's endpoint server, as the rehearsal wires it.
 */
export async function startFrontInTaskNetwork(
  artifacts: Artifacts,
  registry: CredentialRegistry,
  options: { readonly answer: string | Buffer; readonly listenPort: number; readonly programTimeoutMs: number },
): Promise<FrontInTaskNetwork> {
  const availability = detectConfinement();
  // Never skipped: CI runs these as root, and a machine that cannot confine must say so by failing.
  if (availability.mode !== 'root') throw new Error(`confinement unavailable: ${availability.reason}`);
  const upstream = createServer((_req, res) => res.end(options.answer));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const front = await startFrontUnderTest(artifacts, upstreamUrl(upstream), registry);
  const task = await createConfinedTask({
    scratchBytes: 1024 * 1024,
    scratchOwner: { uid: 10001, gid: 10001 },
    forward: { listenPort: options.listenPort, front: front.endpoint.server },
  });
  return {
    front,
    upstream,
    task,
    inTask: (program, ...args) =>
      run('nsenter', [`--net=${task.networkNamespace}`, '--', process.execPath, '-e', program, ...args], {
        cwd: packageDir,
        timeout: options.programTimeoutMs,
      }).then(({ stdout }) => stdout),
    async close() {
      await task.close();
      await Promise.all([front.server, front.endpoint.server, upstream].map(close));
    },
  };
}
