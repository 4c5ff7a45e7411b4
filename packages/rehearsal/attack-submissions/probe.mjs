// The canary's probe submission: `node probe.mjs '<ProbeConfig as JSON>'` (packages/contracts/src/probe-findings.ts).
// From inside the task it tries what untrusted code must not reach and writes raw observations (ProbeFindings) to the
// result file; the canary decides what violates the design. In mode `rehearsal` it sends nothing off the task's
// loopback: the metadata addresses, DNS and the internet are left untried (reached: null).
import { lookup } from 'node:dns/promises';
import { closeSync, openSync, readdirSync, readFileSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import net from 'node:net';

const config = JSON.parse(process.argv[2] ?? '{}');
const onAws = config.mode === 'aws';
const clip = (text, max) => String(text).slice(0, max);
const codeOf = (error) => clip(error?.code ?? error?.name ?? String(error), 120);
const notTried = (target, why) => ({ target, reached: null, detail: why });
const OFF_LOOPBACK = 'not tried: the rehearsal sends nothing off the task loopback';
/** Names whose value would be a credential or a URL of the run (Fargate's AWS_REGION or AWS_EXECUTION_ENV are neither). */
const SECRET =
  /^(INPUT_URL|OUTPUT_POST|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_CONTAINER_CREDENTIALS_(RELATIVE|FULL)_URI|AWS_CONTAINER_AUTHORIZATION_TOKEN|AWS_WEB_IDENTITY_TOKEN_FILE|.*(SECRET|TOKEN|PASSWORD).*)$/i;

const environOf = (pid) => readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
const visiblePids = () => readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));

async function httpGet(url, timeoutMs = 3000) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: clip(await response.text(), 4000) };
  } catch (error) {
    return { error: codeOf(error.cause ?? error) };
  }
}

const tcp = (host, port) =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.on('connect', () => {
      // TCP's simultaneous open lets a connect to a free port of this host pick that same port as its source and
      // "connect" to itself: nothing was reached, and the source port is shown so any other answer can be told apart.
      const self = socket.localAddress === socket.remoteAddress && socket.localPort === socket.remotePort;
      const from = socket.localPort;
      socket.destroy();
      resolve(self ? 'self-connected' : `connected from port ${from}`);
    });
    socket.on('timeout', () => (socket.destroy(), resolve('ETIMEDOUT')));
    socket.on('error', (error) => resolve(codeOf(error)));
  });

/** The metadata URI the task would see: its own environment, else the supervisor's (readable, see the README). */
function metadataUri() {
  const own = process.env.ECS_CONTAINER_METADATA_URI_V4;
  if (own) return own;
  try {
    return environOf(1)
      .find((entry) => entry.startsWith('ECS_CONTAINER_METADATA_URI_V4='))
      ?.split('=')[1];
  } catch {
    return undefined;
  }
}

async function metadata() {
  const findings = [];
  const uri = metadataUri();
  if (uri) {
    const answer = await httpGet(`${uri}/task`);
    const keys = answer.body ? Object.keys(safeJson(answer.body) ?? {}).join(', ') : '';
    findings.push({
      target: 'ECS_CONTAINER_METADATA_URI_V4/task',
      reached: answer.status !== undefined,
      credentials: /AccessKeyId|SecretAccessKey/.test(answer.body ?? ''),
      detail: answer.error ?? `HTTP ${answer.status}; discloses: ${clip(keys, 400) || 'nothing'}`,
    });
  } else {
    findings.push({
      ...notTried('ECS_CONTAINER_METADATA_URI_V4', 'no metadata URI in any visible environment'),
      credentials: false,
    });
  }
  for (const [host, path] of [
    ['169.254.170.2', '/v2/credentials/'],
    ['169.254.169.254', '/latest/meta-data/iam/security-credentials/'],
  ]) {
    if (!onAws) {
      findings.push({ ...notTried(host, OFF_LOOPBACK), credentials: false });
      continue;
    }
    const answer = await httpGet(`http://${host}${path}`);
    findings.push({
      target: `${host}${path}`,
      reached: answer.status !== undefined,
      credentials: /AccessKeyId|SecretAccessKey/.test(answer.body ?? ''),
      detail: answer.error ?? `HTTP ${answer.status}: ${clip(answer.body ?? '', 200)}`,
    });
  }
  return findings;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function dns() {
  const names = ['example.com', 'checkip.amazonaws.com', 'github.com'];
  if (!onAws) return names.map((name) => notTried(name, OFF_LOOPBACK));
  return Promise.all(
    names.map(async (name) => {
      try {
        const { address } = await lookup(name);
        return { target: name, reached: true, detail: `resolved to ${address}` };
      } catch (error) {
        return { target: name, reached: false, detail: codeOf(error) };
      }
    }),
  );
}

/** On the rehearsal, the machine's own ports stand in for the internet: a confined task network reaches none. */
async function hostPorts() {
  const attempts = [];
  for (const [name, port] of Object.entries(config.hostPorts ?? {}).slice(0, 12)) {
    const result = await tcp('127.0.0.1', port);
    attempts.push({
      target: clip(`${name} on the rehearsing machine`, 200),
      reached: result.startsWith('connected'),
      detail: `127.0.0.1:${port} ${result}`,
    });
  }
  return attempts;
}

async function internet() {
  // checkip.amazonaws.com is AWS's own service for exactly this question; 1.1.1.1:443 needs no DNS.
  if (!onAws)
    return [
      notTried('https://checkip.amazonaws.com/', OFF_LOOPBACK),
      notTried('1.1.1.1:443', OFF_LOOPBACK),
      ...(await hostPorts()),
    ];
  const checkip = await httpGet('https://checkip.amazonaws.com/');
  const direct = await tcp('1.1.1.1', 443);
  return [
    {
      target: 'https://checkip.amazonaws.com/',
      reached: checkip.status !== undefined,
      detail: checkip.error ?? `HTTP ${checkip.status}: ${clip(checkip.body ?? '', 60)}`,
    },
    { target: '1.1.1.1:443', reached: direct.startsWith('connected'), detail: direct },
  ];
}

/** An unsigned listing of another bucket through the S3 endpoint: only a refusal (403) keeps the task in. */
async function foreignBucket() {
  const target = `${config.s3Endpoint}/${config.foreignBucket}?list-type=2`;
  const answer = await httpGet(target);
  if (answer.error) return { target, reached: false, detail: answer.error };
  const code = /<Code>([^<]+)<\/Code>/.exec(answer.body ?? '')?.[1] ?? '';
  return { target, reached: answer.status !== 403, detail: `HTTP ${answer.status}${code ? ` ${code}` : ''}` };
}

function environments() {
  return visiblePids().map((pid) => {
    const self = pid === String(process.pid);
    try {
      const names = environOf(pid).map((entry) => entry.split('=')[0]);
      return {
        pid,
        self,
        readable: true,
        secrets: names
          .filter((name) => SECRET.test(name))
          .map((n) => clip(n, 64))
          .slice(0, 16),
      };
    } catch {
      return { pid, self, readable: false, secrets: [] };
    }
  });
}

function scratch() {
  // The result file sits on the task's scratch volume.
  const path = dirname(process.env.AIRLOCK_RESULT_FILE ?? '.');
  try {
    const stat = statSync(path);
    const fs = statfsSync(path);
    return {
      path: clip(path, 200),
      uid: stat.uid,
      gid: stat.gid,
      mode: (stat.mode & 0o7777).toString(8),
      freeBytes: fs.bavail * fs.bsize,
    };
  } catch (error) {
    return { path: clip(path, 200), uid: null, gid: null, mode: codeOf(error).slice(0, 8), freeBytes: null };
  }
}

function identity() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1] ?? '';
  return {
    uid: process.getuid(),
    gid: process.getgid(),
    capEff: clip(field('CapEff'), 16),
    capBnd: clip(field('CapBnd'), 16),
  };
}

/** Signal 0 asks the kernel whether a signal would be delivered; /proc/<pid>/mem opens only with ptrace access. */
function neighbours() {
  const others = visiblePids().filter((pid) => pid !== String(process.pid));
  const ordered = [...others.filter((pid) => pid === '1'), ...others.filter((pid) => pid !== '1')];
  return ordered.slice(0, 64).map((pid) => {
    let signalled = false;
    let traceable = false;
    const notes = [];
    try {
      process.kill(Number(pid), 0);
      signalled = true;
    } catch (error) {
      notes.push(`signal ${codeOf(error)}`);
    }
    try {
      closeSync(openSync(`/proc/${pid}/mem`, 'r'));
      traceable = true;
    } catch (error) {
      notes.push(`mem ${codeOf(error)}`);
    }
    return { pid, signalled, traceable, detail: clip(notes.join('; ') || 'signal and mem both allowed', 300) };
  });
}

function overrides() {
  try {
    const supervisor = environOf(1);
    return {
      observedLength: supervisor.join('\0').length,
      detail: `the supervisor's environment (${supervisor.length} variables)`,
    };
  } catch (error) {
    return { observedLength: null, detail: `the supervisor's environment is not readable (${codeOf(error)})` };
  }
}

const findings = {
  probe: 1,
  mode: onAws ? 'aws' : 'rehearsal',
  metadata: await metadata(),
  dns: await dns(),
  internet: await internet(),
  foreignBucket: await foreignBucket(),
  environments: environments(),
  scratch: scratch(),
  identity: identity(),
  neighbours: neighbours(),
  overrides: overrides(),
};
writeFileSync(process.env.AIRLOCK_RESULT_FILE ?? 'result.json', JSON.stringify(findings));
console.log(`probe: ${findings.environments.length} processes visible, uid ${findings.identity.uid}`);
