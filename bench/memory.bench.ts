/**
 * Memory benchmark (`npm run bench -- memory`): resident memory (VmRSS) of each role with
 * 100k subscribers provisioned and N of them registered through SIPp (IMS AKA, the
 * registration benchmark's scenario), and the memory each registered subscriber costs summed
 * over all four processes.
 *
 * Each role gets a `--require` preload that, when asked (a file appears), runs two full
 * garbage collections and writes `process.memoryUsage()`: RSS as the kernel sees it, and the
 * live JavaScript heap plus external/ArrayBuffer memory, which is what the registrations
 * really keep. A tenth of N registers first (warm-up: the roles' one-time growth, about 5 MB
 * each whatever N, falls before the first reading); per subscriber is the growth from there
 * over the other nine tenths. Before each measurement the bench waits until RFC 3261 Timer J (64*T1 =
 * 32 s) and the SIP metrics' horizon have let every transaction of the run go, so only the
 * registrations' state is left. Per subscriber = (live memory of all roles after - before) / N; the RSS growth per
 * subscriber is given too (V8 keeps the heap pages it grew into, so that one overstates).
 *
 * Registering 100k through the whole core takes longer than the benchmark's budget on two
 * shared cores, so by default N = 5,000 and the 100k figure is EXTRAPOLATED linearly from
 * the growth per subscriber (the rows say so); MEM_BENCH_REGISTRATIONS=100000 measures it.
 *
 * Environment: MEM_BENCH_SUBSCRIBERS (provisioned, default 100000), MEM_BENCH_REGISTRATIONS
 * (N, default 5000), MEM_BENCH_RATE (registrations/s offered, default 100).
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DOMAIN, Lab, Role, ROLES } from '../test/support/lab';
import { sippSubscribers } from '../test/support/sipp-subscribers';
import { BenchRow, BenchSuite } from './bench-row';
import { provision, QUIET, registerWithSipp } from './registration.bench';

const PROVISIONED = Number(process.env.MEM_BENCH_SUBSCRIBERS ?? 100_000);
const REGISTRATIONS = Math.min(Number(process.env.MEM_BENCH_REGISTRATIONS ?? 5_000), PROVISIONED);
const RATE = Number(process.env.MEM_BENCH_RATE ?? 100);
const TARGET = 100_000;
const COMMAND = 'npm run bench -- memory';
/**
 * RFC 3261 Timer J (64*T1 = 32 s) and the SIP metrics' completed-transaction horizon (40 s)
 * plus a margin: every transaction of the run is gone from the roles by then.
 */
const TRANSACTIONS_GONE_MS = 45_000;

/**
 * One OPTIONS to each CSCF: the SIP metrics sweep their transaction maps when a request
 * arrives, so this lets them drop the run's entries before the measurement.
 */
async function pokeCscfs(lab: Lab): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const { port } = socket.address();
  for (const role of ['pcscf', 'icscf', 'scscf'] as const) {
    const branch = `z9hG4bKmem${role}${Date.now()}`;
    const options = [
      `OPTIONS sip:${role}.${DOMAIN} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <sip:memory-bench@${DOMAIN}>;tag=${branch}`,
      `To: <sip:${role}.${DOMAIN}>`,
      `Call-ID: ${branch}@memory-bench`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    await new Promise<void>((r) => socket.send(options, lab.ports[role], '127.0.0.1', () => r()));
  }
  await new Promise((r) => setTimeout(r, 1000));
  socket.close();
}

/**
 * The preload: on `<MEM_DIR>/<n>.measure` it collects garbage twice (gc exposed at run time:
 * Node 20 refuses --expose-gc in NODE_OPTIONS) and writes `<MEM_DIR>/<n>.<pid>.json`.
 */
const MEMORY_PRELOAD = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
require('node:v8').setFlagsFromString('--expose-gc');
const gc = require('node:vm').runInNewContext('gc');
const dir = process.env.MEM_DIR;
let n = 1;
const poll = setInterval(() => {
  if (!fs.existsSync(path.join(dir, n + '.measure'))) return;
  gc();
  gc();
  if (process.env.MEM_BENCH_HEAP_SNAPSHOTS)
    require('node:v8').writeHeapSnapshot(path.join(process.env.MEM_BENCH_HEAP_SNAPSHOTS, n + '.' + process.pid + '.heapsnapshot'));
  fs.writeFileSync(path.join(dir, n + '.' + process.pid + '.json'), JSON.stringify(process.memoryUsage()));
  n++;
}, 100);
poll.unref();
`;

/** What one role reported, in KiB. */
interface Usage {
  rss: number;
  /** heapUsed + external (ArrayBuffers are part of external) after two full GCs. */
  live: number;
}

/** Asks every role for measurement `n` and waits for their answers. */
async function measure(lab: Lab, dir: string, n: number): Promise<Record<Role, Usage>> {
  fs.writeFileSync(path.join(dir, `${n}.measure`), '');
  const out = {} as Record<Role, Usage>;
  const deadline = Date.now() + (process.env.MEM_BENCH_HEAP_SNAPSHOTS ? 300_000 : 30_000);
  for (const r of ROLES) {
    const file = path.join(dir, `${n}.${lab.procs.get(r)!.proc.pid}.json`);
    while (!fs.existsSync(file)) {
      if (Date.now() > deadline) throw new Error(`${r} did not report its memory`);
      await new Promise((res) => setTimeout(res, 100));
    }
    const u = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number>;
    out[r] = { rss: u.rss / 1024, live: (u.heapUsed + u.external) / 1024 };
  }
  return out;
}

const mb = (kib: number) => kib / 1024;
const sum = (u: Record<Role, Usage>, k: keyof Usage) => ROLES.reduce((a, r) => a + u[r][k], 0);

export const suite: BenchSuite = {
  id: 'memory',
  async run(): Promise<BenchRow[]> {
    const load = os.loadavg()[0].toFixed(1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mem-bench-'));
    const preload = path.join(dir, 'memory-preload.js');
    fs.writeFileSync(preload, MEMORY_PRELOAD);
    const lab = await Lab.start({
      env: { ...QUIET, MEM_DIR: dir, NODE_OPTIONS: `--require=${preload}` },
    });
    try {
      await lab.waitForCxPeers(2);
      if (process.env.MEM_BENCH_HEAP_SNAPSHOTS)
        console.log(ROLES.map((r) => `${r} pid ${lab.procs.get(r)!.proc.pid}`).join(', '));
      const subs = sippSubscribers(PROVISIONED, '00109');
      await provision(lab, subs);
      // A warm-up tenth first: the roles' one-time growth (compiled code, statement and
      // metric caches, buffers: ~5 MB each whatever N) then falls before the first reading.
      const warm = Math.max(1, Math.floor(REGISTRATIONS / 10));
      await registerWithSipp(lab, subs.slice(0, warm), RATE, dir);
      await new Promise((r) => setTimeout(r, TRANSACTIONS_GONE_MS));
      await pokeCscfs(lab);
      const before = await measure(lab, dir, 1);
      const reg = await registerWithSipp(lab, subs.slice(warm, REGISTRATIONS), RATE, dir);
      await new Promise((r) => setTimeout(r, TRANSACTIONS_GONE_MS));
      await pokeCscfs(lab);
      const after = await measure(lab, dir, 2);
      const n = reg.successful;
      // SIPp counts a call that timed out under load as failed although the registration may
      // have completed; what is measured is the state of the n that SIPp saw succeed.
      if (n < (REGISTRATIONS - warm) * 0.9)
        throw new Error(`only ${n} of ${REGISTRATIONS - warm} registrations succeeded`);
      const perSubKiB = (sum(after, 'live') - sum(before, 'live')) / n;
      const rssBefore = sum(before, 'rss');
      const rssAfter = sum(after, 'rss');
      const rssPerSubKiB = (rssAfter - rssBefore) / n;
      const measuredAtTarget = n + warm >= TARGET;
      const how =
        `${PROVISIONED} provisioned, ${warm} registered to warm up, then ${n} of ` +
        `${REGISTRATIONS - warm} more through SIPp at ` +
        `${RATE}/s (${reg.runs[0].result.command}); load average ${load} on ` +
        `${os.cpus().length} cores`;
      const rows: BenchRow[] = ROLES.map((r) => ({
        name: `RSS ${r} with ${n + warm} registered (${PROVISIONED} provisioned)`,
        value: mb(after[r].rss),
        unit: 'MB',
        runs: [mb(after[r].rss)],
        command: COMMAND,
        note:
          `after the warm-up ${mb(before[r].rss).toFixed(1)} MB; live heap+external ` +
          `${mb(before[r].live).toFixed(1)} -> ${mb(after[r].live).toFixed(1)} MB; ${how}`,
      }));
      rows.push({
        name: 'Memory per registered subscriber, all four roles (live heap)',
        value: perSubKiB,
        unit: 'KB/subscriber',
        runs: [perSubKiB],
        command: COMMAND,
        note:
          `growth of heapUsed+external after full GCs, summed over the roles, / the ${n} ` +
          `registrations (target < 4 KB); per role KB: ` +
          ROLES.map((r) => `${r} ${((after[r].live - before[r].live) / n).toFixed(2)}`).join(', ') +
          `; RSS growth ${rssPerSubKiB.toFixed(2)} KB/subscriber (sum ` +
          `${mb(rssBefore).toFixed(1)} -> ${mb(rssAfter).toFixed(1)} MB)`,
      });
      const atTarget = measuredAtTarget ? rssAfter : rssBefore + perSubKiB * (TARGET - warm);
      rows.push({
        name:
          `RSS of all four roles with ${TARGET} registered` +
          (measuredAtTarget ? '' : ' (extrapolated)'),
        value: mb(atTarget),
        unit: 'MB',
        runs: [mb(atTarget)],
        command: COMMAND,
        note: measuredAtTarget
          ? how
          : `EXTRAPOLATED from ${n} registrations: RSS after the warm-up + live growth per ` +
            `subscriber x the other ${TARGET - warm}; ${how}`,
      });
      return rows;
    } finally {
      await lab.stop();
      fs.rmSync(lab.dataDir, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
