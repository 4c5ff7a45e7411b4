/**
 * A static x86-64 Linux program that makes one system call and exits with its errno (0 when it succeeded): how a
 * test asks the kernel directly whether a container may do something util-linux is not there to do (the image holds
 * only Node). `first` is an immediate value, or `argv1` for the program's first argument (a path).
 *   mov rdi, [rsp+16] | mov edi, imm32; mov esi, imm32; mov edx, imm32; mov r10d, imm32; mov r8d, imm32;
 *   mov r9d, imm32; mov eax, nr; syscall;
 *   mov edi, eax; neg edi; mov eax, 60 (exit); syscall
 */
export function syscallProgram(nr: number, first: number | 'argv1', second = 0, ...more: number[]): Buffer {
  if (process.arch !== 'x64') throw new Error(`syscallProgram builds x86-64 code; this is ${process.arch}`);
  const imm = (opcode: number, value: number) => {
    const bytes = Buffer.alloc(5);
    bytes[0] = opcode;
    bytes.writeUInt32LE(value >>> 0, 1);
    return bytes;
  };
  // rdx, r10, r8, r9 (mov r32, imm32 zero-extends): the third to sixth arguments, zero unless given.
  const [third = 0, fourth = 0, fifth = 0, sixth = 0] = more;
  const code = Buffer.concat([
    first === 'argv1' ? Buffer.from('488b7c2410', 'hex') : imm(0xbf, first),
    imm(0xbe, second),
    imm(0xba, third),
    Buffer.from('41', 'hex'),
    imm(0xba, fourth),
    Buffer.from('41', 'hex'),
    imm(0xb8, fifth),
    Buffer.from('41', 'hex'),
    imm(0xb9, sixth),
    imm(0xb8, nr),
    Buffer.from('0f0589c7f7dfb83c0000000f05', 'hex'),
  ]);
  return staticProgram(code);
}

/**
 * A static x86-64 program that blocks signal 40 (a real-time one), then queues it to itself with rt_sigqueueinfo
 * (si_code SI_QUEUE, counted against RLIMIT_SIGPENDING, as sigqueue(3) and timer_create are) up to `count` times,
 * and exits with the errno of the first refusal, or 0 when all were queued.
 */
export function queueSignalsProgram(count: number): Buffer {
  const hex = (text: string) => Buffer.from(text.replaceAll(' ', ''), 'hex');
  const count32 = Buffer.alloc(4);
  count32.writeUInt32LE(count);
  return staticProgram(
    Buffer.concat([
      hex('4881ec00010000'), // sub rsp, 256
      hex('48b8 0000000080000000'), // mov rax, 1 << 39 (signal 40's bit)
      hex('48898424 80000000'), // mov [rsp+128], rax
      hex('31ff 488db424 80000000 31d2 41ba08000000 b80e000000 0f05'), // rt_sigprocmask(SIG_BLOCK, set, 0, 8)
      hex('c70424 28000000 c7442404 00000000 c7442408 ffffffff'), // siginfo: signo 40, errno 0, code SI_QUEUE
      hex('b827000000 0f05 4189c4'), // r12d = getpid()
      hex('41bd'), // mov r13d, count
      count32,
      hex('4489e7 be28000000 4889e2 b881000000 0f05'), // loop: rt_sigqueueinfo(pid, 40, siginfo)
      hex('85c0 7509 41ffcd 75e5'), // test eax; jnz refused; dec r13d; jnz loop
      hex('31ff eb04'), // all queued: exit(0)
      hex('89c7 f7df'), // refused: exit(-eax)
      hex('b83c000000 0f05'),
    ]),
  );
}

/**
 * A static x86-64 program that opens `files` eventfds (descriptors 3 onwards) and `instances` epoll instances, adds
 * every eventfd to every instance (epoll_ctl EPOLL_CTL_ADD, EPOLLIN), then sleeps 3 s holding them; it exits with
 * the errno of the first refusal, or 0. Each watch is kernel memory that no RSS shows, counted per host user
 * against `fs.epoll.max_user_watches`.
 */
export function epollWatchesProgram(files: number, instances: number): Buffer {
  const hex = (text: string) => Buffer.from(text.replaceAll(' ', ''), 'hex');
  const u32 = (value: number) => {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(value);
    return bytes;
  };
  return staticProgram(
    Buffer.concat([
      hex('c70424 01000000'), // mov dword [rsp], EPOLLIN: the event, at the top of the stack
      hex('41bc'), // mov r12d, files
      u32(files),
      hex('31ff 31f6 b822010000 0f05 41ffcc 75f0'), // eventfd2(0, 0) until r12d is 0
      hex('41bd'), // mov r13d, instances
      u32(instances),
      hex('31ff b823010000 0f05 4189c6 41bf03000000'), // r14d = epoll_create1(0); r15d = 3
      hex('4489f7 be01000000 4489fa 4989e2 b8e9000000 0f05'), // epoll_ctl(r14d, ADD, r15d, rsp)
      hex('85c0 7535 41ffc7 4181ff'), // test eax; jnz refused; inc r15d; cmp r15d, files + 3
      u32(files + 3),
      hex('75db 41ffcd 75c4'), // jne (next eventfd); dec r13d; jnz (next instance)
      hex('48c7442410 03000000 48c7442418 00000000'), // timespec { 3 s, 0 } at rsp+16
      hex('488d7c2410 31f6 b823000000 0f05'), // nanosleep(rsp+16, 0)
      hex('31ff eb04'), // all added: exit(0)
      hex('89c7 f7df'), // refused: exit(-eax)
      hex('b83c000000 0f05'),
    ]),
  );
}

/** An ELF executable of one loadable segment holding `code`, which starts right after the headers. */
function staticProgram(code: Buffer): Buffer {
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

/** System call numbers (x86-64) and flags the escape tests use. */
export const SYSCALL = {
  unshare: 272,
  umount2: 166,
  setuid: 105,
  keyctl: 250,
  mmap: 9,
  shmget: 29,
  memfdCreate: 319,
  inotifyInit1: 294,
  fanotifyInit: 300,
  setsockopt: 54,
  mqOpen: 240,
} as const;
/** mq_open's O_CREAT | O_RDWR. */
export const O_CREAT_RDWR = 0o102;
/** setsockopt's SOL_SOCKET, SO_SNDBUF (a socket's buffer size) and SO_KEEPALIVE (an option that must stay allowed). */
export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_KEEPALIVE = 9;
/** mmap's PROT_READ | PROT_WRITE, and MAP_SHARED | MAP_ANONYMOUS: anonymous shared memory. */
export const PROT_READ_WRITE = 3;
export const MAP_SHARED_ANONYMOUS = 0x21;
/** keyctl(KEYCTL_READ, serial, NULL, 0): the size of a key's payload (a keyring's: its list of keys), 0 when empty. */
export const KEYCTL_READ = 11;
export const CLONE_NEWUSER = 0x10000000;
export const MNT_DETACH = 2;
