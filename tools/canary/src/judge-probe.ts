import type { ProbeConfig, ProbeFindings } from '@airlock/contracts';
import { fail, notChecked, pass, type CheckLine } from './check-line.js';

/** RunTask's cap on overrides (characters, JSON included): the per-run variables must fit under it. */
const MAX_OVERRIDES = 8_192;
const SUPERVISOR = '1';

type Attempt = { readonly target: string; readonly reached: boolean | null; readonly detail: string };

/**
 * On AWS the probe must try every target: an untried one (`reached: null`) is a FAIL, or a probe that tries nothing
 * (or findings that only claim to be the probe's) would pass what nobody checked. Only the rehearsal leaves targets
 * untried, and says so.
 */
const untried = (check: string, a: Attempt, onRehearsal: boolean, rehearsalWhy?: string): CheckLine =>
  onRehearsal
    ? notChecked(check, rehearsalWhy ? `${rehearsalWhy}; ${a.detail}` : a.detail)
    : fail(check, `not tried on AWS (${a.detail}): the canary cannot vouch for it`);

/** Reached is a violation: DNS outside the allow-list, the internet, another bucket through the S3 endpoint. */
const mustNotReach = (check: string, a: Attempt, onRehearsal: boolean, stoodInFor?: string): CheckLine =>
  a.reached === null
    ? untried(check, a, onRehearsal)
    : a.reached
      ? fail(check, `reached (${a.detail})`)
      : pass(check, `not reached (${a.detail})${stoodInFor ? `; ${stoodInFor}` : ''}`);

/**
 * The design's verdict on what the probe saw from inside the task. A finding fails when the design says it must not
 * be: metadata answering with credentials, any DNS or internet reach, another bucket through the S3 endpoint, a
 * secret in any readable environment or any process but itself and its supervisor readable, signalable or
 * traceable, uid or gid 0, any capability, a scratch volume it does not own. `sentTo` is where the canary sent the
 * probe: findings claiming another mode are not this probe's, and on AWS a target left untried or a kind of target
 * with no attempt at all fails.
 */
export function judgeProbe(findings: ProbeFindings, sentTo: ProbeConfig['mode']): CheckLine[] {
  const onRehearsal = sentTo === 'rehearsal';
  const lines: CheckLine[] = [];
  if (findings.mode !== sentTo)
    lines.push(
      fail(
        'probe: findings from where it was sent',
        `they claim mode "${findings.mode}", the probe was sent to "${sentTo}"`,
      ),
    );
  if (!onRehearsal)
    for (const [kind, attempts] of [
      ['metadata', findings.metadata],
      ['DNS', findings.dns],
      ['internet', findings.internet],
    ] as const)
      if (attempts.length === 0)
        lines.push(fail(`probe: ${kind}`, 'no attempt reported: the canary cannot vouch for it'));
  for (const m of findings.metadata) {
    const check = `probe: metadata ${m.target}`;
    lines.push(
      m.credentials
        ? fail(check, `answered with credentials (${m.detail})`)
        : m.reached === null
          ? untried(check, m, onRehearsal, 'the rehearsal has no metadata endpoint')
          : pass(check, `${m.reached ? 'reached, no credentials' : 'not reached'} (${m.detail})`),
    );
  }
  for (const d of findings.dns) lines.push(mustNotReach(`probe: DNS ${d.target}`, d, onRehearsal));
  for (const i of findings.internet) lines.push(mustNotReach(`probe: internet ${i.target}`, i, onRehearsal));
  lines.push(
    mustNotReach(
      'probe: a foreign bucket through the S3 endpoint',
      findings.foreignBucket,
      onRehearsal,
      onRehearsal ? "checked against the rehearsal's S3 front and its endpoint policy, not AWS's" : undefined,
    ),
  );

  const own = findings.environments.find((e) => e.self);
  lines.push(
    own === undefined
      ? fail('probe: its own environment', 'the probe did not find itself in /proc')
      : own.secrets.length > 0
        ? fail('probe: its own environment', `holds ${own.secrets.join(', ')}`)
        : pass('probe: its own environment', 'no credential or URL variable'),
  );
  const readable = findings.environments.filter((e) => !e.self && e.readable);
  const leaking = readable.filter((e) => e.secrets.length > 0 || e.pid !== SUPERVISOR);
  lines.push(
    leaking.length > 0
      ? fail(
          "probe: other processes' environments",
          leaking
            .map((e) => `pid ${e.pid} readable${e.secrets.length ? ` with ${e.secrets.join(', ')}` : ''}`)
            .join('; '),
        )
      : pass(
          "probe: other processes' environments",
          `${findings.environments.length} processes visible; readable: ${readable.map((e) => `pid ${e.pid} (the supervisor, no credential or URL)`).join(', ') || 'none'}`,
        ),
  );

  const reachable = findings.neighbours.filter((n) => n.pid !== SUPERVISOR && (n.signalled || n.traceable));
  lines.push(
    reachable.length > 0
      ? fail(
          'probe: neighbours (fetch, deliver) out of reach',
          reachable
            .map((n) => `pid ${n.pid} ${n.signalled ? 'signalable' : ''}${n.traceable ? ' traceable' : ''}`)
            .join('; '),
        )
      : pass('probe: neighbours (fetch, deliver) out of reach', `none visible besides the supervisor`),
  );
  const supervisor = findings.neighbours.find((n) => n.pid === SUPERVISOR);
  const supervisorEnv = findings.environments.find((e) => e.pid === SUPERVISOR);
  lines.push(
    supervisorEnv && supervisorEnv.secrets.length > 0
      ? fail(
          'probe: the supervisor holds nothing to steal',
          `its environment holds ${supervisorEnv.secrets.join(', ')}`,
        )
      : pass(
          'probe: the supervisor holds nothing to steal',
          `no credential or URL in its environment; signal permission ${supervisor?.signalled ? 'yes' : 'no'}, ptrace access ${supervisor?.traceable ? 'yes' : 'no'} (same uid: accepted, its claims are not trusted; README "Not contained: the supervisor")`,
        ),
  );

  const { identity, scratch } = findings;
  lines.push(
    identity.uid === 0 || identity.gid === 0
      ? fail('probe: not root', `uid ${identity.uid}, gid ${identity.gid}`)
      : pass('probe: not root', `uid ${identity.uid}, gid ${identity.gid}`),
  );
  const noCapabilities = /^0+$/.test(identity.capEff) && /^0+$/.test(identity.capBnd);
  lines.push(
    noCapabilities
      ? pass('probe: no capabilities', `CapEff ${identity.capEff}, CapBnd ${identity.capBnd}`)
      : fail('probe: no capabilities', `CapEff ${identity.capEff}, CapBnd ${identity.capBnd}`),
  );
  lines.push(
    scratch.uid === identity.uid
      ? pass(
          'probe: scratch volume owned by the task user',
          `${scratch.path} uid ${scratch.uid} gid ${scratch.gid ?? '?'} mode ${scratch.mode}, ${scratch.freeBytes === null ? 'free space unknown' : `${Math.floor(scratch.freeBytes / 1_048_576)} MiB free`}`,
        )
      : fail(
          'probe: scratch volume owned by the task user',
          `${scratch.path} uid ${scratch.uid ?? '?'} (the task runs as ${identity.uid}), mode ${scratch.mode}`,
        ),
  );
  const { overrides } = findings;
  lines.push(
    overrides.observedLength === null
      ? notChecked('probe: per-run variables fit RunTask overrides', overrides.detail)
      : overrides.observedLength < MAX_OVERRIDES
        ? pass(
            'probe: per-run variables fit RunTask overrides',
            `${overrides.observedLength} characters seen in ${overrides.detail}`,
          )
        : fail(
            'probe: per-run variables fit RunTask overrides',
            `${overrides.observedLength} of ${MAX_OVERRIDES} characters`,
          ),
  );
  return lines;
}
