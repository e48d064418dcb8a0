/**
 * Registrations and calls under packet loss (issue 9 "Packet loss"). Runs inside a private
 * network namespace (scripts/netns-loss.ts): starts the whole core, then loads nftables rules
 * that drop a percentage of every UDP datagram to or from the CSCFs' SIP ports (every Gm and
 * Mw hop, requests and responses, both ways), and registers UEs over UDP. Each must complete
 * through the RFC 3261 §17 retransmissions (Timers A/E on the clients, retransmitted final
 * responses on the servers, §17.2.2), and afterwards:
 *
 * - each UE's reg event (RFC 3680) shows exactly one active contact, its own, for its IMPU
 *   (no binding duplicated by a retransmitted REGISTER);
 * - the HSS shows each IMPU REGISTERED, then NOT_REGISTERED after de-registration;
 * - calls between the UEs (INVITE/180/200/ACK, BYE/200) are answered and ended, the callee
 *   seeing the caller's BYE; an INVITE whose answer was lost end to end ends (Expires and
 *   CANCEL, RFC 3261 §13.2.1, §9.1) and is placed once more;
 * - no dialog is left in the P- and S-CSCF (`ims_dialogs`) once the calls ended, and no
 *   transaction in any CSCF (`sip_transactions_active`) or UE within 64*T1 of the end;
 * - every role is still running.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { UeSimulator } from '@lib/ims';
import type { SipResponse } from '@lib/sip';
import { udpLossRules } from '../../scripts/netns-run';
import { readReginfo } from '../scscf/reginfo-reader';
import { DOMAIN, Lab, type Role } from '../support/lab';
import { akaSubscriber, shortcutBody, type TestSubscriber } from '../support/subscribers';

export interface LossOptions {
  percent: number;
  ues: number;
  /** The UEs' T1 (ms); the core keeps its defaults (T1 500 ms). */
  ueT1?: number;
  /** Calls placed between registered UEs (UE 2k calls UE 2k+1) before de-registration. */
  calls?: number;
  /**
   * SIP between the CSCFs (`IMS_CORE_TRANSPORT`): over UDP every hop loses datagrams; over
   * TCP (the default) only the UEs' hops do, the kernel retransmitting between the CSCFs.
   */
  coreTransport?: 'udp' | 'tcp';
  log?(line: string): void;
}

export interface LossReport {
  percent: number;
  ues: number;
  registered: number;
  /**
   * Registrations and de-registrations that ended in a timeout or 5xx on the first attempt
   * and were retried once by the UE (as a UE does after a failed registration, TS 24.229
   * §5.1.1.2.1 / RFC 5626 §4.5); each chained hop retransmits on its own timers, and at 30 %
   * loss the sum can exceed the UE's 64*T1.
   */
  retried: string[];
  /** Calls placed, answered 200 (and ACKed), and ended with a 200 to BYE, under loss. */
  calls: {
    placed: number;
    /** Calls answered 200 at the caller (after at most one retry). */
    answered: number;
    /**
     * Answered calls whose callee received an ACK for its 2xx. The ACK is end to end (RFC 3261
     * §17.1.1.3): a lost one is recovered only by the callee's 2xx retransmissions (§13.3.1.4)
     * crossing every hop again, so at high loss some callees never see it before the BYE.
     */
    acked: number;
    /**
     * Calls whose BYE ended the callee's call ('remote-bye') and got 200 at the caller (or a
     * 408 there, listed in `byeTimedOut`).
     */
    ended: number;
    /** Calls whose BYE reached the callee but whose 200 did not reach the caller in 64*T1. */
    byeTimedOut: string[];
    /**
     * Calls whose first INVITE ended without an answer (Expires reached and CANCEL, a 408, a
     * BYE from a callee whose 2xx never got through) and were placed once more.
     */
    retried: string[];
    problems: string[];
    /** Call set-up time (INVITE sent to 200 received at the caller), ms. */
    setupMs?: { min: number; median: number; max: number };
    /** Both UEs' view of each call that went wrong: `+ms caller|callee >|< summary`. */
    traces: string[][];
  };
  failures: string[];
  /** Registration time per UE, ms (includes the 401 round trip). */
  registerMs: { min: number; median: number; max: number };
  /** Datagrams the nftables rule dropped during the run, and all it counted. */
  dropped: number;
  /** UEs whose reg event showed exactly one active contact, their own. */
  singleBinding: number;
  bindingProblems: string[];
  hssRegistered: number;
  /**
   * The registrars' own counts from /metrics after registration and after de-registration
   * (S-CSCF `ims_registration_bindings` and `ims_registrations`, P-CSCF `ims_registrations`);
   * undefined entries when a role serves no /metrics.
   */
  metrics: {
    registered?: Record<string, number | undefined>;
    deregistered?: Record<string, number | undefined>;
  };
  deregistered: number;
  hssNotRegisteredAfter: number;
  rolesAlive: Partial<Record<Role, boolean>>;
  /**
   * What was left afterwards in the CSCFs' /metrics (by role and metric): confirmed dialogs
   * (`ims_dialogs`, P- and S-CSCF) once the calls ended, and live RFC 3261 §17 transactions
   * (`sip_transactions_active`) after the de-registrations and 64*T1; `ms` is how long they
   * took to reach 0. `ueTransactions`: the UEs' own transaction tables at that point.
   */
  drain: {
    dialogs?: DrainResult;
    transactions?: DrainResult;
    ueTransactions?: number;
  };
  seconds: number;
  ok: boolean;
  /**
   * When something failed: each role's warning and error log lines (the last 40), so that a
   * failure seen only in CI says which element refused and why.
   */
  roleWarnings?: Partial<Record<Role, string[]>>;
}

export interface DrainResult {
  ok: boolean;
  ms: number;
  /** role -> metric (short label) -> last value read (undefined: not served by that role). */
  values: Record<string, Record<string, number | undefined>>;
}

/** The refusal's own explanation (Warning, RFC 3261 §20.43), for the failure lists. */
function why(res: SipResponse | undefined): string {
  const w = res?.get('Warning');
  return w ? ` (Warning: ${w})` : '';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The core's T1 (the lab keeps the RFC 3261 default). */
const CORE_T1 = 500;

function nft(args: string[], input?: string): string {
  const r = spawnSync('nft', args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nft ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Packets the loss rule's counter saw (= dropped). */
function droppedSoFar(): number {
  const m = /counter packets (\d+)/.exec(nft(['list', 'table', 'inet', 'sip_loss']));
  return m ? Number(m[1]) : 0;
}

async function impuState(lab: Lab, s: TestSubscriber): Promise<string | undefined> {
  const r = await lab.rest<{ impus?: { impu: string; registrationState: string }[] }>(
    'GET',
    `/subscribers/${s.imsi}`,
  );
  return r.body?.impus?.find((p) => p.impu === s.impu)?.registrationState;
}

export async function runLoss(options: LossOptions): Promise<LossReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  // LOSS_TRACE_DIR: every CSCF logs each datagram it sends and receives (SIP_TRACE), kept
  // there after the run, to follow a lost message hop by hop.
  const traceDir = process.env.LOSS_TRACE_DIR;
  const lab = await Lab.start({
    env: {
      IMS_CORE_TRANSPORT: options.coreTransport ?? 'tcp',
      ...(traceDir ? { SIP_TRACE: 'true' } : {}),
    },
  });
  const report: LossReport = {
    percent: options.percent,
    ues: options.ues,
    registered: 0,
    retried: [],
    calls: {
      placed: 0,
      answered: 0,
      acked: 0,
      ended: 0,
      retried: [],
      byeTimedOut: [],
      problems: [],
      traces: [],
    },
    drain: {},
    failures: [],
    registerMs: { min: 0, median: 0, max: 0 },
    dropped: 0,
    singleBinding: 0,
    bindingProblems: [],
    hssRegistered: 0,
    metrics: {},
    deregistered: 0,
    hssNotRegisteredAfter: 0,
    rolesAlive: {},
    seconds: 0,
    ok: false,
  };
  const ues: UeSimulator[] = [];
  const traceEpoch = new Map<UeSimulator, number>();
  try {
    await lab.waitForCxPeers(2);
    const subs = Array.from({ length: options.ues }, () => akaSubscriber());
    for (const s of subs) {
      const r = await lab.rest('POST', '/subscribers', shortcutBody(s));
      if (r.status !== 201) throw new Error(`provisioning answered ${r.status}`);
    }
    const { pcscf, icscf, scscf } = lab.ports;
    nft(['-f', '-'], udpLossRules({ ports: [pcscf, icscf, scscf], percent: options.percent }));
    log(
      `${options.percent} % UDP loss on ports ${pcscf}, ${icscf}, ${scscf}; ${options.ues} UEs; ` +
        `core over ${options.coreTransport ?? 'tcp'}`,
    );

    for (const s of subs) {
      const born = Date.now();
      ues.push(
        await UeSimulator.start({
          impi: s.impi,
          impu: s.impu,
          domain: DOMAIN,
          pcscf: { host: '127.0.0.1', port: pcscf, transport: 'UDP' },
          credentials: { k: s.k, op: s.op },
          expires: 600,
          timers: { T1: options.ueT1 ?? 500 },
          autoAnswer: { ringStatus: 180 },
        }),
      );
      traceEpoch.set(ues[ues.length - 1], born - started);
    }
    const times: number[] = [];
    await Promise.all(
      ues.map(async (ue, i) => {
        await sleep(i * 50); // not all in the same millisecond
        const t0 = Date.now();
        try {
          const r = await retryOnce(() => ue.register(), `${subs[i].imsi} register`, report);
          if (r.status === 200) {
            report.registered++;
            times.push(Date.now() - t0);
          } else
            report.failures.push(
              `${subs[i].imsi}: ${r.status} ${r.final.reason}${why(r.final)}, answers ${r.responses.map((x) => x.status).join(',')}`,
            );
        } catch (err) {
          report.failures.push(`${subs[i].imsi}: ${(err as Error).message}`);
        }
      }),
    );
    times.sort((a, b) => a - b);
    if (times.length)
      report.registerMs = {
        min: times[0],
        median: times[Math.floor(times.length / 2)],
        max: times[times.length - 1],
      };
    log(
      `registered ${report.registered}/${options.ues} (median ${report.registerMs.median} ms, max ${report.registerMs.max} ms)`,
    );

    // No duplicated binding: the S-CSCF's own view through the reg event (RFC 3680 §5.3),
    // still under loss (SUBSCRIBE and NOTIFY are retransmitted like everything else).
    await Promise.all(
      ues.map(async (ue, i) => {
        const s = subs[i];
        try {
          const sub = await retryOnce(
            () => ue.subscribeRegEvent(600),
            `${s.imsi} SUBSCRIBE`,
            report,
          );
          if (sub.status >= 300) throw new Error(`SUBSCRIBE answered ${sub.status}`);
          const notify = await ue.waitForRequest(
            (r) => r.method === 'NOTIFY' && r.body.length > 0,
            40_000,
          );
          const info = readReginfo(notify);
          const reg = info.registrations.find((r) => r.aor === s.impu);
          const active = (reg?.contacts ?? []).filter((c) => c.state === 'active');
          if (active.length === 1 && active[0].uri === ue.contactUri) report.singleBinding++;
          else
            report.bindingProblems.push(
              `${s.impu}: ${active.length} active contacts ${JSON.stringify(active.map((c) => c.uri))}`,
            );
        } catch (err) {
          report.bindingProblems.push(`${s.impu}: ${(err as Error).message}`);
        }
        if ((await impuState(lab, s)) === 'REGISTERED') report.hssRegistered++;
      }),
    );
    log(
      `single binding ${report.singleBinding}/${options.ues}, HSS REGISTERED ${report.hssRegistered}`,
    );
    report.metrics.registered = await registrarCounts(lab);

    // Calls under loss (INVITE/180/200/ACK/BYE through P, S, I, S, P): each INVITE hop stops
    // retransmitting at a provisional (Timer A, §17.1.1.2), the 2xx and the ACK are end to
    // end (§13.3.1.4: the callee re-sends its 2xx until the ACK, for 64*T1), BYE is a
    // non-INVITE transaction on each hop.
    const pairs = Math.min(options.calls ?? 0, Math.floor(ues.length / 2));
    const setupTimes: number[] = [];
    const callT1 = options.ueT1 ?? 500;
    await Promise.all(
      Array.from({ length: pairs }, async (_, k) => {
        const caller = ues[2 * k];
        const calleeUe = ues[2 * k + 1];
        const callee = subs[2 * k + 1];
        const who = `${subs[2 * k].imsi} -> ${callee.imsi}`;
        report.calls.placed++;
        await sleep(k * 100);
        for (let attempt = 1; attempt <= 2; attempt++) {
          const outcome = await placeCall(caller, calleeUe, callee.impu, callT1);
          if (outcome.setupMs !== undefined) setupTimes.push(outcome.setupMs);
          if (outcome.retry && attempt === 1) {
            // The INVITE ended without an answer (a 2xx lost end to end on every one of its
            // 64*T1 retransmissions, or a hop's Timer B), or the callee hung up because no
            // ACK reached it: the UE calls again once.
            report.calls.retried.push(`${who}: ${outcome.retry}`);
            report.calls.traces.push(callTrace(traceEpoch, caller, calleeUe, outcome.callId));
            await sleep(1000);
            continue;
          }
          if (outcome.setupMs !== undefined) report.calls.answered++;
          if (outcome.acked) report.calls.acked++;
          if (outcome.ended) report.calls.ended++;
          if (outcome.late) report.calls.byeTimedOut.push(`${who}: ${outcome.late}`);
          const problem = outcome.problem ?? (outcome.retry && `again ${outcome.retry}`);
          if (problem) {
            report.calls.problems.push(`${who}: ${problem}`);
            report.calls.traces.push(callTrace(traceEpoch, caller, calleeUe, outcome.callId));
          }
          return;
        }
      }),
    );
    setupTimes.sort((a, b) => a - b);
    if (setupTimes.length)
      report.calls.setupMs = {
        min: setupTimes[0],
        median: setupTimes[Math.floor(setupTimes.length / 2)],
        max: setupTimes[setupTimes.length - 1],
      };
    if (pairs) {
      log(
        `calls: ${report.calls.answered}/${pairs} answered (set-up median ${report.calls.setupMs?.median} ms, max ${report.calls.setupMs?.max} ms), ${report.calls.ended} ended, ${report.calls.retried.length} retried, ACK seen by ${report.calls.acked} callees`,
      );
      // Every record-routing proxy ended each dialog with the BYE's final response
      // (DialogTracker, /metrics ims_dialogs), still under loss.
      report.drain.dialogs = await waitForZero(
        lab,
        { dialogs: 'ims_dialogs' },
        64 * CORE_T1 + 10_000,
      );
      log(`dialogs after the calls: ${JSON.stringify(report.drain.dialogs.values)}`);
    }

    await Promise.all(
      ues.map(async (ue, i) => {
        try {
          const what = `${subs[i].imsi} de-register`;
          const r = await retryOnce(() => ue.deregister(), what, report);
          // A retry whose first attempt did reach the S-CSCF (only its 200 was lost) finds the
          // identity already de-registered: the I-CSCF's UAR (DE_REGISTRATION) gets
          // DIAMETER_ERROR_IDENTITY_NOT_REGISTERED and answers 403 (TS 29.228 §6.1.1.1,
          // TS 24.229 §5.3.1.2). That is the de-registration having happened; the HSS state
          // checked below must still say NOT_REGISTERED.
          const alreadyGone =
            r.status === 403 &&
            report.retried.some((x) => x.startsWith(what)) &&
            /not registered/i.test(r.final.get('Warning') ?? '');
          if (r.status === 200 || alreadyGone) report.deregistered++;
          else report.failures.push(`${subs[i].imsi} de-registration: ${r.status}${why(r.final)}`);
        } catch (err) {
          report.failures.push(`${subs[i].imsi} de-registration: ${(err as Error).message}`);
        }
      }),
    );
    report.dropped = droppedSoFar();
    nft(['delete', 'table', 'inet', 'sip_loss']);
    // Every transaction table drains: after 64*T1 (Timers B, F, H, J, L, M) and T4 (I, K) no
    // client or server transaction may be left in any CSCF (/metrics sip_transactions_active)
    // or UE.
    report.drain.transactions = await waitForZero(
      lab,
      {
        client: 'sip_transactions_active{kind="client"}',
        server: 'sip_transactions_active{kind="server"}',
      },
      64 * CORE_T1 + 15_000,
    );
    // The UEs' tables drain on the same timers but may lag the CSCFs by a few seconds: a
    // NOTIFY or response that reached a UE only on a retransmission started its server
    // transaction (Timer J, 64*T1) later than the CSCF's.
    const ueCount = () => ues.reduce((n, ue) => n + ue.stack.transactions.count, 0);
    const ueDeadline = Date.now() + 64 * CORE_T1 + 15_000;
    while (ueCount() > 0 && Date.now() < ueDeadline) await new Promise((r) => setTimeout(r, 250));
    report.drain.ueTransactions = ueCount();
    log(
      `transactions ${report.drain.transactions.ok ? 'drained' : 'NOT drained'} in ${report.drain.transactions.ms} ms: ${JSON.stringify(report.drain.transactions.values)}; UEs ${report.drain.ueTransactions}`,
    );
    for (const s of subs)
      if ((await impuState(lab, s)) === 'NOT_REGISTERED') report.hssNotRegisteredAfter++;
    report.metrics.deregistered = await registrarCounts(lab);
    for (const [role, r] of lab.procs)
      report.rolesAlive[role] = r.proc.exitCode === null && r.proc.signalCode === null;
    log(`de-registered ${report.deregistered}/${options.ues}, ${report.dropped} datagrams dropped`);
  } finally {
    if (report.failures.length > 0 || report.bindingProblems.length > 0) {
      report.roleWarnings = {};
      for (const role of lab.procs.keys())
        report.roleWarnings[role] = lab.warnings(role, 40, /\b403\b|refus|wrong response/i);
    }
    if (traceDir)
      for (const role of ['pcscf', 'icscf', 'scscf'] as const)
        fs.writeFileSync(`${traceDir}/${role}.log`, lab.logs(role));
    for (const ue of ues) await ue.close().catch(() => undefined);
    await lab.stop();
    fs.rmSync(lab.dataDir, { recursive: true, force: true });
  }
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  report.ok =
    report.registered === options.ues &&
    report.singleBinding === options.ues &&
    report.hssRegistered === options.ues &&
    report.deregistered === options.ues &&
    report.hssNotRegisteredAfter === options.ues &&
    Object.values(report.rolesAlive).every(Boolean) &&
    report.failures.length === 0 &&
    report.calls.ended === report.calls.placed &&
    report.drain.transactions?.ok === true &&
    report.drain.ueTransactions === 0 &&
    (report.calls.placed === 0 || report.drain.dialogs?.ok === true);
  return report;
}

/** What the registrars count in /metrics (undefined entries when /metrics is not served). */
async function registrarCounts(lab: Lab): Promise<Record<string, number | undefined>> {
  const s = await lab.metrics('scscf').catch(() => undefined);
  const p = await lab.metrics('pcscf').catch(() => undefined);
  return {
    scscfBindings: s?.get('ims_registration_bindings'),
    scscfRegistrations: s?.get('ims_registrations'),
    pcscfRegistrations: p?.get('ims_registrations'),
  };
}

/** One more attempt after a timeout (408) or server failure (5xx), noted in `retried`. */
async function retryOnce<T extends { status: number }>(
  attempt: () => Promise<T>,
  what: string,
  report: LossReport,
): Promise<T> {
  const first = await attempt();
  if (first.status !== 408 && first.status < 500) return first;
  report.retried.push(`${what}: ${first.status}`);
  await sleep(1000);
  return attempt();
}

/** `p`, or a rejection naming `what` after `ms` (a call must not hang the runner). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/** The caller's and callee's messages of one call, in time order (diagnostics). */
function callTrace(
  epoch: Map<UeSimulator, number>,
  caller: UeSimulator,
  callee: UeSimulator,
  callId: string,
): string[] {
  const rows: { at: number; line: string }[] = [];
  for (const [name, ue] of [
    ['caller', caller],
    ['callee', callee],
  ] as const)
    for (const e of ue.trace.entries)
      if (e.text.includes(callId)) {
        const cseq = /\r\nCSeq:\s*([^\r]+)/i.exec(e.text)?.[1] ?? '';
        rows.push({
          at: e.at + (epoch.get(ue) ?? 0),
          line: `${name} ${e.direction === 'out' ? '>' : '<'} ${e.summary} (${cseq})`,
        });
      }
  rows.sort((a, b) => a.at - b.at);
  return rows.map((r) => `+${r.at} ${r.line}`);
}

/**
 * Polls the CSCFs' /metrics until every listed metric each one serves is 0 (or `limitMs`
 * passed), and reports the last values.
 */
async function waitForZero(
  lab: Lab,
  metrics: Record<string, string>,
  limitMs: number,
): Promise<DrainResult> {
  const started = Date.now();
  for (;;) {
    const values: DrainResult['values'] = {};
    let zero = true;
    for (const role of ['pcscf', 'icscf', 'scscf'] as const) {
      const m = await lab.metrics(role).catch(() => undefined);
      values[role] = {};
      for (const [label, name] of Object.entries(metrics)) {
        const v = m?.get(name);
        values[role][label] = v;
        if (v !== undefined && v !== 0) zero = false;
      }
      if (!m) zero = false;
    }
    const ms = Date.now() - started;
    if (zero || ms > limitMs) return { ok: zero, ms, values };
    await sleep(1000);
  }
}

interface CallOutcome {
  callId: string;
  /** INVITE sent to 200 received, when answered. */
  setupMs?: number;
  /** Why the INVITE should be tried again (it ended without an answer). */
  retry?: string;
  acked?: boolean;
  ended?: boolean;
  /** Ended, but the caller's BYE timed out (its 200 lost beyond Timer F). */
  late?: string;
  problem?: string;
}

/** How long an answered call lasts at most before the caller's BYE. */
const HOLD_MS = 10_000;

/**
 * One call from `caller` to `impu`: INVITE with Expires (RFC 3261 §13.2.1) so that an answer
 * lost end to end ends in a CANCEL instead of a wait for a proxy's timer C; BYE once the
 * callee saw the ACK or after HOLD_MS; the callee must see the BYE.
 */
async function placeCall(
  caller: UeSimulator,
  calleeUe: UeSimulator,
  impu: string,
  t1: number,
): Promise<CallOutcome> {
  // The callee answers at once and re-sends its 2xx for 64*T1: past that (plus the INVITE's
  // own way there) no answer can come any more.
  const expires = Math.ceil((64 * t1 + 8000) / 1000);
  const t0 = Date.now();
  const call = caller.call(impu, { expires });
  const outcome: CallOutcome = { callId: call.callId };
  try {
    const answered = await within(
      call.answered,
      expires * 1000 + 64 * t1 + 20_000,
      'no final response to INVITE',
    );
    if (answered.status !== 200) {
      outcome.retry = `${answered.status} ${answered.reason}`;
      return outcome;
    }
    outcome.setupMs = Date.now() - t0;
    const incoming = calleeUe.calls.find((c) => c.callId === call.callId);
    // The call lasts until the callee saw the ACK, at most HOLD_MS: meanwhile the callee's
    // 2xx retransmissions give a lost ACK its chances (each one that arrives is ACKed again).
    await Promise.race([
      incoming?.waitForRequest('ACK', HOLD_MS).catch(() => undefined),
      call.ended,
      sleep(HOLD_MS),
    ]);
    outcome.acked = incoming?.requests.some((r) => r.method === 'ACK') ?? false;
    if (call.state === 'terminated') {
      // The 2xx came late and no ACK got through before the callee's 64*T1 ran out: it hung
      // up (RFC 3261 §13.3.1.4, 'no-ack'). The call was set up but not kept: call again.
      outcome.retry = `answered, then ${await call.ended}: the ACK never reached the callee`;
      outcome.setupMs = undefined;
      return outcome;
    }
    const bye = await within(call.bye(), 64 * t1 + 20_000, 'no final response to BYE');
    const calleeEnd = await (incoming
      ? within(incoming.ended, 64 * t1 + 20_000, 'callee call not ended')
      : Promise.reject(new Error('the callee has no such call')));
    if (calleeEnd === 'remote-bye' && (bye.status === 200 || bye.status === 408)) {
      outcome.ended = true;
      // The BYE reached the callee, its 200 did not come back within the caller's Timer F
      // (each of five hops waits for the previous one's T2-spaced retransmission, §17.1.2.2);
      // the caller ends the dialog anyway (§12.2.1.2).
      if (bye.status === 408)
        outcome.late = 'the BYE timed out at the caller (408), the callee got it';
    } else outcome.problem = `BYE ${bye.status}, callee's call ended ${calleeEnd}`;
  } catch (err) {
    outcome.problem = (err as Error).message;
  }
  return outcome;
}
