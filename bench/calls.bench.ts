/**
 * Call benchmark (`npm run bench -- calls`): basic call setups per second through the whole
 * chain - originating P-CSCF and S-CSCF, I-CSCF (LIR), terminating S-CSCF and P-CSCF
 * (DESIGN.md "Calls") - with the four roles as real processes on loopback
 * (test/support/lab.ts) and SIPp as the two UEs: test/sipp/call-uac.xml places the calls
 * (INVITE, 100, 180, 200, ACK, hold, BYE, 200) from a subscriber registered with IMS AKA
 * beforehand (test/sipp/call-register.xml), test/sipp/call-uas.xml answers them as another
 * registered subscriber. See scripts/sipp.ts runSippCalls.
 *
 * Ramp: offered call rates (default 10, 25, 50, ... 1600 /s, doubling), each for
 * LOAD_SEC seconds (`rate x 5` calls) on one lab; the ramp stops at the first rate with a
 * failed call (UAC or UAS) or whose achieved rate falls below 90 % of the offered one, then
 * tries once the rate halfway between the last pass and the first failure on a fresh lab.
 * The figure is the median achieved rate at the best passing rate over its runs (the ramp
 * run plus repeats, each on a fresh lab, while the time budget allows).
 *
 * Environment:
 *  - CALL_BENCH_RATES=25,50,...  the offered rates;
 *  - CALL_BENCH_REPEATS=n        runs at the best rate in all (default 3);
 *  - CALL_BENCH_HOLD_MS=ms       pause between ACK and BYE (default 100);
 *  - CALL_BENCH_BUDGET_SEC=s     no new step after this many seconds (default 100).
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
import { DOMAIN, freePort, Lab, ROOT } from '../test/support/lab';
import { bulkCsv, sippSubscribers, writeInjectionFile } from '../test/support/sipp-subscribers';
import { BenchRow, BenchSuite, machine, median } from './bench-row';
import { sippTotalTime } from './registration.bench';

const LOAD_SEC = 5;
const MIN_ACHIEVED_RATIO = 0.9;
const SIPP_DIR = path.join(ROOT, 'test', 'sipp');
const BENCH_COMMAND = 'npm run bench -- calls';
/** Warnings and errors only: no log line per request. */
const QUIET: Record<string, string> = {
  HSS_LOG_LEVEL: 'warn',
  SCSCF_LOG_LEVEL: 'warn',
  ICSCF_LOG_LEVEL: 'warn',
  PCSCF_LOG_LEVEL: 'warn',
};

const numbers = (text: string | undefined, fallback: number[]): number[] =>
  text ? text.split(',').map((t) => Number(t.trim())) : fallback;
const RATES = numbers(process.env.CALL_BENCH_RATES, [10, 25, 50, 100, 200, 400, 800, 1600]);
const REPEATS = Number(process.env.CALL_BENCH_REPEATS ?? 3);
const HOLD_MS = Number(process.env.CALL_BENCH_HOLD_MS ?? 100);
const BUDGET_SEC = Number(process.env.CALL_BENCH_BUDGET_SEC ?? 100);

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

async function startCallLab(prefix: string): Promise<CallLab> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'call-bench-'));
  const lab = await Lab.start({ env: QUIET });
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
    return { lab, caller: parties[0], callee: parties[1], serviceRoute, dir };
  } catch (err) {
    await lab.stop();
    throw err;
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
  passed: boolean;
  why: string;
}

async function step(c: CallLab, offered: number): Promise<CallStep> {
  const load = os.loadavg()[0];
  const calls = Math.max(1, Math.round(offered * LOAD_SEC));
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
    passed: reasons.length === 0,
    why: reasons.join('; ') + (reasons.length ? `\n${errorsOf(uac)}\n${errorsOf(uas)}` : ''),
  };
}

const errorsOf = (r: SippResult) => r.errors.slice(0, 1500);

const describe = (s: CallStep): string =>
  `offered ${s.offered}/s, ${s.calls} calls: ${s.successful} ok, ${s.failed} failed, ` +
  `achieved ${s.achieved.toFixed(0)}/s, ${s.rang} rang (180 received), ` +
  `${s.retransmissions} INVITE retransmissions, ${s.byeBeforeAck} BYE before ACK, ` +
  `load average ${s.load.toFixed(1)}` +
  (s.passed ? '' : ` - STOP: ${s.why.split('\n')[0]}`);

/** Both SIPp command lines of a step (UAS first: it listens before the UAC calls). */
const commands = (s: CallStep) => `UAS: ${s.uasCommand} ; UAC: ${s.uacCommand}`;

export const suite: BenchSuite = {
  id: 'calls',
  async run(): Promise<BenchRow[]> {
    const started = Date.now();
    const overBudget = () => (Date.now() - started) / 1000 > BUDGET_SEC;
    const m = machine();
    const where = `${m.cores} cores, ${m.cpu}`;
    let labs = 0;
    const prefix = () => `00102${String(labs++).padStart(2, '0')}`;

    const ramp: CallStep[] = [];
    let best: CallStep | undefined;
    let c = await startCallLab(prefix());
    try {
      for (const rate of RATES) {
        const s = await step(c, rate);
        ramp.push(s);
        console.log(`  calls ramp: ${describe(s)}`);
        if (!s.passed) {
          const errors = s.why.split('\n').slice(1).join('\n').trim();
          if (errors) console.log(`  SIPp errors (start): ${errors.slice(0, 600)}`);
          break;
        }
        best = s;
        if (overBudget()) break;
      }
    } finally {
      await stopCallLab(c);
    }

    // A fresh lab for every further run: a failed step may leave transactions behind.
    const fresh = async (rate: number): Promise<CallStep> => {
      c = await startCallLab(prefix());
      try {
        return await step(c, rate);
      } finally {
        await stopCallLab(c);
      }
    };
    const failing = ramp.find((s) => !s.passed);
    if (best && failing && failing.offered >= best.offered * 1.5 && !overBudget()) {
      const s = await fresh(Math.round((best.offered + failing.offered) / 2));
      ramp.push(s);
      console.log(`  calls refine: ${describe(s)}`);
      if (s.passed) best = s;
    }
    const rows: BenchRow[] = ramp.map((s) => ({
      name: `call setups, offered ${s.offered}/s (${s.calls} calls)`,
      value: s.achieved,
      unit: 'calls/s',
      runs: [s.achieved],
      command: commands(s),
      note: `${describe(s)}; ${where}`,
    }));
    if (!best) return rows;

    const runs = [best];
    while (runs.length < REPEATS && !overBudget()) {
      const s = await fresh(best.offered);
      console.log(`  calls repeat: ${describe(s)}`);
      runs.push(s);
    }
    const failedRuns = runs.filter((s) => !s.passed).length;
    // A rate most of whose runs fail is no figure: fall back to the next lower rate that
    // passed in the ramp (one run).
    let head = best;
    let headRuns = runs;
    let fallback = '';
    if (failedRuns * 2 > runs.length) {
      const lower = ramp
        .filter((s) => s.passed && s.offered < best!.offered)
        .sort((a, b) => b.offered - a.offered)[0];
      if (lower) {
        fallback =
          `; ${failedRuns} of ${runs.length} runs at ${best.offered}/s failed, so the figure ` +
          `is the next lower rate that passed (${lower.offered}/s, one ramp run)`;
        head = lower;
        headRuns = [lower];
      }
    }
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
        `${runs.length} runs at ${best.offered}/s missed the bar${fallback}; machine: ${where}; ` +
        `reproduce with: ${BENCH_COMMAND}`,
    });
    return rows;
  },
};
