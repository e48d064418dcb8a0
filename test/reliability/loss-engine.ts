/**
 * Registrations under packet loss (issue 9 "Packet loss"). Runs inside a private network
 * namespace (scripts/netns-loss.ts): starts the whole core, then loads nftables rules that
 * drop a percentage of every UDP datagram to or from the CSCFs' SIP ports (every Gm and Mw
 * hop, requests and responses, both ways), and registers UEs over UDP. Each must complete
 * through the RFC 3261 §17 retransmissions (Timers A/E on the clients, retransmitted final
 * responses on the servers, §17.2.2), and afterwards:
 *
 * - each UE's reg event (RFC 3680) shows exactly one active contact, its own, for its IMPU
 *   (no binding duplicated by a retransmitted REGISTER);
 * - the HSS shows each IMPU REGISTERED, then NOT_REGISTERED after de-registration;
 * - every role is still running.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { UeSimulator } from '@lib/ims';
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
  calls: { placed: number; answered: number; ended: number; problems: string[] };
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
  seconds: number;
  ok: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  const lab = await Lab.start({});
  const report: LossReport = {
    percent: options.percent,
    ues: options.ues,
    registered: 0,
    retried: [],
    calls: { placed: 0, answered: 0, ended: 0, problems: [] },
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
  try {
    await lab.waitForCxPeers(2);
    const subs = Array.from({ length: options.ues }, () => akaSubscriber());
    for (const s of subs) {
      const r = await lab.rest('POST', '/subscribers', shortcutBody(s));
      if (r.status !== 201) throw new Error(`provisioning answered ${r.status}`);
    }
    const { pcscf, icscf, scscf } = lab.ports;
    nft(['-f', '-'], udpLossRules({ ports: [pcscf, icscf, scscf], percent: options.percent }));
    log(`${options.percent} % UDP loss on ports ${pcscf}, ${icscf}, ${scscf}; ${options.ues} UEs`);

    for (const s of subs)
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
          } else report.failures.push(`${subs[i].imsi}: ${r.status} ${r.final.reason}`);
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
          const sub = await ue.subscribeRegEvent(600);
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
    // end (§13.3.1.4), BYE is a non-INVITE transaction on each hop.
    const pairs = Math.min(options.calls ?? 0, Math.floor(ues.length / 2));
    await Promise.all(
      Array.from({ length: pairs }, async (_, k) => {
        const caller = ues[2 * k];
        const callee = subs[2 * k + 1];
        report.calls.placed++;
        try {
          const call = caller.call(callee.impu);
          const answered = await within(call.answered, 60_000, 'no final response to INVITE');
          if (answered.status !== 200) {
            report.calls.problems.push(`${subs[2 * k].imsi} -> ${callee.imsi}: ${answered.status}`);
            return;
          }
          report.calls.answered++;
          const bye = await within(call.bye(), 60_000, 'no final response to BYE');
          if (bye.status === 200) report.calls.ended++;
          else report.calls.problems.push(`${subs[2 * k].imsi} BYE: ${bye.status}`);
        } catch (err) {
          report.calls.problems.push(
            `${subs[2 * k].imsi} -> ${callee.imsi}: ${(err as Error).message}`,
          );
        }
      }),
    );
    if (pairs)
      log(`calls: ${report.calls.answered}/${pairs} answered, ${report.calls.ended} ended`);

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
          else report.failures.push(`${subs[i].imsi} de-registration: ${r.status}`);
        } catch (err) {
          report.failures.push(`${subs[i].imsi} de-registration: ${(err as Error).message}`);
        }
      }),
    );
    report.dropped = droppedSoFar();
    nft(['delete', 'table', 'inet', 'sip_loss']);
    await sleep(1000);
    for (const s of subs)
      if ((await impuState(lab, s)) === 'NOT_REGISTERED') report.hssNotRegisteredAfter++;
    report.metrics.deregistered = await registrarCounts(lab);
    for (const [role, r] of lab.procs)
      report.rolesAlive[role] = r.proc.exitCode === null && r.proc.signalCode === null;
    log(`de-registered ${report.deregistered}/${options.ues}, ${report.dropped} datagrams dropped`);
  } finally {
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
    report.calls.ended === report.calls.placed;
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
