// The task network's only way out: listens on 127.0.0.1:<port> inside the task's network namespace and pipes each
// connection to a Unix socket on the host, which the rehearsal connects to the S3 front. Started by task.ts with
// `nsenter --net` without capabilities (as nobody, or in `user` mode as the invoking user), outside every container's
// PID and mount namespace.
import net from 'node:net';

const [port, socketPath] = process.argv.slice(2);
const server = net.createServer((inside) => {
  const outside = net.connect(socketPath);
  inside.pipe(outside).pipe(inside);
  inside.on('error', () => outside.destroy());
  outside.on('error', () => inside.destroy());
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
