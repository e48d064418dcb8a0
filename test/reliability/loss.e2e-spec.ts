/**
 * Issue 9 "Packet loss": the whole core and its UEs in a private network namespace where
 * nftables drops 10 % or 30 % of the UDP datagrams to and from every CSCF SIP port
 * (scripts/netns-loss.ts, test/reliability/loss-engine.ts). At each level 10 UEs register,
 * 5 of them call the other 5, everyone de-registers, all under loss:
 *
 * - every registration completes through the RFC 3261 §17 retransmissions, each UE's reg
 *   event shows exactly one binding (its own contact), the HSS and the registrars' /metrics
 *   agree, and after de-registration nothing is left;
 * - every call is answered (INVITE/180/200/ACK) and ended (BYE/200, seen by the callee);
 * - no dialog stays in the P- and S-CSCF and every transaction table (each CSCF's
 *   sip_transactions_active, each UE's) drains to zero within 64*T1 after the end;
 * - every role keeps running.
 *
 * A registration, SUBSCRIBE or call that fails on the first attempt because the loss outlasted
 * the timers (64*T1 across three to six lossy hops) is retried once by the UE; only a few may
 * be (2 at 10 %, 5 at 30 %), and none may fail twice.
 * The two levels run side by side, each in its own namespace.
 */
import * as path from 'node:path';
import {
  netnsFlags,
  nftAvailable,
  reportLine,
  runInNetns,
  type NetnsResult,
} from '../../scripts/netns-run';
import { ensureBuilt, ROOT } from '../support/lab';
import type { LossReport } from './loss-engine';

jest.setTimeout(600_000);

const netns = netnsFlags();
const nft = netns.flags ? nftAvailable(netns.flags) : { ok: false, reason: netns.reason };
if (!nft.ok) console.warn(`packet-loss e2e skipped: ${nft.reason}`);
const describeLoss = nft.ok ? describe : describe.skip;

const UES = 10;
const CALLS = 5;
const LEVELS = [10, 30];
/**
 * SIP between the CSCFs per level: at 30 % over UDP, so every hop loses datagrams and the
 * RFC 3261 §17 timers carry each one; at 10 % over TCP (the default), so the UEs' hops lose
 * them and the CSCFs' TCP connections ride through.
 */
const CORE_TRANSPORT: Record<number, 'udp' | 'tcp'> = { 10: 'tcp', 30: 'udp' };
/** Retries allowed per level (registration, SUBSCRIBE, de-registration, call, late BYE). */
const MAX_RETRIES: Record<number, number> = { 10: 2, 30: 5 };

describeLoss(
  'registrations and calls under UDP packet loss (nftables in a private namespace)',
  () => {
    const runs = new Map<number, { r: NetnsResult; report?: LossReport }>();

    beforeAll(async () => {
      ensureBuilt();
      await Promise.all(
        LEVELS.map(async (percent) => {
          const r = await runInNetns(
            process.execPath,
            [
              path.join(ROOT, 'dist', 'scripts', 'netns-loss.js'),
              '--percent',
              String(percent),
              '--ues',
              String(UES),
              '--calls',
              String(CALLS),
              '--core-transport',
              CORE_TRANSPORT[percent],
            ],
            { flags: netns.flags, timeoutMs: 540_000 },
          );
          runs.set(percent, { r, report: reportLine<LossReport>(r.stdout, 'LOSS-REPORT') });
        }),
      );
    });

    it.each(LEVELS)(
      '%i %% loss: every UE registers once, every call completes, everything drains',
      (percent) => {
        const { r, report } = runs.get(percent)!;
        if (!report)
          throw new Error(`no report (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-4000)}`);
        // A failure seen only elsewhere (CI) must say which element refused and why.
        if (report.roleWarnings)
          console.error(
            `${percent} % loss: the roles' warnings\n${JSON.stringify(report.roleWarnings, null, 1)}`,
          );
        // Loss really happened.
        expect(report.dropped).toBeGreaterThan(0);
        expect(report.failures).toEqual([]);
        // At most a few of the ~35 chained transactions per level (two REGISTERs, a SUBSCRIBE
        // and a de-REGISTER per UE, INVITE and BYE per call) outlasted the timers and needed
        // their one retry (or, for a BYE, timed out at the caller after reaching the callee).
        const irregular =
          report.retried.length + report.calls.retried.length + report.calls.byeTimedOut.length;
        expect(irregular).toBeLessThanOrEqual(MAX_RETRIES[percent]);
        expect(report.registered).toBe(UES);
        expect(report.bindingProblems).toEqual([]);
        expect(report.singleBinding).toBe(UES);
        expect(report.hssRegistered).toBe(UES);
        expect(report.deregistered).toBe(UES);
        expect(report.hssNotRegisteredAfter).toBe(UES);
        // The registrars' own counts (GET /metrics): ten bindings, then none.
        expect(report.metrics.registered).toEqual({
          scscfBindings: UES,
          scscfRegistrations: UES,
          pcscfRegistrations: UES,
        });
        expect(report.metrics.deregistered).toEqual({
          scscfBindings: 0,
          scscfRegistrations: 0,
          pcscfRegistrations: 0,
        });
        // Calls: answered and ended on both sides.
        expect(report.calls.problems).toEqual([]);
        expect(report.calls).toMatchObject({ placed: CALLS, answered: CALLS, ended: CALLS });
        // Nothing left behind: dialogs once the calls ended, transactions within 64*T1.
        expect(report.drain.dialogs).toMatchObject({
          ok: true,
          values: { pcscf: { dialogs: 0 }, scscf: { dialogs: 0 } },
        });
        expect(report.drain.transactions).toMatchObject({
          ok: true,
          values: {
            pcscf: { client: 0, server: 0 },
            icscf: { client: 0, server: 0 },
            scscf: { client: 0, server: 0 },
          },
        });
        expect(report.drain.ueTransactions).toBe(0);
        expect(Object.values(report.rolesAlive)).toEqual([true, true, true, true]);
        expect(report.ok).toBe(true);
        expect(r.code).toBe(0);
      },
    );
  },
);
