/**
 * SIPp as two registered UEs calling through the whole core (issue 5): a UAS
 * (test/sipp/call-uas.xml) and a UAC (test/sipp/call-uac.xml), each registered with IMS AKA
 * beforehand from its own fixed port (test/sipp/call-register.xml), complete a few hundred
 * basic calls - INVITE, 100, 180, 200, ACK, BYE, 200 - through the originating P-CSCF and
 * S-CSCF, the I-CSCF (LIR), the terminating S-CSCF and P-CSCF (DESIGN.md "Calls"), with no
 * failed call. The UAC routes its INVITEs by the Service-Route of its registration
 * (TS 24.229 §5.1.2A.1.1, RFC 3608) and its ACK and BYE by the Record-Route of the 200.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  registerCallParty,
  runSippCalls,
  scenarioRows,
  SippCallParty,
  sippAvailable,
} from '../../scripts/sipp';
import { DOMAIN, freePort, Lab } from '../support/lab';
import { bulkCsv, sippSubscribers, writeInjectionFile } from '../support/sipp-subscribers';

jest.setTimeout(120000);

const CALLS = 300;
const RATE = 10;
/** Warnings and errors only: a log line per request would only slow the roles down. */
const QUIET = {
  HSS_LOG_LEVEL: 'warn',
  SCSCF_LOG_LEVEL: 'warn',
  ICSCF_LOG_LEVEL: 'warn',
  PCSCF_LOG_LEVEL: 'warn',
};
const SIPP = path.join(__dirname, '..', 'sipp');

describe('SIPp uac/uas: basic calls through P, S, I, S, P', () => {
  let lab: Lab;
  let dir: string;

  beforeAll(async () => {
    if (!sippAvailable())
      throw new Error('sipp is not installed (Debian package sip-tester; .ci/run installs it)');
    lab = await Lab.start({ env: QUIET });
    await lab.waitForCxPeers(2);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-calls-'));
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it(`completes ${CALLS} calls with no failure`, async () => {
    const subs = sippSubscribers(2, '0010188');
    const imported = await fetch(`${lab.hssUrl}/subscribers/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: bulkCsv(subs),
    });
    expect(imported.status).toBe(201);
    const target = { host: '127.0.0.1', port: lab.ports.pcscf };
    const [caller, callee]: SippCallParty[] = [
      { user: subs[0].imsi, port: await freePort() },
      { user: subs[1].imsi, port: await freePort() },
    ];
    const routes: string[] = [];
    for (const [i, party] of [caller, callee].entries()) {
      const users = path.join(dir, `party${i}.csv`);
      writeInjectionFile(users, [subs[i]]);
      const reg = await registerCallParty({
        scenario: path.join(SIPP, 'call-register.xml'),
        target,
        party,
        injectionFile: users,
        authUri: DOMAIN,
        timeoutSec: 20,
        workDir: fs.mkdtempSync(path.join(dir, 'reg-')),
      });
      routes.push(reg.serviceRoute);
    }
    // The S-CSCF's originating entry (TS 24.229 §5.4.1.2.2 step "Service-Route").
    expect(routes[0]).toMatch(/^<sip:[^>]+;lr>/);

    const rcvbufBefore = rcvbufErrors();
    const { uac, uas } = await runSippCalls({
      uacScenario: path.join(SIPP, 'call-uac.xml'),
      uasScenario: path.join(SIPP, 'call-uas.xml'),
      target,
      caller,
      callee,
      domain: DOMAIN,
      serviceRoute: routes[0],
      calls: CALLS,
      rate: RATE,
      limit: 100,
      pauseMs: 50,
      timeoutSec: 60,
      workDir: dir,
    });

    // The UAS is stopped (SIGINT) once the UAC is done: it is judged by its counts.
    const why = (r: typeof uac, ok: boolean) =>
      ok ? '' : `${r.command}\n${r.stderr.slice(0, 1500)}\n${r.errors.slice(0, 3000)}`;
    const uacOk = uac.exitCode === 0 && uac.failed === 0;
    const uasOk = uas.successful === CALLS && uas.failed === 0;
    expect({
      uac: { exit: uac.exitCode, ok: uac.successful, failed: uac.failed, why: why(uac, uacOk) },
      uas: { ok: uas.successful, failed: uas.failed, why: why(uas, uasOk) },
    }).toEqual({
      uac: { exit: 0, ok: CALLS, failed: 0, why: '' },
      uas: { ok: CALLS, failed: 0, why: '' },
    });
    // Every call rang, bar the few 180s a loaded machine may drop: provisional responses are
    // not retransmitted over UDP (RFC 3261 §17.2.1) and a full socket receive buffer loses
    // them (the kernel's UDP RcvbufErrors counter).
    const rang = scenarioRows(uac.stdout, '180')[0]?.[0] ?? 0;
    const udpReceiveBufferErrors = rcvbufErrors() - rcvbufBefore;
    expect({ rang, udpReceiveBufferErrors, enough: rang >= CALLS * 0.9 }).toMatchObject({
      enough: true,
    });
  });
});

/** The kernel's count of UDP datagrams dropped for a full receive buffer (Linux /proc/net/snmp). */
function rcvbufErrors(): number {
  try {
    const lines = fs.readFileSync('/proc/net/snmp', 'latin1').split('\n');
    const [head, values] = lines.filter((l) => l.startsWith('Udp:'));
    const i = head.split(/\s+/).indexOf('RcvbufErrors');
    return Number(values.split(/\s+/)[i]);
  } catch {
    return 0;
  }
}
