/**
 * tshark judges a whole IMS registration (DESIGN.md "Registration (AKA)"; TS 24.229 §5.1.1,
 * §5.2.2, §5.3.1, §5.4.1; TS 29.228 §6.1): the four roles run as real processes on loopback
 * while `tshark -i lo` captures exactly their SIP ports (UDP and TCP) and the HSS's Diameter
 * port. One UE registers with AKA over UDP, another over TCP, the first subscribes to its reg
 * event (RFC 3680), both de-register. Wireshark's dissectors then read the pcap: no malformed
 * packet and no error-level expert item, and on every hop the SIP messages the UEs saw (their
 * own traces) in the same order, and the Cx UAR/MAR/SAR each answered with success.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UeSimulator } from '@lib/ims';
import { TransportProtocol } from '@lib/sip';
import { bpfForPorts, captureUnavailable, LiveCapture } from '../support/capture';
import {
  CapturedDiameterMessage,
  CapturedFrame,
  CapturedSipMessage,
  DecodeAs,
  ExpertSeverity,
  readCapture,
  verboseDecode,
} from '../support/capture-decode';
import { PcapWriter } from '../diameter/pcap-writer';
import { DOMAIN, Lab } from '../support/lab';
import { akaSubscriber, shortcutBody, TestSubscriber } from '../support/subscribers';

jest.setTimeout(60000);

const unavailable = captureUnavailable('lo');
if (unavailable)
  console.warn(
    `\n*** tshark-registration.e2e-spec SKIPPED: live capture on lo is impossible here ***\n` +
      `*** ${unavailable} ***\n`,
  );
const describeWithCapture = unavailable ? describe.skip : describe;

/** Cx command codes (TS 29.229 §6.1). */
const UAR = 300;
const SAR = 301;
const MAR = 303;
const DIAMETER_SUCCESS = 2001;
const DIAMETER_FIRST_REGISTRATION = 2001;
const DIAMETER_SUBSEQUENT_REGISTRATION = 2002;

type Node = 'ue' | 'pcscf' | 'icscf' | 'scscf';

/** One SIP message as a UE saw it (its trace), in the UE's direction. */
interface UeSeen {
  direction: 'out' | 'in';
  summary: string;
  callId: string;
  cseqMethod: string;
}

function ueSeen(u: UeSimulator): UeSeen[] {
  return u.trace.entries.map((e) => {
    const status = /^SIP\/2\.0 (\d{3})/.exec(e.text)?.[1];
    return {
      direction: e.direction,
      summary: status ?? /^(\S+)/.exec(e.text)![1],
      callId: /^(?:Call-ID|i)\s*:\s*(\S+)/im.exec(e.text)![1],
      cseqMethod: /^CSeq\s*:\s*\d+\s+(\S+)/im.exec(e.text)![1],
    };
  });
}

describeWithCapture('IMS registration judged by tshark (live capture on lo)', () => {
  let lab: Lab;
  let capture: LiveCapture | undefined;
  const ues: { s: TestSubscriber; u: UeSimulator; transport: TransportProtocol }[] = [];

  beforeAll(async () => {
    lab = await Lab.start();
    await lab.waitForCxPeers(2);
  });

  afterAll(async () => {
    await capture?.stop();
    capture?.remove();
    for (const { u } of ues) await u.close();
    await lab?.stop();
  });

  it('decodes every SIP and Cx message on every hop, in order, with no malformed or error item', async () => {
    const p = lab.ports;
    const sipPorts = [p.pcscf, p.icscf, p.scscf];
    const decodeAs: DecodeAs = { sip: sipPorts, diameter: [p.hssDiameter] };
    capture = await LiveCapture.start({
      filter: bpfForPorts({ udp: sipPorts, tcp: [...sipPorts, p.hssDiameter] }),
    });

    // --- The traffic: AKA registration over UDP and over TCP, a reg-event subscription,
    // --- de-registration of both.
    for (const transport of ['UDP', 'TCP'] as TransportProtocol[]) {
      const s = akaSubscriber();
      expect((await lab.rest('POST', '/subscribers', shortcutBody(s))).status).toBe(201);
      const u = await UeSimulator.start({
        impi: s.impi,
        impu: s.impu,
        domain: DOMAIN,
        pcscf: { host: '127.0.0.1', port: p.pcscf, transport },
        credentials: { k: s.k, op: s.op },
        expires: 600,
        timers: { T1: 100 },
      });
      ues.push({ s, u, transport });
      const r = await u.register();
      expect(r.status).toBe(200);
      expect(r.challenges).toBe(1);
    }
    const subscriber = ues[0].u;
    expect((await subscriber.subscribeRegEvent()).status).toBeLessThan(300);
    await subscriber.waitForRequest(
      (r) => r.method === 'NOTIFY' && /state="active"/.test(r.body.toString()),
    );
    expect((await subscriber.deregister()).status).toBe(200);
    // The reg event reports the de-registration (RFC 3680 §5.2, state "terminated").
    await subscriber.waitForRequest(
      (r) => r.method === 'NOTIFY' && /state="terminated"/.test(r.body.toString()),
    );
    // Last, so that everything the UEs saw (the subscriber's 200 to that NOTIFY on its way to
    // the S-CSCF included) went over the wire before the capture stops.
    expect((await ues[1].u.deregister()).status).toBe(200);
    await capture.stop();
    expect(capture.log).toMatch(/\b\d+ packets? captured/);

    // --- What tshark makes of it.
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

    const hops = attributeHops(frames, {
      pcscf: p.pcscf,
      icscf: p.icscf,
      scscf: p.scscf,
      ue: ues.map(({ u }) => u.stack.port),
    });
    const ladder = hops
      .map(
        (h) =>
          `#${h.message.frame} ${h.transport} ${h.from}(${h.srcPort}) -> ${h.to}(${h.dstPort}) ` +
          `${h.message.summary} ${h.message.callId}`,
      )
      .join('\n');
    const withLadder = (check: () => void) => {
      try {
        check();
      } catch (err) {
        (err as Error).message += `\n\nSIP messages per hop as tshark decoded them:\n${ladder}`;
        throw err;
      }
    };

    // --- SIP: on every hop of its path, each of the UE's dialogs carries exactly what the UE
    // --- sent (towards the S-CSCF) and received (from it), in order. REGISTER goes through
    // --- the I-CSCF (TS 24.229 §5.3.1); SUBSCRIBE follows the Service-Route from the P-CSCF
    // --- straight to the S-CSCF (RFC 3608), and the S-CSCF's NOTIFYs follow the Path back.
    withLadder(() => {
      for (const { u, transport } of ues) {
        const seen = ueSeen(u);
        for (const callId of [...new Set(seen.map((m) => m.callId))]) {
          const mine = seen.filter((m) => m.callId === callId);
          const path: Node[] = mine.some((m) => m.cseqMethod === 'REGISTER')
            ? ['ue', 'pcscf', 'icscf', 'scscf']
            : ['ue', 'pcscf', 'scscf'];
          const out = mine.filter((m) => m.direction === 'out').map((m) => m.summary);
          const inbound = mine.filter((m) => m.direction === 'in').map((m) => m.summary);
          for (let i = 0; i + 1 < path.length; i++) {
            const [near, far] = [path[i], path[i + 1]];
            const towards = onHop(hops, callId, near, far, u.stack.port);
            const back = onHop(hops, callId, far, near, u.stack.port);
            // Requests and responses each keep their order; between the two the order may
            // differ per hop (a NOTIFY sent over TCP may overtake the 200 to SUBSCRIBE sent
            // over UDP, RFC 6665 §4.1.2.4).
            expect({
              hop: `${near} -> ${far}`,
              callId,
              summaries: byKind(towards.map((h) => h.message.summary)),
            }).toEqual({
              hop: `${near} -> ${far}`,
              callId,
              summaries: byKind(out),
            });
            expect({
              hop: `${far} -> ${near}`,
              callId,
              summaries: byKind(back.map((h) => h.message.summary)),
            }).toEqual({
              hop: `${far} -> ${near}`,
              callId,
              summaries: byKind(inbound),
            });
            if (near === 'ue')
              expect([...new Set([...towards, ...back].map((h) => h.transport))]).toEqual([
                transport.toLowerCase(),
              ]);
          }
        }
      }
    });
    // What the test did, as the UEs saw it (so the per-hop check above covers REGISTER, 401,
    // 200, SUBSCRIBE and NOTIFY): REGISTER / 401 / REGISTER / 200 twice (register, then
    // de-register), and for the subscriber SUBSCRIBE / 200 and NOTIFYs answered with 200.
    for (const { u } of ues) {
      const regs = ueSeen(u).filter((m) => m.cseqMethod === 'REGISTER');
      expect(regs.map((m) => `${m.direction} ${m.summary}`)).toEqual([
        'out REGISTER',
        'in 401',
        'out REGISTER',
        'in 200',
        'out REGISTER',
        'in 401',
        'out REGISTER',
        'in 200',
      ]);
    }
    const sub = ueSeen(subscriber).filter((m) => m.cseqMethod !== 'REGISTER');
    // (A NOTIFY may overtake the 200 to SUBSCRIBE, RFC 6665 §4.1.2.4.)
    expect(sub[0]).toMatchObject({ direction: 'out', summary: 'SUBSCRIBE' });
    expect(sub.filter((m) => m.direction === 'in' && m.summary === '200')).toHaveLength(1);
    const notifies = sub.filter((m) => m.summary === 'NOTIFY');
    expect(notifies.length).toBeGreaterThanOrEqual(2);
    expect(notifies.every((m) => m.direction === 'in')).toBe(true);
    expect(sub.filter((m) => m.direction === 'out' && m.summary === '200')).toHaveLength(
      notifies.length,
    );
    // Anything else on the wire is the P-CSCF's own reg-event subscription (TS 24.229
    // §5.2.3): SUBSCRIBE / NOTIFY / 200 between the P-CSCF and the S-CSCF only.
    const ueCallIds = new Set(ues.flatMap(({ u }) => ueSeen(u).map((m) => m.callId)));
    const others = hops.filter((h) => !ueCallIds.has(h.message.callId));
    expect(others.length).toBeGreaterThan(0);
    withLadder(() => {
      for (const h of others) {
        expect({ hop: [h.from, h.to].sort().join('-'), summary: h.message.summary }).toEqual({
          hop: 'pcscf-scscf',
          summary: expect.stringMatching(/^(SUBSCRIBE|NOTIFY|200)$/),
        });
      }
    });

    // --- Diameter Cx: one UAR per REGISTER the I-CSCF received, one MAR per challenge, one
    // --- SAR per successful REGISTER (TS 29.228 §6.1.1-§6.1.3), each answered on its own
    // --- connection with the same hop-by-hop identifier (RFC 6733 §3).
    const diameter = frames.flatMap((f) => f.diameter.map((m) => ({ ...m, f })));
    const registers = ues.flatMap(({ u }) => ueSeen(u).filter((m) => m.cseqMethod === 'REGISTER'));
    const expected: Record<number, number> = {
      [UAR]: registers.filter((m) => m.direction === 'out').length,
      [MAR]: registers.filter((m) => m.direction === 'in' && m.summary === '401').length,
      [SAR]: registers.filter((m) => m.direction === 'in' && m.summary === '200').length,
    };
    const requests = (code: number) => diameter.filter((m) => m.commandCode === code && m.request);
    const answerTo = (req: CapturedDiameterMessage & { f: CapturedFrame }) =>
      diameter.filter(
        (a) =>
          !a.request &&
          a.commandCode === req.commandCode &&
          a.hopByHop === req.hopByHop &&
          a.f.tcpStream === req.f.tcpStream &&
          a.f.srcPort === req.f.dstPort,
      );
    for (const code of [UAR, MAR, SAR]) {
      const reqs = requests(code);
      expect({ code, requests: reqs.length }).toEqual({ code, requests: expected[code] });
      for (const req of reqs) {
        expect(req.f.dstPort).toBe(p.hssDiameter);
        const answers = answerTo(req);
        expect({ code, frame: req.frame, answers: answers.length }).toEqual({
          code,
          frame: req.frame,
          answers: 1,
        });
        const a = answers[0];
        if (code === UAR) {
          // TS 29.228 §6.1.1: first registration / subsequent registration (Experimental-
          // Result), DIAMETER_SUCCESS for a de-registration.
          const success =
            a.resultCode === DIAMETER_SUCCESS ||
            a.experimentalResultCode === DIAMETER_FIRST_REGISTRATION ||
            a.experimentalResultCode === DIAMETER_SUBSEQUENT_REGISTRATION;
          expect({ frame: a.frame, success }).toEqual({ frame: a.frame, success: true });
        } else {
          expect({ code, frame: a.frame, resultCode: a.resultCode }).toEqual({
            code,
            frame: a.frame,
            resultCode: DIAMETER_SUCCESS,
          });
        }
      }
    }
    // The first UAR of each fresh subscriber: DIAMETER_FIRST_REGISTRATION.
    for (const { s } of ues) {
      const first = requests(UAR).find((r) => r.userName === s.impi);
      expect(first).toBeDefined();
      expect(answerTo(first!)[0].experimentalResultCode).toBe(DIAMETER_FIRST_REGISTRATION);
    }
    // The I-CSCF sends UAR, the S-CSCF MAR and SAR: two different Cx connections.
    const streams = (codes: number[]) => [
      ...new Set(codes.flatMap((c) => requests(c).map((r) => r.f.tcpStream))),
    ];
    expect(streams([UAR])).toHaveLength(1);
    expect(streams([MAR, SAR])).toHaveLength(1);
    expect(streams([UAR])[0]).not.toBe(streams([MAR, SAR])[0]);
  });
});

/** The judge itself, on hand-made pcaps: it must be able to say no. */
describeWithCapture('capture-decode reading tshark output', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-decode-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function pcap(name: string, segments: [boolean, Buffer][], port: number): string {
    const w = new PcapWriter(40000, port);
    for (const [fromClient, data] of segments) w.add(fromClient, data);
    const file = path.join(dir, name);
    fs.writeFileSync(file, w.toBuffer());
    return file;
  }

  it('reports a Diameter AVP that overruns its message as malformed, at error severity', () => {
    // CER (RFC 6733 §5.3.1) whose Origin-Host AVP claims 40 bytes but carries 8.
    const avp = Buffer.concat([Buffer.from([0, 0, 1, 8, 0x40, 0, 0, 40]), Buffer.from('abcdefgh')]);
    const header = Buffer.alloc(20);
    header.writeUInt32BE(20 + avp.length, 0);
    header[0] = 1;
    header.writeUInt32BE(257, 4);
    header[4] = 0x80;
    header.writeUInt32BE(1, 12);
    header.writeUInt32BE(2, 16);
    const file = pcap('bad-avp.pcap', [[true, Buffer.concat([header, avp])]], 3868);
    const frames = readCapture(file, { diameter: [3868] });
    const bad = frames.filter((f) => f.diameter.length);
    expect(bad).toHaveLength(1);
    expect(bad[0].diameter[0]).toMatchObject({ commandCode: 257, request: true });
    expect(bad[0].malformed).toBe(true);
    expect(Math.max(...bad[0].severities)).toBe(ExpertSeverity.ERROR);
  });

  it('keeps the order of several SIP messages in one TCP segment', () => {
    const options = [
      'OPTIONS sip:a@127.0.0.1 SIP/2.0',
      'Via: SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bK-1',
      'From: <sip:b@127.0.0.1>;tag=1',
      'To: <sip:a@127.0.0.1>',
      'Call-ID: first@test',
      'CSeq: 7 OPTIONS',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const ok = [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-2',
      'From: <sip:a@127.0.0.1>;tag=2',
      'To: <sip:b@127.0.0.1>;tag=3',
      'Call-ID: second@test',
      'CSeq: 9 NOTIFY',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const file = pcap('two-sip.pcap', [[true, Buffer.from(options + ok)]], 5060);
    const frames = readCapture(file, { sip: [5060] });
    const sip = frames.flatMap((f) => f.sip);
    expect(sip.map((m) => [m.summary, m.callId, m.cseq])).toEqual([
      ['OPTIONS', 'first@test', 7],
      ['200', 'second@test', 9],
    ]);
    expect(sip.every((m) => m.topViaPort === undefined)).toBe(true);
    expect(frames.some((f) => f.malformed)).toBe(false);
  });
});

interface HopMessage {
  message: CapturedSipMessage;
  transport: 'udp' | 'tcp';
  from: Node | string;
  to: Node | string;
  /** The UE port when one end is a UE. */
  uePort?: number;
  srcPort: number;
  dstPort: number;
}

/**
 * Names the two ends of every SIP message. Listening ports name themselves; the ephemeral end
 * of a TCP connection is named by the top Via sent-by port of a request it sent (RFC 3261
 * §18.1.1: a client puts its listening port in Via).
 */
function attributeHops(
  frames: CapturedFrame[],
  ports: { pcscf: number; icscf: number; scscf: number; ue: number[] },
): HopMessage[] {
  const named = new Map<number, Node>([
    [ports.pcscf, 'pcscf'],
    [ports.icscf, 'icscf'],
    [ports.scscf, 'scscf'],
    ...ports.ue.map((p): [number, Node] => [p, 'ue']),
  ]);
  const uePorts = new Set(ports.ue);
  // Ephemeral TCP port -> listening port of the same element.
  const alias = new Map<number, number>();
  for (const f of frames)
    for (const m of f.sip)
      if (f.transport === 'tcp' && m.method && m.topViaPort && !named.has(f.srcPort))
        if (named.has(m.topViaPort) && !alias.has(f.srcPort)) alias.set(f.srcPort, m.topViaPort);
  const real = (port: number) => alias.get(port) ?? port;
  const seen = new Set<string>();
  const hops: HopMessage[] = [];
  for (const f of frames) {
    for (const message of f.sip) {
      const src = real(f.srcPort);
      const dst = real(f.dstPort);
      const from = named.get(src) ?? `port ${f.srcPort}`;
      const to = named.get(dst) ?? `port ${f.dstPort}`;
      // A retransmission (RFC 3261 §17) is the same message again on the same hop.
      const key = `${src}>${dst}|${message.callId}|${message.cseq}|${message.summary}`;
      if (seen.has(key)) continue;
      seen.add(key);
      hops.push({
        message,
        transport: f.transport!,
        from,
        to,
        uePort: uePorts.has(src) ? src : uePorts.has(dst) ? dst : undefined,
        srcPort: f.srcPort,
        dstPort: f.dstPort,
      });
    }
  }
  return hops;
}

/** The messages of one dialog from `from` to `to` (a UE end matched by its port). */
function onHop(
  hops: HopMessage[],
  callId: string,
  from: Node,
  to: Node,
  uePort: number,
): HopMessage[] {
  return hops.filter(
    (h) =>
      h.message.callId === callId &&
      h.from === from &&
      h.to === to &&
      (from !== 'ue' && to !== 'ue' ? true : h.uePort === uePort),
  );
}

/** A hop's summaries split into its requests and its responses, each in order. */
function byKind(summaries: string[]): { requests: string[]; responses: string[] } {
  const isResponse = (x: string) => /^\d{3}$/.test(x);
  return {
    requests: summaries.filter((x) => !isResponse(x)),
    responses: summaries.filter(isResponse),
  };
}
