/**
 * The echo side of the platform benchmark (bench/platform.bench.ts), run as a child process:
 * binds a UDP socket on 127.0.0.1 (an ephemeral port), sends every datagram back to its
 * sender, and answers the parent's IPC `cpu` request with its `process.cpuUsage()`.
 */
import * as dgram from 'node:dgram';

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, from) => socket.send(msg, from.port, from.address));
socket.bind(0, '127.0.0.1', () => process.send?.({ port: socket.address().port }));
process.on('message', (m) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  else if (m === 'stop') socket.close(() => process.exit(0));
});
