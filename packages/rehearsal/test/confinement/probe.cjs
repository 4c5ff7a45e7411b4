// A hostile container program for the confinement tests: one probe per mode, its findings as one JSON line.
const fs = require('node:fs');
const net = require('node:net');
const { spawn } = require('node:child_process');

const [mode, ...args] = process.argv.slice(2);
const report = (value) => process.stdout.write(JSON.stringify(value) + '\n');
const attempt = (fn) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error.code ?? String(error);
  }
};
const connect = (host, port) =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.on('connect', () => (socket.destroy(), resolve('connected')));
    socket.on('timeout', () => (socket.destroy(), resolve('timeout')));
    socket.on('error', (error) => resolve(error.code));
  });

const probes = {
  identity: () =>
    report({
      pid: process.pid,
      environment: process.env,
      cwd: process.cwd(),
      root: fs.readdirSync('/').sort(),
      processes: fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)),
      writeOpt: attempt(() => fs.writeFileSync('/opt/airlock/planted', 'x')),
      writeRoot: attempt(() => fs.writeFileSync('/planted', 'x')),
      writeScratch: attempt(() => fs.writeFileSync('/scratch/written', 'x')),
      visible: Object.fromEntries(args.map((path) => [path, fs.existsSync(path)])),
    }),
  // What the kernel says about this process: its ids, capabilities and user namespace's maps.
  credentials: () =>
    report({
      status: Object.fromEntries(
        fs
          .readFileSync('/proc/self/status', 'utf8')
          .split('\n')
          .filter((line) => /^(Uid|Gid|Groups|Cap\w+|NoNewPrivs):/.test(line))
          .map((line) => line.split(/:\s*/)),
      ),
      uidMap: fs.readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).map(Number),
      gidMap: fs.readFileSync('/proc/self/gid_map', 'utf8').trim().split(/\s+/).map(Number),
      scratchOwner: fs.statSync('/scratch').uid,
    }),
  // The invoking user's other things, named from outside: a pid, an abstract Unix socket, and every process at once.
  host: async () => {
    const [hostPid, abstractName] = args;
    report({
      hostPidVisible: fs.existsSync(`/proc/${hostPid}`),
      signalHostPid: attempt(() => process.kill(Number(hostPid), 'SIGKILL')),
      abstractSocket: await new Promise((resolve) => {
        const socket = net.connect({ path: `\0${abstractName}` });
        socket.on('connect', () => (socket.destroy(), resolve('connected')));
        socket.on('error', (error) => resolve(error.code));
      }),
      sys: fs.existsSync('/sys'),
      killEverything: attempt(() => process.kill(-1, 'SIGKILL')),
    });
  },
  // Runs a program of the image (a raw system call) and reports its exit code: the errno it got, 0 if it succeeded.
  syscall: () => {
    const result = require('node:child_process').spawnSync(args[0], args.slice(1));
    report({ errno: result.error ? result.error.code : result.status });
  },
  // The keys and keyrings this process may view (/proc/keys lists only those): a possessed session keyring shows.
  keyrings: () =>
    report({
      descriptions: fs
        .readFileSync('/proc/keys', 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/).slice(8).join(' ').replace(/:.*$/, '')),
    }),
  // A descriptor the rehearsal's own process inherited open (on a file outside the mount view) and never closed.
  inheritedFd: () => report({ read: attempt(() => fs.readFileSync(Number(args[0]), 'utf8')) }),
  // Empty files cost no page of a tmpfs but an inode each, kernel memory no size= bounds: make many in each volume.
  fillInodes: () =>
    report(
      Object.fromEntries(
        args.map((dir) => {
          let created = 0;
          const error = attempt(() => {
            for (; created < 50_000; created++) fs.closeSync(fs.openSync(`${dir}/inode-${created}`, 'w'));
          });
          for (let i = 0; i < created; i++) fs.unlinkSync(`${dir}/inode-${i}`);
          return [dir, { created, error }];
        }),
      ),
    ),
  sleep: () => setInterval(() => {}, 1000),
  daemon: () => {
    // A child in its own session, which outlives a process-group kill; the container then exits at once.
    spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ...args], {
      detached: true,
      stdio: 'ignore',
    }).unref();
    report({ started: true });
  },
  forkBomb: async () => {
    const children = [];
    let refused;
    while (!refused && children.length < 80) {
      refused = await new Promise((resolve) => {
        const child = spawn('/usr/bin/node', ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
        child.on('spawn', () => (children.push(child), resolve(undefined)));
        child.on('error', (error) => resolve(error.code));
      });
    }
    report({ started: children.length, refused });
    process.exit(0);
  },
  allocate: () => {
    const kept = [];
    for (let mib = 0; mib < Number(args[0]); mib += 16) {
      kept.push(Buffer.alloc(16 * 1024 * 1024, 1));
      process.stdout.write(`${mib + 16}\n`);
    }
    report({ survived: kept.length * 16 });
  },
  // Several processes, each under RLIMIT_DATA, that together hold more than the container's memory.
  allocateTogether: async () => {
    const [count, mib] = args.map(Number);
    const holder = `const kept = []; for (let i = 0; i < ${mib}; i += 16) kept.push(Buffer.alloc(16 << 20, 1)); console.log('held'); setInterval(() => kept.length, 1000);`;
    const children = Array.from({ length: count }, () => spawn('/usr/bin/node', ['-e', holder]));
    await Promise.all(children.map((child) => new Promise((resolve) => child.stdout.once('data', resolve))));
    process.stdout.write(`all ${count} hold ${count * mib} MiB\n`);
    // Long enough for several of the watchdog's periods.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    report({ survived: count * mib });
    process.exit(0);
  },
  // Kernel memory no process's RSS shows: `count` connected pairs (unix or loopback TCP, inside the task's network),
  // both ends written until the kernel refuses more, none read. Reports what the kernel took, then holds it.
  holdSockets: async () => {
    const [kind, count] = [args[0], Number(args[1])];
    const chunk = Buffer.alloc(64 * 1024, 7);
    const sockets = [];
    const fill = (socket) => {
      sockets.push(socket);
      while (socket.write(chunk));
    };
    const server = net.createServer({ pauseOnConnect: true }, fill);
    await new Promise((resolve) =>
      kind === 'unix' ? server.listen(`\0hold-${process.pid}`, resolve) : server.listen(0, '127.0.0.1', resolve),
    );
    const target =
      kind === 'unix' ? { path: `\0hold-${process.pid}` } : { host: '127.0.0.1', port: server.address().port };
    let error = null;
    for (let i = 0; i < count && !error; i++) {
      const client = net.connect(target);
      client.pause();
      error = await new Promise(
        (resolve) => (client.once('connect', () => resolve(null)), client.once('error', (e) => resolve(e.code))),
      );
      if (!error) fill(client);
    }
    // Long enough for the kernel to take what it will and for several of the watchdog's periods.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const heldMiB = sockets.reduce((sum, s) => sum + s.bytesWritten - s.writableLength, 0) / 2 ** 20;
    report({ pairs: sockets.length / 2, error, heldMiB: Math.round(heldMiB) });
    process.exit(0);
  },
  // Opens /dev/null until the kernel refuses (RLIMIT_NOFILE) or `count` are open.
  openFiles: () => {
    let opened = 0;
    const error = attempt(() => {
      for (; opened < Number(args[0]); opened++) fs.openSync('/dev/null', 'r');
    });
    report({ opened, error });
  },
  fillScratch: () => {
    const chunk = Buffer.alloc(1024 * 1024, 1);
    let written = 0;
    const error = attempt(() => {
      const fd = fs.openSync('/scratch/fill', 'w');
      for (;;) written += fs.writeSync(fd, chunk);
    });
    report({ written, error });
  },
  network: async () => {
    const [hostPort, forwardPort] = args.map(Number);
    report({
      hostLoopback: await connect('127.0.0.1', hostPort),
      otherAddress: await connect('10.0.0.1', 80),
      publicAddress: await connect('1.1.1.1', 443),
      forwarded: await fetch(`http://127.0.0.1:${forwardPort}/through`).then(
        async (response) => `${response.status} ${await response.text()}`,
        (error) => String(error.cause?.code ?? error),
      ),
    });
  },
};

probes[mode]();
