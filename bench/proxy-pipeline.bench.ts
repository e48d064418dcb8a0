/**
 * The SIP library's own cost per proxied message, without the kernel: `npm run bench -- proxy`.
 *
 * One SipStack with a stateful ProxyCore (RFC 3261 §16) on an in-memory transport and a
 * virtual clock (bench/in-process.ts). The bench plays the UAC and the UAS by delivering
 * datagrams and reading what the proxy sent, so what is timed is exactly what a CSCF's SIP
 * layer does per message: parse, validate, match or create transactions, run the proxy core,
 * build the forwarded copy, serialize, and keep the transactions (RFC 3261 §17) for their
 * timers. No socket, no event-loop wake-up, no Diameter, no IMS processor: the lab figures
 * (registration, calls) minus this are the kernel, the event loop and the IMS logic.
 *
 * Two cases, each on its own stack:
 * - REGISTER + 200 through a hop that does not record-route (as the I-CSCF's): 4 handlings;
 * - a call through a record-routing hop (as a P- or S-CSCF's): INVITE, 100, 180, 200, ACK,
 *   BYE and its 200 (13 handlings: 6 received, 7 sent).
 *
 * Virtual time advances at REGISTER_RATE pairs / CALL_RATE calls per virtual second, so after
 * the warm-up the stack holds what it would at that rate: Timer J's 32 s of completed
 * REGISTER server transactions, Timer K's 5 s, the INVITE transactions' Timer L / M. Figures
 * are CPU time of this process (user + system) per case, the UAS/UAC side's message building
 * (string slicing of the proxy's output, timed separately) subtracted. Single thread: run it
 * on an idle machine; the figure is steadier than the lab's because nothing else shares it.
 */
import * as os from 'node:os';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { ProxyCore } from '../libs/sip/src/proxy/proxy-core';
import type { ProxyRequest } from '../libs/sip/src/proxy/proxy-request';
import { SipStack } from '../libs/sip/src/stack/sip-stack';
import type { TransportAddress } from '../libs/sip/src/transport/transport';
import { BenchRow, BenchSuite, median } from './bench-row';
import { MemoryTransport, VirtualClock } from './in-process';

const RUNS = 5;
const BATCH = 16;
const REGISTER_RATE = 600;
const CALL_RATE = 200;
const PROXY: TransportAddress = { host: '127.0.0.1', port: 5060 };
const UAC: TransportAddress = { host: '127.0.0.3', port: 5070 };
const UAS: TransportAddress = { host: '127.0.0.2', port: 5080 };
const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';
const COMMAND = 'npm run bench -- proxy';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\nt=0 0\r\n' +
  'm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n' +
  'a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n';

/** The header lines named `name` (case-insensitive, full names only) of a message's text. */
export function headerLines(text: string, name: string): string[] {
  const out: string[] = [];
  const want = name.toLowerCase() + ':';
  let at = text.indexOf('\r\n') + 2;
  for (;;) {
    const end = text.indexOf('\r\n', at);
    if (end < 0 || end === at) break;
    if (text.slice(at, at + want.length).toLowerCase() === want) out.push(text.slice(at, end));
    at = end + 2;
  }
  return out;
}

/** A UAS's response to `request` (bytes as the proxy sent them), with a To tag for 1xx/2xx. */
function answer(request: Buffer, status: string, extra = '', body = ''): Buffer {
  const text = request.toString('latin1');
  const lines = [
    `SIP/2.0 ${status}`,
    ...headerLines(text, 'Via'),
    ...headerLines(text, 'Record-Route'),
    ...headerLines(text, 'From'),
    ...headerLines(text, 'To').map((to) => (to.includes(';tag=') ? to : `${to};tag=uas`)),
    ...headerLines(text, 'Call-ID'),
    ...headerLines(text, 'CSeq'),
  ];
  if (extra) lines.push(extra);
  if (body) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${body.length}`, '', body);
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

function register(i: number): Buffer {
  const impi = `00101${String(i).padStart(10, '0')}@${DOMAIN}`;
  return Buffer.from(
    `REGISTER sip:${DOMAIN} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP ${UAC.host}:${UAC.port};branch=z9hG4bK-reg-${i};rport\r\n` +
      `Max-Forwards: 70\r\n` +
      `From: <sip:${impi}>;tag=ue${i}\r\n` +
      `To: <sip:${impi}>\r\n` +
      `Call-ID: reg-${i}@${UAC.host}\r\n` +
      `CSeq: 1 REGISTER\r\n` +
      `Contact: <sip:${impi.split('@')[0]}@${UAC.host}:${UAC.port}>;expires=600;+sip.instance="<urn:gsma:imei:35000000-000000-0>"\r\n` +
      `Authorization: Digest username="${impi}", realm="${DOMAIN}", nonce="", uri="sip:${DOMAIN}", response="", algorithm=AKAv1-MD5\r\n` +
      `Path: <sip:term@pcscf.${DOMAIN}:5060;lr>\r\n` +
      `Supported: path, gruu\r\n` +
      `P-Visited-Network-ID: "${DOMAIN}"\r\n` +
      `Expires: 600\r\n` +
      `Content-Length: 0\r\n\r\n`,
    'latin1',
  );
}

function invite(i: number): Buffer {
  return Buffer.from(
    `INVITE sip:callee@${DOMAIN} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP ${UAC.host}:${UAC.port};branch=z9hG4bK-inv-${i};rport\r\n` +
      `Max-Forwards: 70\r\n` +
      `From: <sip:caller@${DOMAIN}>;tag=uac${i}\r\n` +
      `To: <sip:callee@${DOMAIN}>\r\n` +
      `Call-ID: call-${i}@${UAC.host}\r\n` +
      `CSeq: 1 INVITE\r\n` +
      `Contact: <sip:caller@${UAC.host}:${UAC.port}>\r\n` +
      `Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, PRACK\r\n` +
      `Content-Type: application/sdp\r\n` +
      `Content-Length: ${SDP.length}\r\n\r\n${SDP}`,
    'latin1',
  );
}

/** The UAC's ACK (CSeq 1) or BYE (CSeq 2) of call `i`, from the 200 OK the proxy passed on. */
function inDialog(ok: Buffer, method: 'ACK' | 'BYE', i: number): Buffer {
  const text = ok.toString('latin1');
  // The UAC's route set is the Record-Route of the 2xx, in order (RFC 3261 §12.1.2).
  const routes = headerLines(text, 'Record-Route').map((l) => `Route:${l.slice(13)}`);
  return Buffer.from(
    [
      `${method} sip:callee@${UAS.host}:${UAS.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${UAC.host}:${UAC.port};branch=z9hG4bK-${method}-${i};rport`,
      `Max-Forwards: 70`,
      ...routes,
      ...headerLines(text, 'From'),
      ...headerLines(text, 'To'),
      ...headerLines(text, 'Call-ID'),
      `CSeq: ${method === 'ACK' ? 1 : 2} ${method}`,
      `Content-Length: 0`,
      '',
      '',
    ].join('\r\n'),
    'latin1',
  );
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A proxy on the memory transport: initial requests go to the UAS, the rest by their URI. */
async function proxyStack(recordRoute: boolean) {
  const clock = new VirtualClock();
  const transport = new MemoryTransport(PROXY);
  const stack = new SipStack({
    host: PROXY.host,
    port: PROXY.port,
    transportInstances: [transport],
    clock,
    overload: false,
  });
  await stack.start();
  new ProxyCore(stack, {
    recordRoute,
    processors: [
      {
        name: 'to-uas',
        process: (pr: ProxyRequest) => {
          if (!pr.request.to().tag) pr.targets.push({ nextHop: { ...UAS, transport: 'UDP' } });
          return 'continue';
        },
      },
    ],
  }).attach();
  return { clock, transport, stack };
}

/** Live heap (MB) after two full GCs (a case reports its growth: what its stack holds). */
function liveHeapMb(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

/** The runs' CPU per case, and the live heap after them (the stack still up). */
interface CaseResult {
  runs: number[];
  heapMb: number;
}

/** What one run measured: proxy CPU µs per case, and how many cases completed. */
interface RunResult {
  micros: number;
  completed: number;
}

/**
 * Drives `count` cases (numbered from `first`) through the stack in batches of BATCH and
 * returns the CPU per case, the bench's own message building subtracted. `step` runs one
 * batch and returns the CPU µs it spent building messages.
 */
async function timed(
  first: number,
  count: number,
  step: (from: number, to: number) => Promise<{ building: number; completed: number }>,
): Promise<RunResult> {
  const before = process.cpuUsage();
  let building = 0;
  let completed = 0;
  for (let i = first; i < first + count; i += BATCH) {
    const got = await step(i, Math.min(first + count, i + BATCH));
    building += got.building;
    completed += got.completed;
  }
  const used = process.cpuUsage(before);
  return { micros: (used.user + used.system - building) / count, completed };
}

/**
 * Warm-up, then RUNS timed runs of `perRun` cases; a run where not every case completed
 * (`what` names the final message expected back) fails the suite. Stops the stack.
 */
async function measure(
  stack: SipStack,
  baseline: number,
  warmup: number,
  perRun: number,
  step: (from: number, to: number) => Promise<{ building: number; completed: number }>,
  what: string,
): Promise<CaseResult> {
  try {
    await timed(0, warmup, step);
    const runs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const got = await timed(warmup + r * perRun, perRun, step);
      if (got.completed !== perRun)
        throw new Error(`proxy bench: ${got.completed} of ${perRun} ${what} came back`);
      runs.push(got.micros);
    }
    return { runs, heapMb: liveHeapMb() - baseline };
  } finally {
    await stack.stop();
  }
}

function cpuOf(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

async function registerCase(warmup: number, perRun: number): Promise<CaseResult> {
  const baseline = liveHeapMb();
  const { clock, transport, stack } = await proxyStack(false);
  const requests = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => register(from + k));
  const step = async (from: number, to: number) => {
    clock.advanceTo(Math.floor((from * 1000) / REGISTER_RATE));
    let reqs: Buffer[] = [];
    let building = cpuOf(() => (reqs = requests(from, to)));
    for (const r of reqs) transport.deliver(r, UAC);
    await turn();
    let oks: Buffer[] = [];
    building += cpuOf(() => (oks = transport.take().map((s) => answer(s.data, '200 OK'))));
    for (const ok of oks) transport.deliver(ok, UAS);
    await turn();
    const upstream = transport.take().filter((s) => s.destination.port === UAC.port);
    return { building, completed: upstream.length };
  };
  return measure(stack, baseline, warmup, perRun, step, 'REGISTER 200s');
}

async function callCase(warmup: number, perRun: number): Promise<CaseResult> {
  const baseline = liveHeapMb();
  const { clock, transport, stack } = await proxyStack(true);
  const toUac = (s: { destination: TransportAddress }) => s.destination.port === UAC.port;
  const step = async (from: number, to: number) => {
    clock.advanceTo(Math.floor((from * 1000) / CALL_RATE));
    let building = 0;
    let msgs: Buffer[] = [];
    building += cpuOf(() => {
      msgs = [];
      for (let i = from; i < to; i++) msgs.push(invite(i));
    });
    for (const m of msgs) transport.deliver(m, UAC);
    await turn();
    // 100 Trying went to the UAC; the forwarded INVITEs are answered 180 then 200 with SDP.
    let ringing: Buffer[] = [];
    let oks: Buffer[] = [];
    building += cpuOf(() => {
      const forwarded = transport.take().filter((s) => !toUac(s));
      const contact = `Contact: <sip:callee@${UAS.host}:${UAS.port}>`;
      ringing = forwarded.map((s) => answer(s.data, '180 Ringing', contact));
      oks = forwarded.map((s) => answer(s.data, '200 OK', contact, SDP));
    });
    for (const m of ringing) transport.deliver(m, UAS);
    for (const m of oks) transport.deliver(m, UAS);
    await turn();
    let acks: Buffer[] = [];
    let byes: Buffer[] = [];
    building += cpuOf(() => {
      const upstream = transport.take().filter(toUac);
      const final = upstream.filter((s) => s.data.subarray(0, 14).toString() === 'SIP/2.0 200 OK');
      acks = final.map((s, k) => inDialog(s.data, 'ACK', from + k));
      byes = final.map((s, k) => inDialog(s.data, 'BYE', from + k));
    });
    for (const m of acks) transport.deliver(m, UAC);
    for (const m of byes) transport.deliver(m, UAC);
    await turn();
    let byeOks: Buffer[] = [];
    building += cpuOf(() => {
      const forwarded = transport.take();
      byeOks = forwarded
        .filter((s) => s.data.subarray(0, 4).toString() === 'BYE ')
        .map((s) => answer(s.data, '200 OK'));
    });
    for (const m of byeOks) transport.deliver(m, UAS);
    await turn();
    const completed = transport.take().filter(toUac).length;
    return { building, completed };
  };
  return measure(stack, baseline, warmup, perRun, step, 'BYE 200s');
}

export const suite: BenchSuite = {
  id: 'proxy',
  async run(): Promise<BenchRow[]> {
    const load = () => `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;
    // Warm-ups of 35 virtual seconds: past Timer J (32 s), so the runs see a steady state.
    const reg = await registerCase(35 * REGISTER_RATE, 10_000);
    const call = await callCase(35 * CALL_RATE, 2_000);
    const row = (
      name: string,
      handlings: number,
      result: { runs: number[]; heapMb: number },
      steadyState: string,
    ): BenchRow => ({
      name,
      value: median(result.runs),
      unit: 'µs CPU',
      runs: result.runs,
      command: COMMAND,
      note:
        `runs ${Math.min(...result.runs).toFixed(0)}-${Math.max(...result.runs).toFixed(0)} µs, ` +
        `median ${(median(result.runs) / handlings).toFixed(1)} µs per handling; steady state at ` +
        `${steadyState}; the stack's live heap ${result.heapMb.toFixed(0)} MB; ${load()}`,
    });
    return [
      row(
        'SIP proxy in process: REGISTER + 200 through a stateful hop (4 handlings, no sockets)',
        4,
        reg,
        `a virtual ${REGISTER_RATE} REGISTERs/s (Timer J and K live), 10,000 per run`,
      ),
      row(
        'SIP proxy in process: call through a record-routing hop, INVITE to BYE 200 (13 handlings)',
        13,
        call,
        `a virtual ${CALL_RATE} calls/s (Timer L and M live), 2,000 per run`,
      ),
    ];
  },
};
