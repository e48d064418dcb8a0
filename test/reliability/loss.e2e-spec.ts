/**
 * Issue 9 "Packet loss": the whole core and its UEs in a private network namespace where
 * nftables drops 10 % and then 30 % of the UDP datagrams to and from every CSCF SIP port
 * (scripts/netns-loss.ts, test/reliability/loss-engine.ts). Every registration completes
 * through the RFC 3261 §17 retransmissions, each UE's reg event shows exactly one binding
 * (its own contact), the HSS shows the IMPUs registered and, after de-registration (also
 * under loss), not registered; every role keeps running.
 */
import * as path from 'node:path';
import { netnsFlags, nftAvailable, reportLine, runInNetns } from '../../scripts/netns-run';
import { ensureBuilt, ROOT } from '../support/lab';
import type { LossReport } from './loss-engine';

jest.setTimeout(400_000);

const netns = netnsFlags();
const nft = netns.flags ? nftAvailable(netns.flags) : { ok: false, reason: netns.reason };
if (!nft.ok) console.warn(`packet-loss e2e skipped: ${nft.reason}`);
const describeLoss = nft.ok ? describe : describe.skip;

describeLoss('registration under UDP packet loss (nftables in a private namespace)', () => {
  beforeAll(() => ensureBuilt());

  // Calls under loss run at 10 % (at 30 % one run hung in call set-up while another load ran;
  // not verified yet, see docs/reliability.md).
  it.each([
    [10, 5],
    [30, 0],
  ])('%i %% loss: every UE registers once and de-registers (%i calls)', async (percent, calls) => {
    const r = await runInNetns(
      process.execPath,
      [
        path.join(ROOT, 'dist', 'scripts', 'netns-loss.js'),
        '--percent',
        String(percent),
        '--ues',
        '10',
        '--calls',
        String(calls),
      ],
      { flags: netns.flags, timeoutMs: 300_000 },
    );
    const report = reportLine<LossReport>(r.stdout, 'LOSS-REPORT');
    if (!report)
      throw new Error(`no report (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-4000)}`);
    // Loss really happened.
    expect(report.dropped).toBeGreaterThan(0);
    expect(report.failures).toEqual([]);
    // At most a few UEs needed their one retry (a timeout across three lossy hops).
    expect(report.retried.length).toBeLessThanOrEqual(3);
    expect(report.registered).toBe(10);
    expect(report.bindingProblems).toEqual([]);
    expect(report.singleBinding).toBe(10);
    expect(report.hssRegistered).toBe(10);
    expect(report.deregistered).toBe(10);
    expect(report.hssNotRegisteredAfter).toBe(10);
    // The registrars' own counts (GET /metrics): ten bindings, then none.
    expect(report.metrics.registered).toEqual({
      scscfBindings: 10,
      scscfRegistrations: 10,
      pcscfRegistrations: 10,
    });
    expect(report.metrics.deregistered).toEqual({
      scscfBindings: 0,
      scscfRegistrations: 0,
      pcscfRegistrations: 0,
    });
    expect(Object.values(report.rolesAlive)).toEqual([true, true, true, true]);
    expect(report.calls.problems).toEqual([]);
    expect(report.calls).toMatchObject({ placed: calls, answered: calls, ended: calls });
    expect(report.ok).toBe(true);
    expect(r.code).toBe(0);
  });
});
