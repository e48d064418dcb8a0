/**
 * Registration benchmark (`npm run bench -- registration`): complete IMS AKA registrations
 * per second through the whole core - REGISTER, 401, REGISTER, 200 through the P-CSCF, the
 * I-CSCF (UAR) and the S-CSCF (MAR, SAR) to the HSS (TS 24.229 §5.1.1.2, TS 29.228 §6.1) -
 * with the four roles as real processes on loopback (test/support/lab.ts) and SIPp as the
 * UEs (bench/sipp/ims-aka-register-only.xml, UDP).
 *
 * Ramp: for each offered rate (100, 200, 400, 800, 1600, 2000 /s) a fresh lab with 10k distinct
 * subscribers provisioned through `POST /subscribers/bulk`, so every registration is a first
 * one; SIPp offers `min(rate * 10 s, 10k)` calls. The ramp stops at the first rate with more
 * than 0.1 % failed calls or whose achieved rate falls below 90 % of the offered one, then
 * refines halfway between the last that passed and the first that failed while they are 1.3x
 * apart (400 and 800 give 600, then 500 or 700; bench/ramp.ts). When
 * the first rate already fails (a slow or busy machine), the ramp goes down instead, halving
 * the rate (not below 25/s) until one passes. The
 * figure is the highest rate that passed: the median achieved rate of its runs (the ramp run
 * plus repeats, each on a fresh lab, as far as the time budget allows; when most of them fail,
 * a lower rate, see bench/ramp.ts `settle`). The ramp itself is bench/ramp.ts, shared with
 * the calls suite.
 *
 * Environment:
 *  - REG_BENCH_RATES=100,200,...  the offered rates (default 100,200,400,800,1600,2000);
 *  - REG_BENCH_REPEATS=n          runs at the best rate in all (default 3);
 *  - REG_BENCH_BUDGET_SEC=s       no new lab after this many seconds (default 150), nor
 *                                 after the whole run's deadline (bench/run.ts);
 *  - REG_BENCH_SIPP=n             SIPp processes sharing the offered rate (default 2), so
 *                                 one SIPp's single thread is not the bound;
 *  - REG_BENCH_TRANSPORT=u1|un    SIPp UDP mode (default un: one socket per call, so every
 *                                 UE has its own flow at the P-CSCF as real UEs do);
 *  - REG_BENCH_WARMUP=n           registrations of other subscribers (default 300, at 100/s)
 *                                 before each measured run, not counted: the roles' JIT
 *                                 optimizes the hot paths during the first hundreds of
 *                                 registrations, and a fresh lab measured cold costs about
 *                                 twice the CPU per registration of a warm one;
 *  - REG_BENCH_CPU_PROF=<roles>   one extra run at the best rate with those roles (comma
 *                                 separated: hss, scscf, icscf, pcscf) under the V8 CPU
 *                                 profiler; prints each one's busy share and hot spots.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSipp, SippResult } from '../scripts/sipp';
import { DOMAIN, Lab, Role, ROLES, ROOT } from '../test/support/lab';
import {
  bulkCsv,
  SippSubscriber,
  sippSubscribers,
  writeInjectionFile,
} from '../test/support/sipp-subscribers';
import { BenchRow, BenchSuite, median } from './bench-row';
import { PROFILER_PRELOAD, printProfiles, profileRoles } from './profile';
import { budget, climb, RampPhase, ratesFromEnv, settle } from './ramp';

const SUBSCRIBERS = 10_000;
const LOAD_SEC = 10;
const MAX_FAILED_RATIO = 0.001;
const MIN_ACHIEVED_RATIO = 0.9;
const SCENARIO = path.join(ROOT, 'bench', 'sipp', 'ims-aka-register-only.xml');
const BENCH_COMMAND = 'npm run bench -- registration';
/** Warnings and errors only: no log line per request (the roles' default level is `log`). */
export const QUIET: Record<string, string> = {
  HSS_LOG_LEVEL: 'warn',
  SCSCF_LOG_LEVEL: 'warn',
  ICSCF_LOG_LEVEL: 'warn',
  PCSCF_LOG_LEVEL: 'warn',
};

const RATES = ratesFromEnv('REG_BENCH_RATES', [100, 200, 400, 800, 1600, 2000]);
/** The lowest rate the downward ramp tries when the first rate fails. */
const MIN_RATE = 25;
const REPEATS = Number(process.env.REG_BENCH_REPEATS ?? 3);
const BUDGET_SEC = Number(process.env.REG_BENCH_BUDGET_SEC ?? 150);
const SIPPS = Math.max(1, Number(process.env.REG_BENCH_SIPP ?? 2));
const WARMUP = Math.max(0, Number(process.env.REG_BENCH_WARMUP ?? 300));
const WARMUP_RATE = 100;
const TRANSPORT = (process.env.REG_BENCH_TRANSPORT ?? 'un') as 'u1' | 'un';
const PROFILE_ROLES = profileRoles('REG_BENCH_CPU_PROF');

/** One SIPp run at one offered rate against a fresh lab. */
export interface RegistrationStep {
  offered: number;
  calls: number;
  successful: number;
  failed: number;
  /** Successful registrations per second of SIPp's own elapsed time. */
  achieved: number;
  /** REGISTERs SIPp sent again after 500 ms without an answer (a latency sign). */
  retransmissions: number;
  command: string;
  /** 1-minute load average when the step started (other work on the machine skews it). */
  load: number;
  /**
   * CPU time (user + system) each process spent per successful registration, in ms, while
   * SIPp ran: the roles from /proc/<pid>/stat, SIPp from this process's reaped-children
   * counters. Unlike wall-clock rates this does not depend on what else the machine runs.
   */
  cpuMsPerReg: Record<string, number>;
  passed: boolean;
  why: string;
}

/**
 * SIPp's own run time: the "Total-time" of its last scenario screen (its final statistics
 * screen prints an elapsed time of zero).
 */
export function sippTotalTime(stdout: string): number | undefined {
  const rows = [...stdout.matchAll(/Total-time\s+Total-calls[^\n]*\n[^\n]*?([\d.]+) s\s+\d+/g)];
  const last = rows[rows.length - 1];
  return last ? Number(last[1]) : undefined;
}

/** Retransmissions of REGISTER on SIPp's last scenario screen (each one: no answer in 500 ms). */
export function registerRetransmissions(stdout: string): number {
  const screens = stdout.split('Scenario Screen');
  const last = screens[screens.length - 1];
  return [...last.matchAll(/REGISTER -+>\s+\d+\s+(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const HZ = 100;

/** utime + stime of a process, and (for `self`) cutime + cstime of its reaped children, in ms. */
export function cpuTimes(pid: number | 'self'): { own: number; children: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the parenthesised command name: state is field 3, utime 14 ... cstime 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const at = (n: number) => Number(f[n - 3]);
    return {
      own: ((at(14) + at(15)) * 1000) / HZ,
      children: ((at(16) + at(17)) * 1000) / HZ,
    };
  } catch {
    return { own: NaN, children: NaN };
  }
}

/** One SIPp process of a step: its result and its own Total-time. */
interface SippRun {
  result: SippResult;
  seconds: number;
}

/** Provisions the subscribers through `POST /subscribers/bulk` (CSV). */
export async function provision(lab: Lab, subs: SippSubscriber[]): Promise<void> {
  const res = await fetch(`${lab.hssUrl}/subscribers/bulk`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: bulkCsv(subs),
  });
  if (res.status !== 201)
    throw new Error(`bulk import -> ${res.status}: ${(await res.text()).slice(0, 500)}`);
}

/** What registering a list of subscribers with SIPp gave. */
export interface SippRegistrations {
  runs: SippRun[];
  successful: number;
  /** The longest SIPp Total-time. */
  seconds: number;
  /** CPU ms per successful registration of each role and of SIPp (see RegistrationStep). */
  cpuMsPerReg: Record<string, number>;
}

/**
 * Registers `subs` (each once, IMS AKA) through the lab's P-CSCF at `rate`/s in all, with
 * SIPPS SIPp processes each taking a slice of the subscribers and its share of the rate;
 * each registration asks for `expiresSec` (Expires, RFC 3261 §10.2.1).
 */
export async function registerWithSipp(
  lab: Lab,
  subs: SippSubscriber[],
  rate: number,
  dir: string,
  expiresSec = 600,
): Promise<SippRegistrations> {
  const per = Math.ceil(subs.length / SIPPS);
  const slices = Array.from({ length: SIPPS }, (_, i) => subs.slice(i * per, (i + 1) * per)).filter(
    (s) => s.length > 0,
  );
  const before = new Map(ROLES.map((r) => [r, cpuTimes(lab.procs.get(r)!.proc.pid!).own]));
  const sippBefore = cpuTimes('self').children;
  const runs: SippRun[] = await Promise.all(
    slices.map(async (slice, i) => {
      const workDir = fs.mkdtempSync(path.join(dir, `sipp-${i}-`));
      const users = path.join(workDir, 'users.csv');
      writeInjectionFile(users, slice);
      const share = (rate * slice.length) / subs.length;
      const result = await runSipp({
        scenario: SCENARIO,
        target: { host: '127.0.0.1', port: lab.ports.pcscf },
        transport: TRANSPORT,
        calls: slice.length,
        rate: Number(share.toFixed(2)),
        limit: Math.max(100, Math.ceil(share * 2)),
        maxSockets: 10_000,
        injectionFile: users,
        authUri: DOMAIN,
        keys: { expires: String(expiresSec) },
        timeoutSec: Math.ceil(slice.length / share) + 60,
        workDir,
      });
      return { result, seconds: sippTotalTime(result.stdout) ?? result.elapsedSec };
    }),
  );
  const successful = runs.reduce((n, r) => n + r.result.successful, 0);
  const cpuMsPerReg: Record<string, number> = {};
  for (const r of ROLES)
    cpuMsPerReg[r] = (cpuTimes(lab.procs.get(r)!.proc.pid!).own - before.get(r)!) / successful;
  cpuMsPerReg.sipp = (cpuTimes('self').children - sippBefore) / successful;
  return { runs, successful, seconds: Math.max(...runs.map((r) => r.seconds)), cpuMsPerReg };
}

async function step(
  offered: number,
  prefix: string,
  cpuProfDir?: string,
): Promise<RegistrationStep> {
  const load = os.loadavg()[0];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reg-bench-'));
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
  const lab = await Lab.start({ roleEnv, env: QUIET });
  // The step's files (SIPp's users.csv of ~1 MB and its logs) stay only when the step failed.
  let keep = true;
  try {
    await lab.waitForCxPeers(2);
    const subs = sippSubscribers(SUBSCRIBERS + WARMUP, prefix);
    await provision(lab, subs);
    const calls = Math.min(offered * LOAD_SEC, SUBSCRIBERS);
    // Warm-up with subscribers the measured run does not use (its outcome is not counted).
    if (WARMUP > 0)
      await registerWithSipp(
        lab,
        subs.slice(SUBSCRIBERS),
        WARMUP_RATE,
        fs.mkdtempSync(path.join(dir, 'warmup-')),
      );
    if (cpuProfDir) {
      for (const role of PROFILE_ROLES) fs.writeFileSync(path.join(cpuProfDir, role, 'start'), '');
      await new Promise((r) => setTimeout(r, 200));
    }
    const { runs, successful, seconds, cpuMsPerReg } = await registerWithSipp(
      lab,
      subs.slice(0, calls),
      offered,
      dir,
    );
    const achieved = successful / seconds;
    const failed = calls - successful;
    const reasons: string[] = [];
    if (failed / calls > MAX_FAILED_RATIO) reasons.push(`${failed} of ${calls} calls failed`);
    if (achieved < offered * MIN_ACHIEVED_RATIO)
      reasons.push(`achieved ${achieved.toFixed(0)}/s < ${MIN_ACHIEVED_RATIO} x offered`);
    for (const r of runs)
      if (r.result.exitCode !== 0 && failed === 0) reasons.push(`sipp exited ${r.result.exitCode}`);
    const errors = runs.map((r) => r.result.errors).join('');
    keep = reasons.length > 0;
    return {
      offered,
      calls,
      successful,
      failed,
      achieved,
      retransmissions: runs.reduce((n, r) => n + registerRetransmissions(r.result.stdout), 0),
      command:
        runs.length > 1
          ? `${runs.length} x in parallel: ${runs[0].result.command}`
          : runs[0].result.command,
      load,
      cpuMsPerReg,
      passed: reasons.length === 0,
      why:
        reasons.join('; ') +
        (reasons.length ? ` (SIPp files kept in ${dir})\n${errors.slice(0, 1500)}` : ''),
    };
  } finally {
    await lab.stop();
    if (!cpuProfDir) fs.rmSync(lab.dataDir, { recursive: true, force: true });
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const describe = (s: RegistrationStep): string =>
  `offered ${s.offered}/s, ${s.calls} calls: ${s.successful} ok, ${s.failed} failed, ` +
  `achieved ${s.achieved.toFixed(0)}/s, ${s.retransmissions} REGISTER retransmissions, ` +
  `load average ${s.load.toFixed(1)} on ${os.cpus().length} cores; CPU ms/registration ` +
  Object.entries(s.cpuMsPerReg)
    .map(([p, ms]) => `${p} ${ms.toFixed(2)}`)
    .join(', ') +
  ` (sum ${Object.values(s.cpuMsPerReg)
    .reduce((a, b) => a + b, 0)
    .toFixed(2)})` +
  (s.passed ? '' : ` - STOP: ${s.why.split('\n')[0]}`);

export const suite: BenchSuite = {
  id: 'registration',
  reserveSec: 60,
  async run(): Promise<BenchRow[]> {
    const overBudget = budget(BUDGET_SEC);
    // Each lab gets its own IMSI range, so no registration can find state of another.
    let lab = 0;
    const prefix = () => `00101${String(lab++).padStart(2, '0')}`;
    const log = (phase: RampPhase, s: RegistrationStep) => {
      console.log(`  registration ${phase}: ${describe(s)}`);
      const errors = s.why.split('\n').slice(1).join('\n').trim();
      if (phase === 'ramp' && errors) console.log(`  SIPp errors (start): ${errors.slice(0, 600)}`);
    };
    const run = (rate: number) => step(rate, prefix());
    const climbed = await climb({ rates: RATES, minRate: MIN_RATE, step: run, overBudget, log });
    const { best, failing } = climbed;
    const rows: BenchRow[] = climbed.steps.map((s) => ({
      name: `IMS AKA registrations, offered ${s.offered}/s (${s.calls} calls)`,
      value: s.achieved,
      unit: 'reg/s',
      runs: [s.achieved],
      command: s.command,
      note: describe(s),
    }));
    if (PROFILE_ROLES.length) {
      // Profile at the rate that broke the ramp (the core saturated), else at the best one.
      const rate = failing?.offered ?? best?.offered ?? RATES[0];
      const profDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reg-bench-prof-'));
      const s = await step(rate, prefix(), profDir);
      console.log(`  registration profiled (${PROFILE_ROLES.join(', ')}): ${describe(s)}`);
      printProfiles(profDir, PROFILE_ROLES);
    }
    if (!best) return rows;

    const settled = await settle({ ...climbed, best }, REPEATS, run, overBudget, log);
    const { head, headRuns, runs, failedRuns, fallback } = settled;
    rows.push({
      name: 'IMS AKA registrations/s (REGISTER-401-REGISTER-200 via P/I/S-CSCF, UAR+MAR+SAR)',
      value: median(headRuns.map((s) => s.achieved)),
      unit: 'reg/s',
      runs: headRuns.map((s) => s.achieved),
      command: head.command,
      note:
        `highest offered rate with < ${MAX_FAILED_RATIO * 100} % failures: ${head.offered}/s ` +
        `(${head.calls} distinct first registrations per run after ${WARMUP} warm-up ` +
        `registrations, fresh lab each run, ${SIPPS} SIPp ` +
        `-t ${TRANSPORT} over loopback UDP); ${failedRuns} of ${runs.length} runs at ` +
        `${best.offered}/s missed the bar${fallback ? `; ${fallback}` : ''}; ` +
        `reproduce with: ${BENCH_COMMAND}`,
    });

    return rows;
  },
};
