import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';

/**
 * Whether the other end of a loopback TCP connection is a socket of this very process (Linux only: false
 * elsewhere). The connection's client side is the row of /proc/net/tcp whose local port is the peer's port and whose
 * remote port is ours; its inode is one of our descriptors' `socket:[inode]` when the rehearsal made the request.
 */
export function isOwnConnection(socket: Socket): boolean {
  const { remotePort, localPort } = socket;
  if (remotePort === undefined || localPort === undefined) return false;
  const inodes = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readLines(table)
      .map((line) => line.trim().split(/\s+/))
      .filter(([, local, remote]) => portOf(local) === remotePort && portOf(remote) === localPort)
      .map((columns) => columns[9] ?? ''),
  );
  if (inodes.length === 0) return false;
  const ours = new Set(
    listFds().flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return []; // closed between the listing and the read
      }
    }),
  );
  return inodes.some((inode) => ours.has(`socket:[${inode}]`));
}

/** "0100007F:1F90" is 127.0.0.1:8080 in /proc/net/tcp. */
const portOf = (address: string | undefined): number => parseInt(address?.split(':')[1] ?? '', 16);

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(1).filter(Boolean);
  } catch {
    return []; // not Linux, or no IPv6
  }
}

function listFds(): string[] {
  try {
    return readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
}
