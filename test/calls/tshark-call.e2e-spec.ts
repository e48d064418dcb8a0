/**
 * tshark judges one basic call through the whole core (DESIGN.md "Calls"; TS 24.229 §5.2.6,
 * §5.3.2, §5.4.3; TS 29.228 §6.3 LIR): the four roles run as real processes on loopback, two
 * SIPp UEs register with IMS AKA (test/sipp/call-register.xml), then `tshark -i lo` captures
 * the CSCFs' SIP ports and the HSS's Diameter port while the caller (test/sipp/call-uac.xml)
 * calls the callee (test/sipp/call-uas.xml) once: INVITE, 180, 200, ACK, BYE, 200.
 * Wireshark's dissectors then read the pcap:
 *  - no malformed packet and no error-level expert item;
 *  - the INVITE on every hop of P, S, I, S, P, in that order, and the 180 and the 200 back
 *    over every hop; the ACK and the BYE on every hop of the recorded route (the I-CSCF does
 *    not Record-Route, TS 24.229 §5.3.2.1), each hop in order;
 *  - Record-Route (RFC 3261 §16.6 step 4) naming the P-CSCF and the S-CSCF, not the I-CSCF,
 *    in the INVITE delivered to the callee and in the 200 delivered to the caller;
 *  - the I-CSCF's LIR for the callee's IMPU answered DIAMETER_SUCCESS with the S-CSCF's name.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registerCallParty, runSippCalls, SippCallParty, sippAvailable } from '../../scripts/sipp';
import { bpfForPorts, captureUnavailable, LiveCapture, TSHARK } from '../support/capture';
import {
  CapturedFrame,
  CapturedSipMessage,
  decodeAsArgs,
  DecodeAs,
  ExpertSeverity,
  readCapture,
  verboseDecode,
} from '../support/capture-decode';
import { DOMAIN, freePort, Lab } from '../support/lab';
import { bulkCsv, sippSubscribers, writeInjectionFile } from '../support/sipp-subscribers';

jest.setTimeout(90000);

const unavailable = captureUnavailable('lo');
if (unavailable)
  console.warn(
    `\n*** tshark-call.e2e-spec SKIPPED: live capture on lo is impossible here ***\n` +
      `*** ${unavailable} ***\n`,
  );
const describeWithCapture = unavailable ? describe.skip : describe;

const SIPP = path.join(__dirname, '..', 'sipp');
/** Cx Location-Info (TS 29.229 §6.1.5/§6.1.6). */
const LIR = 302;
const DIAMETER_SUCCESS = 2001;

/** A: caller, B: callee, P/I/S: the CSCFs (one P-CSCF and one S-CSCF serve both UEs). */
type Node = 'A' | 'B' | 'P' | 'I' | 'S';

interface Hop {
  from: Node | string;
  to: Node | string;
  message: CapturedSipMessage;
}

/** Requests by method; responses as `<status>/<CSeq number>` (1: INVITE, 2: BYE). */
const label = (m: CapturedSipMessage) => m.method ?? `${m.status}/${m.cseq}`;

describeWithCapture('a basic call judged by tshark (live capture on lo)', () => {
  let lab: Lab;
  let capture: LiveCapture | undefined;

  beforeAll(async () => {
    if (!sippAvailable())
      throw new Error('sipp is not installed (Debian package sip-tester; .ci/run installs it)');
    lab = await Lab.start();
    await lab.waitForCxPeers(2);
  });

  afterAll(async () => {
    await capture?.stop();
    capture?.remove();
    await lab?.stop();
  });

  it('decodes the call on every hop, in order, with Record-Route and the LIR', async () => {
    const p = lab.ports;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tshark-call-'));
    const subs = sippSubscribers(2, '0010199');
    const imported = await fetch(`${lab.hssUrl}/subscribers/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: bulkCsv(subs),
    });
    expect(imported.status).toBe(201);
    const target = { host: '127.0.0.1', port: p.pcscf };
    const [caller, callee]: SippCallParty[] = [
      { user: subs[0].imsi, port: await freePort() },
      { user: subs[1].imsi, port: await freePort() },
    ];
    let serviceRoute = '';
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
      if (i === 0) serviceRoute = reg.serviceRoute;
    }

    const sipPorts = [p.pcscf, p.icscf, p.scscf];
    const decodeAs: DecodeAs = { sip: sipPorts, diameter: [p.hssDiameter] };
    capture = await LiveCapture.start({
      filter: bpfForPorts({ udp: sipPorts, tcp: [...sipPorts, p.hssDiameter] }),
    });
    const { uac, uas } = await runSippCalls({
      uacScenario: path.join(SIPP, 'call-uac.xml'),
      uasScenario: path.join(SIPP, 'call-uas.xml'),
      target,
      caller,
      callee,
      domain: DOMAIN,
      serviceRoute,
      calls: 1,
      rate: 1,
      pauseMs: 200,
      timeoutSec: 20,
      workDir: dir,
      traceMessages: true,
    });
    expect([uac.exitCode, uac.successful, uas.successful]).toEqual([0, 1, 1]);
    await capture.stop();
    expect(capture.log).toMatch(/\b\d+ packets? captured/);

    // --- Wireshark finds nothing malformed and no error-level expert item.
    const frames = readCapture(capture.file, decodeAs);
    const bad = frames.filter(
      (f) => f.malformed || f.severities.some((s) => s >= ExpertSeverity.ERROR),
    );
    if (bad.length)
      throw new Error(
        `tshark reports malformed packets or error-level expert items in frames ` +
          `${bad.map((f) => f.number)}:\n${verboseDecode(
            capture.file,
            decodeAs,
            bad.map((f) => f.number),
          )}`,
      );

    // --- The call's SIP messages per hop.
    const names = new Map<number, Node>([
      [p.pcscf, 'P'],
      [p.icscf, 'I'],
      [p.scscf, 'S'],
      [caller.port, 'A'],
      [callee.port, 'B'],
    ]);
    const invites = frames.flatMap((f) => f.sip).filter((m) => m.method === 'INVITE');
    const callIds = [...new Set(invites.map((m) => m.callId))];
    expect(callIds).toHaveLength(1);
    const hops = callHops(frames, names, callIds[0]);
    const ladder = hops
      .map((h) => `#${h.message.frame} ${h.from} -> ${h.to} ${label(h.message)}`)
      .join('\n');
    const on = (from: Node, to: Node, kind: 'requests' | 'responses') =>
      hops
        .filter((h) => h.from === from && h.to === to)
        .filter((h) => (kind === 'requests' ? !!h.message.method : !h.message.method))
        .filter((h) => h.message.status !== 100)
        .map((h) => label(h.message));
    const edges = (path: Node[]) => path.slice(1).map((to, i) => [path[i], to] as [Node, Node]);
    const invitePath: Node[] = ['A', 'P', 'S', 'I', 'S', 'P', 'B'];
    // The I-CSCF does not Record-Route: in-dialog requests skip it.
    const dialogPath: Node[] = ['A', 'P', 'S', 'P', 'B'];
    // One P-CSCF and one S-CSCF serve both sides, so P->S carries the originating side's
    // requests and the terminating side's responses, and S->P the reverse.
    const dialog = ['INVITE', 'ACK', 'BYE'];
    const answered = ['180/1', '200/1', '200/2'];
    const expected: Record<string, { requests: string[]; responses: string[] }> = {
      'A->P': { requests: dialog, responses: [] },
      'P->S': { requests: dialog, responses: answered },
      'S->I': { requests: ['INVITE'], responses: ['180/1', '200/1'] },
      'I->S': { requests: ['INVITE'], responses: ['180/1', '200/1'] },
      'S->P': { requests: dialog, responses: answered },
      'P->B': { requests: dialog, responses: [] },
      'B->P': { requests: [], responses: answered },
      'P->A': { requests: [], responses: answered },
    };
    const actual = Object.fromEntries(
      Object.keys(expected).map((key) => {
        const [from, to] = key.split('->') as [Node, Node];
        return [key, { requests: on(from, to, 'requests'), responses: on(from, to, 'responses') }];
      }),
    );
    const withLadder = (check: () => void) => {
      try {
        check();
      } catch (err) {
        (err as Error).message += `\n\nthe call as tshark decoded it:\n${ladder}`;
        throw err;
      }
    };
    withLadder(() => {
      expect(actual).toEqual(expected);
      // An S-CSCF that records a route for both its originating and its terminating role
      // may send the in-dialog requests to itself: allowed, but then the whole dialog.
      const self = { requests: on('S', 'S', 'requests'), responses: on('S', 'S', 'responses') };
      if (self.requests.length)
        expect(self).toEqual({ requests: ['ACK', 'BYE'], responses: ['200/2'] });
      // Nothing else of the call on any other hop.
      const known = new Set([...Object.keys(expected), 'S->S']);
      expect(hops.filter((h) => !known.has(`${h.from}->${h.to}`)).map((h) => h.from)).toEqual([]);
      // The INVITE travels the hops in order, and the 180 and 200 come back in reverse.
      const frameOf = (from: Node, to: Node, what: string) =>
        hops.find((h) => h.from === from && h.to === to && label(h.message) === what)!.message
          .frame;
      const inviteFrames = edges(invitePath).map(([f, t]) => frameOf(f, t, 'INVITE'));
      expect(inviteFrames).toEqual([...inviteFrames].sort((a, b) => a - b));
      for (const what of ['180/1', '200/1']) {
        const back = edges([...invitePath].reverse()).map(([f, t]) => frameOf(f, t, what));
        expect({ what, frames: back }).toEqual({
          what,
          frames: [...back].sort((a, b) => a - b),
        });
      }
      for (const what of ['ACK', 'BYE']) {
        const along = edges(dialogPath).map(([f, t]) => frameOf(f, t, what));
        expect({ what, frames: along }).toEqual({
          what,
          frames: [...along].sort((a, b) => a - b),
        });
      }
    });

    // --- Record-Route: the INVITE the callee got and the 200 the caller got name the P-CSCF
    // --- and the S-CSCF (both sides: RFC 3261 §16.6 step 4 for each of their roles), never
    // --- the I-CSCF.
    const rrPorts = (filter: string) => {
      const out = execFileSync(
        TSHARK,
        [
          '-r',
          capture!.file,
          ...decodeAsArgs(decodeAs),
          '-Y',
          filter,
          '-T',
          'fields',
          '-E',
          'aggregator=,',
          '-e',
          'sip.Record-Route.uri',
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      return out
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => l.split(','));
    };
    const toCallee = rrPorts(
      `sip.Method == "INVITE" && udp.srcport == ${p.pcscf} && udp.dstport == ${callee.port}`,
    );
    const toCaller = rrPorts(
      `sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && udp.srcport == ${p.pcscf} && udp.dstport == ${caller.port}`,
    );
    withLadder(() => {
      for (const [what, rows] of [
        ['INVITE to the callee', toCallee],
        ['200 to the caller', toCaller],
      ] as const) {
        expect({ what, count: rows.length }).toEqual({ what, count: 1 });
        const uris = rows[0];
        const port = (uri: string) => Number(/:(\d+)(?=[;>]|$)/.exec(uri)?.[1]);
        const ports = uris.map(port);
        expect({ what, uris, pcscf: ports.includes(p.pcscf) }).toEqual({
          what,
          uris,
          pcscf: true,
        });
        expect({ what, uris, scscf: ports.includes(p.scscf) }).toEqual({
          what,
          uris,
          scscf: true,
        });
        expect({ what, uris, icscf: ports.includes(p.icscf) }).toEqual({
          what,
          uris,
          icscf: false,
        });
      }
      // RFC 3261 §12.1.1/§16.7: the 200 carries the INVITE's Record-Route set unchanged.
      expect(toCaller[0]).toEqual(toCallee[0]);
    });

    // --- Cx: the I-CSCF asked the HSS where the callee is (LIR, TS 29.228 §6.3) and got
    // --- the S-CSCF's name.
    const lir = execFileSync(
      TSHARK,
      [
        '-r',
        capture.file,
        ...decodeAsArgs(decodeAs),
        '-Y',
        `diameter.cmd.code == ${LIR}`,
        '-T',
        'fields',
        '-E',
        'aggregator=,',
        '-e',
        'diameter.flags.request',
        '-e',
        'diameter.Public-Identity',
        '-e',
        'diameter.Result-Code',
        '-e',
        'diameter.Server-Name',
        '-e',
        'diameter.hopbyhopid',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    )
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.split('\t'));
    const isRequest = (flag: string) => flag === '1' || flag === 'True';
    const lirs = lir.filter((r) => isRequest(r[0]));
    const lias = lir.filter((r) => !isRequest(r[0]));
    expect(lirs.map((r) => r[1])).toEqual([`sip:${callee.user}@${DOMAIN}`]);
    expect(lias.map((r) => [Number(r[2]), r[3], r[4]])).toEqual([
      [DIAMETER_SUCCESS, lab.scscfName, lirs[0][4]],
    ]);
  });
});

/**
 * The SIP messages of one call, each named by its two ends, retransmissions (RFC 3261 §17: the
 * same message again on the same hop) counted once. Listening ports name themselves; a
 * request too large for UDP goes over TCP (RFC 3261 §18.1.1) from an ephemeral port, named by
 * the top Via sent-by port of a request it carried (a client puts its listening port there,
 * §18.1.1), and the responses on that connection are named the same way.
 */
function callHops(frames: CapturedFrame[], names: Map<number, Node>, callId: string): Hop[] {
  const alias = new Map<number, number>();
  for (const f of frames)
    for (const m of f.sip)
      if (f.transport === 'tcp' && m.method && m.topViaPort && !names.has(f.srcPort))
        if (names.has(m.topViaPort) && !alias.has(f.srcPort)) alias.set(f.srcPort, m.topViaPort);
  const real = (port: number) => alias.get(port) ?? port;
  const seen = new Set<string>();
  const hops: Hop[] = [];
  for (const f of frames) {
    for (const message of f.sip) {
      if (message.callId !== callId) continue;
      const [src, dst] = [real(f.srcPort), real(f.dstPort)];
      const from = names.get(src) ?? `port ${f.srcPort}`;
      const to = names.get(dst) ?? `port ${f.dstPort}`;
      const key = `${src}>${dst}|${message.cseq}|${label(message)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      hops.push({ from, to, message });
    }
  }
  return hops;
}
