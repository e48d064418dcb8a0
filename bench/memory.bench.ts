/**
 * Memory benchmark (`npm run bench -- memory`): resident memory (VmRSS) and live heap of each
 * role with 100k subscribers provisioned and N of them registered through SIPp (IMS AKA, the
 * registration benchmark's scenario), and the memory each registered subscriber costs in each
 * role and summed over all four processes.
 *
 * Each role gets a `--require` preload that, when asked (a file appears), runs two full
 * garbage collections and writes `process.memoryUsage()`: RSS as the kernel sees it, and the
 * live JavaScript heap plus external/ArrayBuffer memory, which is what the registrations
 * really keep. Readings are taken at three points: after a warm-up tenth of N (the roles'
 * one-time growth, compiled code, statement and metric caches, falls before it), at N/2 and
 * at N. Per subscriber is the SLOPE between the last two points (live growth / registrations
 * added), so a one-time cost that lands after the warm-up does not count as per-subscriber;
 * the slope from the warm-up to N/2 is printed next to it as a check of linearity. Before each
 * reading the bench waits until RFC 3261 Timer J (64*T1 = 32 s) and the SIP metrics' horizon
 * have let every transaction of the run go, so only the registrations' state is left. The
 * CSCFs' overload policy is off in this suite (<ROLE>_MAX_PENDING_TRANSACTIONS=0): its set of
 * admitted transactions is swept only every 256 admissions, and up to 255 finished
 * transactions in it would be noise of up to a megabyte per role between two readings. The
 * S-CSCF's nonce lifetime is 8 s (NONCE_LIFETIME_S) so no challenge is left at a reading.
 * One more reading is taken 20 s into the last batch, while SIPp still registers: the live
 * heap of the roles under load (requests in flight, transactions waiting out Timer J), a row
 * of its own, not part of the per-subscriber slope.
 *
 * Registering 100k through the whole core takes longer than the benchmark's budget on two
 * shared cores (about 100 registrations/s), so by default N = 5,000 and the 100k figures are
 * EXTRAPOLATED linearly: reading at N + slope x (100k - N) (the rows say so);
 * MEM_BENCH_REGISTRATIONS=100000 measures them (about 20 minutes).
 *
 * Environment: MEM_BENCH_SUBSCRIBERS (provisioned, default 100000), MEM_BENCH_REGISTRATIONS
 * (N, default 5000), MEM_BENCH_RATE (registrations/s offered, default 100),
 * MEM_BENCH_HEAP_SNAPSHOTS (a directory: each role also writes a V8 heap snapshot at each
 * reading, `<reading>.<pid>.heapsnapshot`, to see what the memory is made of).
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
/** When the under-load reading is taken into the last batch (at most 80 % of it). */
const UNDER_LOAD_SEC = 20;
/**
 * Expires asked for by each registration: the run (N / rate of registering plus three waits
 * of TRANSACTIONS_GONE_MS) twice over, at least the 600 s the registration benchmark asks
 * for. A registration that expired before the last reading would be memory freed, not kept
 * (with N = 100,000 at 150/s the first registrations are over 12 minutes old by then).
 */
const EXPIRES_S = Math.max(
  600,
  Math.ceil(2 * (REGISTRATIONS / RATE + (3 * TRANSACTIONS_GONE_MS) / 1000)),
);
/**
 * The S-CSCF's nonce lifetime in this suite: its nonce store keeps a challenge 4 x this long
 * (to answer a late reply with stale=true) and purges every lifetime, so with 8 s every
 * challenge of a batch is gone (after at most 4 x 8 + 8 = 40 s)
 * by the reading 45 s later, and the readings hold registration state only. With the default
 * 30 s a challenge stays 2 minutes: state per registration of the last 2 minutes, not per
 * registered subscriber (about 0.5 KB each, see docs/performance.md).
 */
const NONCE_LIFETIME_S = 8;

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
  const usage = JSON.stringify(process.memoryUsage());
  if (process.env.MEM_BENCH_HEAP_SNAPSHOTS)
    require('node:v8').writeHeapSnapshot(path.join(process.env.MEM_BENCH_HEAP_SNAPSHOTS, n + '.' + process.pid + '.heapsnapshot'));
  fs.writeFileSync(path.join(dir, n + '.' + process.pid + '.json'), usage);
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
      env: {
        ...QUIET,
        MEM_DIR: dir,
        NODE_OPTIONS: `--require=${preload}`,
        // The overload policy's transaction set is noise here (see the header).
        PCSCF_MAX_PENDING_TRANSACTIONS: '0',
        ICSCF_MAX_PENDING_TRANSACTIONS: '0',
        SCSCF_MAX_PENDING_TRANSACTIONS: '0',
        // Nonces are kept 4 x their lifetime after the challenge (see the header).
        SCSCF_NONCE_LIFETIME: String(NONCE_LIFETIME_S),
      },
    });
    try {
      await lab.waitForCxPeers(2);
      if (process.env.MEM_BENCH_HEAP_SNAPSHOTS)
        console.log(ROLES.map((r) => `${r} pid ${lab.procs.get(r)!.proc.pid}`).join(', '));
      const subs = sippSubscribers(PROVISIONED, '00109');
      await provision(lab, subs);
      // Three readings: after a warm-up tenth, at N/2 and at N (see the header).
      const marks = [Math.max(1, Math.floor(REGISTRATIONS / 10)), Math.floor(REGISTRATIONS / 2)];
      marks.push(REGISTRATIONS);
      const readings: Record<Role, Usage>[] = [];
      const registered: number[] = [];
      let done = 0;
      let okSoFar = 0;
      let command = '';
      let asked = 0;
      let underLoad: { usage: Record<Role, Usage>; afterSec: number } | undefined;
      for (const mark of marks) {
        const last = mark === marks[marks.length - 1];
        const registering = registerWithSipp(lab, subs.slice(done, mark), RATE, dir, EXPIRES_S);
        // One reading while the last batch is still registering: what the roles hold for the
        // requests in flight and just finished (transactions in Timer J, metrics), which the
        // per-subscriber readings wait out on purpose.
        const afterSec = Math.min(UNDER_LOAD_SEC, ((mark - done) / RATE) * 0.8);
        const during = last
          ? new Promise((r) => setTimeout(r, afterSec * 1000)).then(async () => {
              underLoad = { usage: await measure(lab, dir, ++asked), afterSec };
            })
          : Promise.resolve();
        const [reg] = await Promise.all([registering, during]);
        command ||= reg.runs[0].result.command;
        // SIPp counts a call that timed out under load as failed although the registration
        // may have completed; what is counted is what SIPp saw succeed.
        if (reg.successful < (mark - done) * 0.9)
          throw new Error(`only ${reg.successful} of ${mark - done} registrations succeeded`);
        okSoFar += reg.successful;
        done = mark;
        await new Promise((r) => setTimeout(r, TRANSACTIONS_GONE_MS));
        await pokeCscfs(lab);
        readings.push(await measure(lab, dir, ++asked));
        registered.push(okSoFar);
      }
      const [, mid, last] = readings;
      const [n0, n1, n2] = registered;
      const slope = (role: Role, from: number, to: number) =>
        (readings[to][role].live - readings[from][role].live) / (registered[to] - registered[from]);
      const perRole = Object.fromEntries(ROLES.map((r) => [r, slope(r, 1, 2)])) as Record<
        Role,
        number
      >;
      // A role cannot shed memory per subscriber added: a negative slope (the HSS, which keeps
      // registration state in SQLite, not on the heap) is noise and counts as 0 in the sum
      // and the extrapolations; the rows show each role's raw slope.
      const grow = (r: Role) => Math.max(0, perRole[r]);
      const perSubKiB = ROLES.reduce((a, r) => a + grow(r), 0);
      const earlyKiB = ROLES.reduce((a, r) => a + slope(r, 0, 1), 0);
      const rssPerSubKiB = (sum(last, 'rss') - sum(mid, 'rss')) / (n2 - n1);
      const measuredAtTarget = n2 >= TARGET;
      const how =
        `${PROVISIONED} provisioned; readings after ${n0}, ${n1} and ${n2} registrations ` +
        `through SIPp at ${RATE}/s (${command}), each after two full GCs, ` +
        `${TRANSACTIONS_GONE_MS / 1000} s after the last registration; load average ${load} ` +
        `on ${os.cpus().length} cores`;
      const rows: BenchRow[] = ROLES.map((r) => ({
        name: `Memory per registered subscriber, ${r} (live heap, slope ${n1}->${n2})`,
        value: perRole[r],
        unit: 'KB/subscriber',
        runs: [perRole[r]],
        command: COMMAND,
        note:
          `live heap+external ${mb(mid[r].live).toFixed(1)} MB at ${n1}, ` +
          `${mb(last[r].live).toFixed(1)} MB at ${n2} registered; RSS ` +
          `${mb(last[r].rss).toFixed(1)} MB at ${n2}; ${how}`,
      }));
      rows.push({
        name: `Memory per registered subscriber, all four roles (live heap, slope ${n1}->${n2})`,
        value: perSubKiB,
        unit: 'KB/subscriber',
        runs: [perSubKiB],
        command: COMMAND,
        note:
          `sum of the roles' slopes, a negative one counted as 0 (target < 4 KB); raw sum ` +
          `${ROLES.reduce((a, r) => a + perRole[r], 0).toFixed(2)} KB; slope ${n0}->${n1}: ` +
          `${earlyKiB.toFixed(2)} KB (linearity check); RSS slope ${rssPerSubKiB.toFixed(2)} ` +
          `KB/subscriber (V8 keeps heap pages it grew into, so RSS moves in steps)`,
      });
      if (underLoad) {
        const u = underLoad.usage;
        rows.push({
          name: `Live heap of all four roles while registering at ${RATE}/s`,
          value: mb(sum(u, 'live')),
          unit: 'MB',
          runs: [mb(sum(u, 'live'))],
          command: COMMAND,
          note:
            `after two full GCs, ${underLoad.afterSec.toFixed(0)} s into the last batch: ` +
            ROLES.map((r) => `${r} ${mb(u[r].live).toFixed(1)}`).join(', ') +
            ` MB (RSS ${ROLES.map((r) => mb(u[r].rss).toFixed(0)).join(' / ')} MB); ` +
            `the requests in flight and the transactions waiting out Timer J; ${how}`,
        });
      }
      for (const r of ROLES) {
        const live = measuredAtTarget ? last[r].live : last[r].live + grow(r) * (TARGET - n2);
        const rss = measuredAtTarget ? last[r].rss : last[r].rss + grow(r) * (TARGET - n2);
        rows.push({
          name: `RSS ${r} with ${TARGET} registered` + (measuredAtTarget ? '' : ' (extrapolated)'),
          value: mb(rss),
          unit: 'MB',
          runs: [mb(rss)],
          command: COMMAND,
          note:
            (measuredAtTarget
              ? `measured; live heap+external ${mb(live).toFixed(1)} MB; `
              : `EXTRAPOLATED: RSS at ${n2} registered (${mb(last[r].rss).toFixed(1)} MB) + ` +
                `live slope x the other ${TARGET - n2}; live heap+external would be ` +
                `${mb(live).toFixed(1)} MB; `) + how,
        });
      }
      const rssAll = ROLES.reduce(
        (a, r) => a + (measuredAtTarget ? last[r].rss : last[r].rss + grow(r) * (TARGET - n2)),
        0,
      );
      rows.push({
        name:
          `RSS of all four roles with ${TARGET} registered` +
          (measuredAtTarget ? '' : ' (extrapolated)'),
        value: mb(rssAll),
        unit: 'MB',
        runs: [mb(rssAll)],
        command: COMMAND,
        note: measuredAtTarget
          ? how
          : `EXTRAPOLATED from the readings at ${n1} and ${n2}: RSS at ${n2} + live slope x ` +
            `the other ${TARGET - n2}; ${how}`,
      });
      return rows;
    } finally {
      await lab.stop();
      fs.rmSync(lab.dataDir, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
