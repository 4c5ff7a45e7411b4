// `airlock-canary --rehearsal`'s other half: starts the rehearsal from the synthesized cloud assemblies (as `npm start`
// does), a Step Functions front for the analysis workflow, and keys of the two canary roles; prints one JSON line
// (endpoints, keys, the probe's configuration, what the rehearsal cannot reproduce) and serves until stdin closes.
import './aws/stepfunctions/polyfill.js';
import { fileURLToPath } from 'node:url';
import { analysisStateMachineArn, dataCanaryRoleArn, orchestratorCanaryRoleArn } from '@airlock/contracts';
import { loadEnvironment, selectEnvironmentName } from '@airlock/shared/environment';
import { synthesizeAccountApps } from '@airlock/shared/synthesize';
import { close } from './aws/http-server.js';
import { startSfnFront } from './aws/stepfunctions/sfn-front.js';
import { closeOnSignal } from './run/close-on-signal.js';
import { Rehearsal } from './run/rehearsal.js';

/** What the canary cannot see on the rehearsal; each becomes a NOT CHECKED line of its report. */
const NOT_REPRODUCED = [
  {
    check: 'canary roles assumed with the GitHub OIDC token',
    why: "the canary is given its roles' keys; their web-identity trust is proved only by the trust review (federated-trust, distinct-oidc-subjects)",
  },
  {
    check: "Fargate's kernel and VM boundary, its DNS firewall and its metadata endpoint",
    why: 'the task runs confined by this kernel in a network with no DNS and no exit but the S3 front',
  },
  {
    check: 'the S3 gateway endpoint and its prefix list on AWS',
    why: "the endpoint is the S3 front's second listener, evaluating the synthesized endpoint policy",
  },
];

/**
 * A defence removed on purpose, for the canary's own test (tools/canary/test): `unconfined-task` runs the task's
 * containers without the kernel's confinement. Any other value is refused.
 */
const FAULT_VARIABLE = 'AIRLOCK_CANARY_REHEARSAL_FAULT';
const fault = process.env[FAULT_VARIABLE];
if (fault !== undefined && fault !== 'unconfined-task') {
  console.error(
    `${FAULT_VARIABLE}=${fault} is not a fault of the canary's rehearsal; the one fault is unconfined-task`,
  );
  process.exit(2);
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const env = loadEnvironment(selectEnvironmentName(undefined));
await synthesizeAccountApps(root);
const rehearsal = await Rehearsal.start({ root, env, ...(fault ? { unconfined: true } : {}) });
const release = closeOnSignal(() => rehearsal.close());
const sfn = await startSfnFront(
  analysisStateMachineArn(env),
  rehearsal.credentials,
  rehearsal.authorizer,
  (name, input, onState) => rehearsal.runAnalysis(name, input, onState),
);
const keys = (roleArn: string) => {
  const { accessKeyId, secretAccessKey } = rehearsal.credentials.forRole(roleArn);
  return { accessKeyId, secretAccessKey };
};
const port = (url: string) => Number(new URL(url).port);
const endpoint = (name: string) => `http://127.0.0.1:${rehearsal.hostPorts[name] ?? 0}`;
console.log(
  JSON.stringify({
    endpoints: {
      s3: rehearsal.s3Urls.elsewhere,
      dynamodb: endpoint('DynamoDB front'),
      sts: endpoint('STS front'),
      sfn: sfn.url,
    },
    credentials: { orchestrator: keys(orchestratorCanaryRoleArn(env)), data: keys(dataCanaryRoleArn(env)) },
    // Inside the task the front's own port is served by its endpoint server: the probe asks S3 through "the endpoint".
    probe: {
      mode: 'rehearsal',
      s3Endpoint: rehearsal.s3Urls.elsewhere,
      foreignBucket: 'airlock-canary-foreign',
      // Inside the task only the S3 front's own port answers (the task's listener); the probe must reach no other.
      hostPorts: Object.fromEntries(
        Object.entries({ ...rehearsal.hostPorts, "Step Functions front (the canary's)": port(sfn.url) }).filter(
          ([name]) => name !== 'S3 front',
        ),
      ),
    },
    notReproduced: NOT_REPRODUCED,
  }),
);
process.stdin.resume();
await new Promise<void>((resolve) => process.stdin.once('end', resolve));
await close(sfn.server);
await rehearsal.close();
release();
