import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import type { ProbeConfig } from '@airlock/contracts';
import { CliError } from '@airlock/operator';
import type { AirlockEnvironment } from '@airlock/shared/environment';
import type { CanaryDeps } from './canary-deps.js';
import { notChecked, type CheckLine } from './check-line.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** The rehearsal's side (packages/rehearsal/src/canary-endpoints.ts): it prints one JSON line, then serves. */
const ENDPOINTS_PROGRAM = `${root}packages/rehearsal/src/canary-endpoints.ts`;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** What the rehearsal's endpoints process announces on its first line of stdout. */
export interface RehearsalEndpoints {
  readonly endpoints: { readonly s3: string; readonly dynamodb: string; readonly sts: string; readonly sfn: string };
  readonly credentials: { readonly orchestrator: Credentials; readonly data: Credentials };
  readonly probe: ProbeConfig;
  /** What the rehearsal cannot reproduce, each printed as NOT CHECKED on the rehearsal. */
  readonly notReproduced: ReadonlyArray<{ readonly check: string; readonly why: string }>;
}

/**
 * Starts the rehearsal (from the synthesized cloud assemblies, as `npm start` does) in a process of its own and
 * gives the canary SDK clients aimed at its STS, S3, DynamoDB and Step Functions fronts, as the two canary roles.
 */
export async function startRehearsalTarget(
  env: AirlockEnvironment,
  out: (line: string) => void,
): Promise<{ deps: CanaryDeps; notReproduced: CheckLine[]; close: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--env-file=.env', '--import', 'tsx', ENDPOINTS_PROGRAM], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AIRLOCK_ENV: env.environment },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const first = await new Promise<string | undefined>((resolve) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line));
    void exited.then(() => resolve(undefined));
  });
  if (!first) throw new CliError(`the rehearsal did not start (exit ${String(await exited)}); its errors are above`, 1);
  const announced = JSON.parse(first) as RehearsalEndpoints;
  const clients = (credentials: Credentials) => ({ region: env.region, credentials });
  const { endpoints, credentials } = announced;
  const orchestrator = clients(credentials.orchestrator);
  const data = clients(credentials.data);
  const deps: CanaryDeps = {
    orchestrator: {
      sts: new STSClient({ ...orchestrator, endpoint: endpoints.sts }),
      sfn: new SFNClient({ ...orchestrator, endpoint: endpoints.sfn }),
    },
    data: {
      sts: new STSClient({ ...data, endpoint: endpoints.sts }),
      s3: new S3Client({ ...data, endpoint: endpoints.s3, forcePathStyle: true }),
      dynamodb: new DynamoDBClient({ ...data, endpoint: endpoints.dynamodb }),
    },
    probe: announced.probe,
    out,
    pollIntervalMs: 200,
    newId: () => crypto.randomUUID(),
  };
  return {
    deps,
    notReproduced: announced.notReproduced.map((n) => notChecked(n.check, `on the rehearsal: ${n.why}`)),
    close: async () => {
      // Closing stdin asks the rehearsal to stop its task, its servers and remove its files.
      child.stdin.end();
      await exited;
    },
  };
}
