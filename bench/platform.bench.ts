/**
 * Platform floor: what one SIP-sized datagram costs to receive and send again between two
 * Node processes on this machine, with no SIP work at all. A CSCF pays at least this per
 * message it handles, and a registration is about 24 such handlings (see docs/performance.md),
 * so the figure bounds what any amount of JavaScript optimisation can reach here.
 *
 * Two cases: one datagram in flight (every message wakes the receiving process up, as at a
 * light load) and 16 in flight (a busy process finds several datagrams per wake-up).
 * `npm run bench -- platform`; loopback only, 20,000 round trips per run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as path from 'node:path';
import * as os from 'node:os';
import { BenchRow, BenchSuite, median } from './bench-row';

const ROUND_TRIPS = 20_000;
const RUNS = 5;
const DATAGRAM = Buffer.alloc(900, 0x61); // about a SIP request without SDP

function request<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(message);
  });
}

function cpuMicros(u: NodeJS.CpuUsage): number {
  return u.user + u.system;
}

/** CPU µs per message handling (receive + send), both processes averaged, for one run. */
async function run(inFlight: number): Promise<{ perHandling: number; system: number }> {
  const child = fork(path.join(__dirname, 'udp-echo-peer.js'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { port: number }));
      child.once('error', reject);
    });
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const peerBefore = (await request<{ cpu: NodeJS.CpuUsage }>(child, 'cpu')).cpu;
    const ownBefore = process.cpuUsage();
    await new Promise<void>((resolve, reject) => {
      let sent = 0;
      let received = 0;
      const timer = setTimeout(() => reject(new Error('platform bench: echo timed out')), 60_000);
      socket.on('message', () => {
        received++;
        if (sent < ROUND_TRIPS) {
          sent++;
          socket.send(DATAGRAM, port, '127.0.0.1');
        }
        if (received === ROUND_TRIPS) {
          clearTimeout(timer);
          resolve();
        }
      });
      for (; sent < inFlight; sent++) socket.send(DATAGRAM, port, '127.0.0.1');
    });
    const own = process.cpuUsage(ownBefore);
    const peerAfter = (await request<{ cpu: NodeJS.CpuUsage }>(child, 'cpu')).cpu;
    socket.close();
    const peer = {
      user: peerAfter.user - peerBefore.user,
      system: peerAfter.system - peerBefore.system,
    };
    // Each round trip is one receive + send on each side: two message handlings.
    return {
      perHandling: (cpuMicros(own) + cpuMicros(peer)) / (2 * ROUND_TRIPS),
      system: (own.system + peer.system) / (2 * ROUND_TRIPS),
    };
  } finally {
    if (child.connected) child.send('stop');
    setTimeout(() => child.kill(), 2000).unref();
  }
}

export const suite: BenchSuite = {
  id: 'platform',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const inFlight of [1, 16]) {
      const runs: number[] = [];
      const system: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const got = await run(inFlight);
        runs.push(got.perHandling);
        system.push(got.system);
      }
      rows.push({
        name: `platform: UDP receive+send between two Node processes, ${inFlight} in flight (CPU per message handling, no SIP)`,
        value: median(runs),
        unit: 'µs CPU',
        runs,
        command: 'npm run bench -- platform',
        note:
          `${DATAGRAM.length} B datagrams over 127.0.0.1, ${ROUND_TRIPS} round trips per run, median of ${RUNS}; ` +
          `of which system time ${median(system).toFixed(1)} µs; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
      });
    }
    return rows;
  },
};
