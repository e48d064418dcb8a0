/**
 * Call benchmark (`npm run bench -- calls`): basic call setups per second through the whole
 * chain - originating P-CSCF and S-CSCF, I-CSCF (LIR), terminating S-CSCF and P-CSCF
 * (DESIGN.md "Calls") - with the four roles as real processes on loopback
 * (test/support/lab.ts) and SIPp as the two UEs: test/sipp/call-uac.xml places the calls
 * (INVITE, 100, 180, 200, ACK, hold, BYE, 200) from a subscriber registered with IMS AKA
 * beforehand (test/sipp/call-register.xml), test/sipp/call-uas.xml answers them as another
 * registered subscriber. See scripts/sipp.ts runSippCalls.
 *
 * Ramp: offered call rates (default 50, 100, ... 1600 /s, doubling), each for
 * LOAD_SEC seconds (`rate x 5` calls) on one lab; the ramp stops at the first rate with a
 * failed call (UAC or UAS) or whose achieved rate falls below 90 % of the offered one, then
 * refines between the last pass and the first failure, each refinement on a fresh lab
 * (bench/ramp.ts: halfway, while 1.3x apart; when the first rate fails, it halves down to 5/s
 * instead). The figure is the median
 * achieved rate at the best passing rate over its runs (the ramp run plus repeats, each on a
 * fresh lab, while the time budget allows); when most of those runs fail, a lower rate
 * (bench/ramp.ts `settle`). The ramp itself is bench/ramp.ts, shared with the registration
 * suite.
 *
 * Environment:
 *  - CALL_BENCH_RATES=25,50,...  the offered rates;
 *  - CALL_BENCH_REPEATS=n        runs at the best rate in all (default 3);
 *  - CALL_BENCH_HOLD_MS=ms       pause between ACK and BYE (default 100);
 *  - CALL_BENCH_BUDGET_SEC=s     no new step after this many seconds (default 130), nor
 *                                after the whole run's deadline (bench/run.ts);
 *  - CALL_BENCH_WARMUP=n         calls (default 150, at 50/s) each fresh lab places before its
 *                                first measured step, not counted: a cold lab spends about
 *                                twice the CPU per call while the roles' JIT optimizes;
 *  - CALL_BENCH_CPU_PROF=<roles> one extra run at the rate that broke the ramp (else the best)
 *                                with those roles under the V8 CPU profiler (as the
 *                                registration suite's REG_BENCH_CPU_PROF); prints hot spots.
 *
 * Every step also records each role's CPU time per successful call (utime + stime from
 * /proc/<pid>/stat) and the kernel's UDP receive-buffer drops during the step (`Udp:
 * RcvbufErrors` of /proc/net/snmp, machine-wide: a drop there is a datagram some socket lost).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  registerCallParty,
  runSippCalls,
  scenarioRows,
  SippCallParty,
  SippResult,
} from '../scripts/sipp';
import { DOMAIN, freePort, Lab, Role, ROLES, ROOT } from '../test/support/lab';
import { bulkCsv, sippSubscribers, writeInjectionFile } from '../test/support/sipp-subscribers';
import { BenchRow, BenchSuite, machine, median } from './bench-row';
import { PROFILER_PRELOAD, printProfiles, profileRoles } from './profile';
import { budget, Climb, climb, RampPhase, ratesFromEnv, settle } from './ramp';
import { cpuTimes, QUIET, sippTotalTime } from './registration.bench';

const LOAD_SEC = 5;
const MIN_ACHIEVED_RATIO = 0.9;
const SIPP_DIR = path.join(ROOT, 'test', 'sipp');
const BENCH_COMMAND = 'npm run bench -- calls';

const RATES = ratesFromEnv('CALL_BENCH_RATES', [50, 100, 200, 400, 800, 1600]);
/** The lowest rate the downward ramp tries when the first rate fails. */
const MIN_RATE = 5;
const REPEATS = Number(process.env.CALL_BENCH_REPEATS ?? 3);
const HOLD_MS = Number(process.env.CALL_BENCH_HOLD_MS ?? 100);
const BUDGET_SEC = Number(process.env.CALL_BENCH_BUDGET_SEC ?? 130);
const WARMUP = Math.max(0, Number(process.env.CALL_BENCH_WARMUP ?? 150));
const WARMUP_RATE = 50;
const PROFILE_ROLES = profileRoles('CALL_BENCH_CPU_PROF');

/** `Udp: RcvbufErrors` of /proc/net/snmp (datagrams dropped on full receive buffers). */
export function udpRcvbufErrors(): number {
  try {
    const lines = fs.readFileSync('/proc/net/snmp', 'utf8').split('\n');
    const head = lines.find((l) => l.startsWith('Udp: ') && !/\d/.test(l.slice(5, 6)));
    const values = lines.find((l) => l.startsWith('Udp: ') && /^Udp: \d/.test(l));
    if (!head || !values) return NaN;
    const i = head.split(/\s+/).indexOf('RcvbufErrors');
    return Number(values.split(/\s+/)[i]);
  } catch {
    return NaN;
  }
}

/** A lab with two SIPp subscribers registered from fixed ports, ready to call. */
interface CallLab {
  lab: Lab;
  caller: SippCallParty;
  callee: SippCallParty;
  serviceRoute: string;
  dir: string;
  /** Keep `dir` (SIPp's logs) after the lab stops: a step failed. */
  keep?: boolean;
}

async function startCallLab(prefix: string, cpuProfDir?: string): Promise<CallLab> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'call-bench-'));
  const roleEnv: Partial<Record<Role, Record<string, string>>> = {};
  if (cpuProfDir) {
    const preload = path.join(dir, 'cpu-profile.js');
    fs.writeFileSync(preload, PROFILER_PRELOAD);
    for (const role of PROFILE_ROLES) {
      const out = path.join(cpuProfDir, role);
      fs.mkdirSync(out, { recursive: true });
      roleEnv[role] = { CPU_PROFILE_DIR: out, NODE_OPTIONS: `--require=${preload}` };
    }
  }
  const lab = await Lab.start({ env: QUIET, roleEnv });
  try {
    await lab.waitForCxPeers(2);
    const subs = sippSubscribers(2, prefix);
    const res = await fetch(`${lab.hssUrl}/subscribers/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: bulkCsv(subs),
    });
    if (res.status !== 201)
      throw new Error(`bulk import -> ${res.status}: ${(await res.text()).slice(0, 500)}`);
    const parties: SippCallParty[] = [];
    let serviceRoute = '';
    for (const [i, s] of subs.entries()) {
      const party = { user: s.imsi, port: await freePort() };
      const users = path.join(dir, `party${i}.csv`);
      writeInjectionFile(users, [s]);
      const reg = await registerCallParty({
        scenario: path.join(SIPP_DIR, 'call-register.xml'),
        target: { host: '127.0.0.1', port: lab.ports.pcscf },
        party,
        injectionFile: users,
        authUri: DOMAIN,
        timeoutSec: 30,
        workDir: fs.mkdtempSync(path.join(dir, 'register-')),
      });
      if (i === 0) serviceRoute = reg.serviceRoute;
      parties.push(party);
    }
    const c: CallLab = { lab, caller: parties[0], callee: parties[1], serviceRoute, dir };
    // Warm-up calls (not counted; a failed one does not keep the logs).
    if (WARMUP > 0) await step(c, WARMUP_RATE, WARMUP);
    c.keep = false;
    return c;
  } catch (err) {
    // What the roles said (warnings and errors; the suite runs them at level warn), so a
    // failure that happens once in many runs can be read afterwards.
    const said = ROLES.flatMap((r) => lab.warnings(r, 10).map((l) => `${r}: ${l.slice(0, 400)}`));
    await lab.stop();
    fs.rmSync(lab.dataDir, { recursive: true, force: true });
    if (said.length) (err as Error).message += `\nthe roles' warnings:\n${said.join('\n')}`;
    throw err;
  }
}

/**
 * startCallLab, once more on a fresh lab when the first fails (a party's registration that
 * got no answer: seen once in the 09:30 fresh-clone run, and not in 120 lab starts after it).
 * The failure is printed in full, so it is never silent; a second failure ends the suite.
 */
async function startCallLabOrRetry(prefix: () => string, cpuProfDir?: string): Promise<CallLab> {
  try {
    return await startCallLab(prefix(), cpuProfDir);
  } catch (err) {
    console.log(`  calls: lab start FAILED, one more on a fresh lab: ${(err as Error).message}`);
    return startCallLab(prefix(), cpuProfDir);
  }
}

async function stopCallLab(c: CallLab): Promise<void> {
  await c.lab.stop();
  fs.rmSync(c.lab.dataDir, { recursive: true, force: true });
  if (c.keep) console.log(`  SIPp logs of the failed step kept in ${c.dir}`);
  else fs.rmSync(c.dir, { recursive: true, force: true });
}

/** One SIPp uac/uas run at one offered rate. */
export interface CallStep {
  offered: number;
  calls: number;
  successful: number;
  failed: number;
  /** Successful calls per second of the UAC's own run time. */
  achieved: number;
  /** INVITEs the UAC sent again after 500 ms without a response. */
  retransmissions: number;
  /** Calls whose caller got the 180 (a lost 180 is not retransmitted over UDP). */
  rang: number;
  /** Calls whose BYE reached the callee before the ACK (an ACK datagram was lost). */
  byeBeforeAck: number;
  uacCommand: string;
  uasCommand: string;
  load: number;
  /** CPU ms (user + system) each role spent per successful call during the step. */
  cpuMsPerCall: Record<string, number>;
  /** UDP datagrams the kernel dropped on full receive buffers during the step (all sockets). */
  rcvbufErrors: number;
  passed: boolean;
  why: string;
}

async function step(c: CallLab, offered: number, count?: number): Promise<CallStep> {
  const load = os.loadavg()[0];
  const cpuBefore = new Map(ROLES.map((r) => [r, cpuTimes(c.lab.procs.get(r)!.proc.pid!).own]));
  const dropsBefore = udpRcvbufErrors();
  const calls = count ?? Math.max(1, Math.round(offered * LOAD_SEC));
  const workDir = fs.mkdtempSync(path.join(c.dir, `rate-${offered}-`));
  const { uac, uas } = await runSippCalls({
    uacScenario: path.join(SIPP_DIR, 'call-uac.xml'),
    uasScenario: path.join(SIPP_DIR, 'call-uas.xml'),
    target: { host: '127.0.0.1', port: c.lab.ports.pcscf },
    caller: c.caller,
    callee: c.callee,
    domain: DOMAIN,
    serviceRoute: c.serviceRoute,
    calls,
    rate: offered,
    limit: Math.max(200, offered * 2),
    pauseMs: HOLD_MS,
    // A stalled call ends the step at this bound (a failed step must not eat the budget).
    timeoutSec: LOAD_SEC + 12,
    workDir,
  });
  const seconds = sippTotalTime(uac.stdout) ?? uac.elapsedSec;
  const achieved = uac.successful / seconds;
  const cpuMsPerCall: Record<string, number> = {};
  for (const r of ROLES)
    cpuMsPerCall[r] =
      (cpuTimes(c.lab.procs.get(r)!.proc.pid!).own - cpuBefore.get(r)!) /
      Math.max(1, uac.successful);
  const failed = calls - uac.successful;
  const reasons: string[] = [];
  if (failed > 0) reasons.push(`${failed} of ${calls} calls failed`);
  if (uas.failed > 0 || uas.successful !== uac.successful)
    reasons.push(`UAS: ${uas.successful} ok, ${uas.failed} failed`);
  if (achieved < offered * MIN_ACHIEVED_RATIO)
    reasons.push(`achieved ${achieved.toFixed(0)}/s < ${MIN_ACHIEVED_RATIO} x offered`);
  if (uac.exitCode !== 0 && failed === 0) reasons.push(`sipp exited ${uac.exitCode}`);
  if (reasons.length) c.keep = true;
  return {
    offered,
    calls,
    successful: uac.successful,
    failed,
    achieved,
    retransmissions: scenarioRows(uac.stdout, 'INVITE')[0]?.[1] ?? 0,
    rang: scenarioRows(uac.stdout, '180')[0]?.[0] ?? 0,
    byeBeforeAck: scenarioRows(uas.stdout, 'BYE')[0]?.[0] ?? 0,
    uacCommand: uac.command,
    uasCommand: uas.command,
    load,
    cpuMsPerCall,
    rcvbufErrors: udpRcvbufErrors() - dropsBefore,
    passed: reasons.length === 0,
    why: reasons.join('; ') + (reasons.length ? `\n${errorsOf(uac)}\n${errorsOf(uas)}` : ''),
  };
}

const errorsOf = (r: SippResult) => r.errors.slice(0, 1500);

const describe = (s: CallStep): string =>
  `offered ${s.offered}/s, ${s.calls} calls: ${s.successful} ok, ${s.failed} failed, ` +
  `achieved ${s.achieved.toFixed(0)}/s, ${s.rang} rang (180 received), ` +
  `${s.retransmissions} INVITE retransmissions, ${s.byeBeforeAck} BYE before ACK, ` +
  `load average ${s.load.toFixed(1)}; CPU ms/call ` +
  Object.entries(s.cpuMsPerCall)
    .map(([p, ms]) => `${p} ${ms.toFixed(2)}`)
    .join(', ') +
  ` (sum ${Object.values(s.cpuMsPerCall)
    .reduce((a, b) => a + b, 0)
    .toFixed(2)}); UDP RcvbufErrors +${s.rcvbufErrors}` +
  (s.passed ? '' : ` - STOP: ${s.why.split('\n')[0]}`);

/** Both SIPp command lines of a step (UAS first: it listens before the UAC calls). */
const commands = (s: CallStep) => `UAS: ${s.uasCommand} ; UAC: ${s.uacCommand}`;

export const suite: BenchSuite = {
  id: 'calls',
  reserveSec: 90,
  async run(): Promise<BenchRow[]> {
    const overBudget = budget(BUDGET_SEC);
    const m = machine();
    const where = `${m.cores} cores, ${m.cpu}`;
    let labs = 0;
    const prefix = () => `00102${String(labs++).padStart(2, '0')}`;
    const log = (phase: RampPhase, s: CallStep) => {
      console.log(`  calls ${phase}: ${describe(s)}`);
      const errors = s.why.split('\n').slice(1).join('\n').trim();
      if (phase === 'ramp' && errors) console.log(`  SIPp errors (start): ${errors.slice(0, 600)}`);
    };

    // The upward ramp shares one lab (its registered parties, its warm JIT); every other
    // step gets a fresh lab: a failed step may leave transactions behind.
    let shared: CallLab | undefined;
    const closeShared = async () => {
      const s = shared;
      shared = undefined;
      if (s) await stopCallLab(s);
    };
    const run = async (rate: number, phase: RampPhase): Promise<CallStep> => {
      if (phase === 'ramp') {
        shared ??= await startCallLabOrRetry(prefix);
        return step(shared, rate);
      }
      await closeShared();
      const c = await startCallLabOrRetry(prefix);
      try {
        return await step(c, rate);
      } finally {
        await stopCallLab(c);
      }
    };
    let climbed: Climb<CallStep>;
    try {
      climbed = await climb({ rates: RATES, minRate: MIN_RATE, step: run, overBudget, log });
    } finally {
      await closeShared();
    }
    const { best, failing } = climbed;
    const rows: BenchRow[] = climbed.steps.map((s) => ({
      name: `call setups, offered ${s.offered}/s (${s.calls} calls)`,
      value: s.achieved,
      unit: 'calls/s',
      runs: [s.achieved],
      command: commands(s),
      note: `${describe(s)}; ${where}`,
    }));
    if (PROFILE_ROLES.length) {
      const rate = failing?.offered ?? best?.offered ?? RATES[0];
      const profDir = fs.mkdtempSync(path.join(os.tmpdir(), 'call-bench-prof-'));
      const c = await startCallLabOrRetry(prefix, profDir);
      try {
        for (const role of PROFILE_ROLES) fs.writeFileSync(path.join(profDir, role, 'start'), '');
        await new Promise((r) => setTimeout(r, 200));
        const s = await step(c, rate);
        console.log(`  calls profiled (${PROFILE_ROLES.join(', ')}): ${describe(s)}`);
      } finally {
        await stopCallLab(c);
      }
      printProfiles(profDir, PROFILE_ROLES);
    }
    if (!best) return rows;

    const settled = await settle({ ...climbed, best }, REPEATS, run, overBudget, log);
    const { head, headRuns, runs, failedRuns, fallback } = settled;
    rows.push({
      name: 'call setups/s (INVITE-180-200-ACK, then BYE; SIPp uac/uas via P, S, I, S, P)',
      value: median(headRuns.map((s) => s.achieved)),
      unit: 'calls/s',
      runs: headRuns.map((s) => s.achieved),
      command: commands(head),
      note:
        `highest offered rate with no failed call: ${head.offered}/s (${head.calls} calls ` +
        `per run, ${HOLD_MS} ms hold, one caller and one callee registered with IMS AKA, SIPp ` +
        `u1 over loopback UDP, fresh lab per run after the ramp); ${failedRuns} of ` +
        `${runs.length} runs at ${best.offered}/s missed the bar${fallback ? `; ${fallback}` : ''}; machine: ${where}; ` +
        `reproduce with: ${BENCH_COMMAND}`,
    });
    return rows;
  },
};
