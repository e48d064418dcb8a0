/**
 * The fuzzer behind `npm run fuzz` and test/reliability/fuzz.e2e-spec.ts: starts the whole
 * core (test/support/lab.ts, the built roles as processes), registers a UE to capture real
 * messages, then sends SIP garbage over real UDP and TCP sockets to each CSCF and Diameter
 * garbage over TCP to the HSS, and checks afterwards:
 *
 * - no role exited (Node exits on an unhandled rejection) and none logged an unhandled
 *   rejection or uncaught exception;
 * - RSS before, at the end of the flood and after a drain (reported, bounded by the caller);
 * - malformed requests are answered with the status the parse error names (400...) when they
 *   carry Via/From/To/Call-ID/CSeq, and dropped otherwise (RFC 3261 §8.2, §16.3 step 1,
 *   §18.1.2): a checked sample is sent one by one and each answer matched by its Call-ID;
 * - a fresh UE still registers through P-CSCF, I-CSCF, S-CSCF and HSS.
 *
 * Run it only inside a private network namespace (scripts/netns-run.ts): fuzzed requests
 * are forwarded wherever their Route or Request-URI says, which must not be a real network
 * nor another lab on the shared loopback.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import {
  avp,
  buildLir,
  buildMar,
  buildSar,
  buildUar,
  createRequest as createDiameterRequest,
  CX_APPLICATION_ID,
  decodeMessage,
  encodeMessage,
  ServerAssignmentType,
  VENDOR_3GPP,
  type DiameterMessage,
} from '@lib/diameter';
import { UeSimulator } from '@lib/ims';
import { DOMAIN, Lab, ROOT, type Role } from '../support/lab';
import { akaSubscriber, shortcutBody } from '../support/subscribers';
import {
  callIdLine,
  expectationFor,
  mutate,
  Prng,
  rfc4475Vectors,
  structuredMessages,
  type Expectation,
} from './sip-garbage';

export interface FuzzOptions {
  /** SIP messages sent to each CSCF (split over UDP and TCP). */
  sipPerCscf: number;
  /** Diameter messages sent to the HSS. */
  diameter: number;
  /** Malformed requests sent one by one whose answer is checked, per CSCF. */
  checked: number;
  seed: number;
  /** Wait after the flood before the last RSS reading (transactions expire: Timer J 64*T1). */
  drainMs: number;
  log?(line: string): void;
}

export interface RoleFigures {
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  alive: boolean;
  unhandled: string[];
}

export interface SipTargetFigures {
  sent: number;
  udp: number;
  tcp: number;
  skippedTooLarge: number;
  tcpReconnects: number;
  responses: Record<string, number>;
  seconds: number;
  perSecond: number;
  checked: {
    answered: number;
    expectedAnswers: number;
    wrong: string[];
    dropsExpected: number;
    dropsAnswered: number;
  };
}

export interface FuzzReport {
  seed: number;
  sip: Partial<Record<Role, SipTargetFigures>>;
  diameter: {
    sent: number;
    answers: number;
    resultCodes: Record<string, number>;
    connections: number;
    closedByHss: number;
    seconds: number;
    perSecond: number;
  };
  roles: Partial<Record<Role, RoleFigures>>;
  registeredAfter: number;
  ok: boolean;
  problems: string[];
}

const CSCFS: Role[] = ['pcscf', 'icscf', 'scscf'];
const UNHANDLED =
  /unhandled ?rejection|uncaught ?exception|UnhandledPromiseRejection|FATAL ERROR|heap out of memory/i;

/** VmRSS of a process in MB (Linux /proc), 0 when unreadable. */
export function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : 0;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => undefined);
  const problems: string[] = [];
  const rng = new Prng(options.seed);
  const lab = await Lab.start({ env: { IMS_EXPLAIN_FAILURES: 'true' } });
  const report: FuzzReport = {
    seed: options.seed,
    sip: {},
    diameter: {
      sent: 0,
      answers: 0,
      resultCodes: {},
      connections: 0,
      closedByHss: 0,
      seconds: 0,
      perSecond: 0,
    },
    roles: {},
    registeredAfter: 0,
    ok: false,
    problems,
  };
  const pids = new Map<Role, number | undefined>();
  for (const [role, r] of lab.procs) pids.set(role, r.proc.pid);
  const peak = new Map<Role, number>();
  const sampler = setInterval(() => {
    for (const [role, pid] of pids) peak.set(role, Math.max(peak.get(role) ?? 0, rssMb(pid)));
  }, 250);
  try {
    await lab.waitForCxPeers(2);
    // A registration first: real messages to mutate, and the baseline RSS afterwards.
    const captured = await registerOnce(lab, 'UDP');
    const capturedTcp = await registerOnce(lab, 'TCP');
    const seeds = [...rfc4475Vectors(ROOT), ...captured.messages, ...capturedTcp.messages];
    const pool = structuredMessages(
      Math.min(20000, Math.max(500, options.sipPerCscf / 20)),
      options.seed,
    );
    log(
      `seeds: ${seeds.length} (49 RFC 4475 + ${seeds.length - 49} captured), ${pool.length} fast-check messages`,
    );
    for (const [role, pid] of pids) {
      report.roles[role] = {
        rssBeforeMb: rssMb(pid),
        rssPeakMb: 0,
        rssAfterMb: 0,
        alive: true,
        unhandled: [],
      };
    }
    const next = (): Buffer => {
      const r = rng.int(10);
      if (r < 4) return mutate(rng.pick(seeds), rng);
      if (r < 6) return mutate(rng.pick(pool), rng);
      if (r < 9) return rng.pick(pool);
      return rng.pick(seeds);
    };

    for (const role of CSCFS) {
      const port = lab.ports[role as 'pcscf' | 'icscf' | 'scscf'];
      report.sip[role] = await floodSip(port, options.sipPerCscf, next, log, role);
      report.sip[role]!.checked = await checkedSample(port, options.checked, seeds, pool, rng);
      const c = report.sip[role]!.checked;
      if (c.wrong.length)
        problems.push(
          `${role}: ${c.wrong.length} malformed requests not answered as expected: ${c.wrong.slice(0, 3).join('; ')}`,
        );
      if (c.dropsAnswered)
        problems.push(`${role}: answered ${c.dropsAnswered} messages it should have dropped`);
    }
    report.diameter = await floodDiameter(lab.ports.hssDiameter, options.diameter, rng, log);

    for (const [role, pid] of pids)
      report.roles[role]!.rssPeakMb = Math.max(peak.get(role) ?? 0, rssMb(pid));
    log(`draining ${options.drainMs} ms`);
    await sleep(options.drainMs);
    for (const [role, pid] of pids) {
      const f = report.roles[role]!;
      f.rssAfterMb = rssMb(pid);
      const running = lab.procs.get(role)!;
      f.alive = running.proc.exitCode === null && running.proc.signalCode === null;
      f.unhandled = lab
        .logs(role)
        .split('\n')
        .filter((l) => UNHANDLED.test(l))
        .slice(0, 5);
      if (!f.alive)
        problems.push(
          `${role} exited (${running.proc.exitCode ?? running.proc.signalCode}):\n${lab.logs(role).slice(-3000)}`,
        );
      if (f.unhandled.length) problems.push(`${role} logged: ${f.unhandled.join(' | ')}`);
    }
    // The elements still do their job: fresh UEs register end to end over UDP and TCP.
    for (const transport of ['UDP', 'TCP'] as const) {
      try {
        const after = await registerOnce(lab, transport);
        if (after.status === 200) report.registeredAfter++;
        else problems.push(`registration over ${transport} after fuzzing: ${after.status}`);
      } catch (err) {
        problems.push(
          `registration over ${transport} after fuzzing failed: ${(err as Error).message}`,
        );
      }
    }
  } finally {
    clearInterval(sampler);
    await lab.stop();
    fs.rmSync(lab.dataDir, { recursive: true, force: true });
  }
  report.ok = problems.length === 0;
  return report;
}

/** Provisions a fresh AKA subscriber and registers it; returns the UE's messages as bytes. */
async function registerOnce(
  lab: Lab,
  transport: 'UDP' | 'TCP',
): Promise<{ status: number; messages: Buffer[] }> {
  const s = akaSubscriber();
  const res = await lab.rest('POST', '/subscribers', shortcutBody(s));
  if (res.status !== 201) throw new Error(`provisioning answered ${res.status}`);
  const ue = await UeSimulator.start({
    impi: s.impi,
    impu: s.impu,
    domain: DOMAIN,
    pcscf: { host: '127.0.0.1', port: lab.ports.pcscf, transport },
    credentials: { k: s.k, op: s.op },
    expires: 600,
    timers: { T1: 200 },
  });
  try {
    const r = await ue.register();
    if (r.status === 200) await ue.subscribeRegEvent().catch(() => undefined);
    return {
      status: r.status,
      messages: ue.trace.entries.map((e) => Buffer.from(e.text, 'latin1')),
    };
  } finally {
    await ue.close();
  }
}

const MAX_UDP = 65000;

function countStatus(into: Record<string, number>, data: Buffer): void {
  const text = data.toString('latin1');
  for (const m of text.matchAll(/SIP\/2\.0 (\d{3}) /g)) into[m[1]] = (into[m[1]] ?? 0) + 1;
}

/** Sends `total` messages to a CSCF, half over UDP (4 sockets), half over TCP (4 connections). */
async function floodSip(
  port: number,
  total: number,
  next: () => Buffer,
  log: (l: string) => void,
  role: string,
): Promise<SipTargetFigures> {
  const f: SipTargetFigures = {
    sent: 0,
    udp: 0,
    tcp: 0,
    skippedTooLarge: 0,
    tcpReconnects: 0,
    responses: {},
    seconds: 0,
    perSecond: 0,
    checked: { answered: 0, expectedAnswers: 0, wrong: [], dropsExpected: 0, dropsAnswered: 0 },
  };
  const sockets = await Promise.all(
    [0, 1, 2, 3].map(async () => {
      const s = dgram.createSocket('udp4');
      s.on('message', (m) => countStatus(f.responses, m));
      s.on('error', () => undefined);
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      return s;
    }),
  );
  const conns: (net.Socket | undefined)[] = [undefined, undefined, undefined, undefined];
  const connect = (i: number): Promise<net.Socket> =>
    new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.setNoDelay(true);
      c.on('data', (d) => countStatus(f.responses, d));
      c.on('error', () => undefined);
      c.on('close', () => {
        if (conns[i] === c) conns[i] = undefined;
      });
      c.once('connect', () => resolve(c));
    });
  const started = Date.now();
  let lastLog = started;
  const BATCH = 64;
  while (f.sent < total) {
    const pending: Promise<unknown>[] = [];
    for (let b = 0; b < BATCH && f.sent < total; b++) {
      const msg = next();
      const i = f.sent % 4;
      f.sent++;
      if (f.sent % 2 === 0) {
        if (msg.length > MAX_UDP) {
          f.skippedTooLarge++;
          continue;
        }
        f.udp++;
        pending.push(new Promise<void>((r) => sockets[i].send(msg, port, '127.0.0.1', () => r())));
      } else {
        let c = conns[i];
        if (!c || c.destroyed) {
          f.tcpReconnects++;
          c = conns[i] = await connect(i);
        }
        f.tcp++;
        // Each TCP message on a fresh framing point: a garbage prefix that never completes
        // would otherwise swallow everything after it; the element closes such streams.
        if (!c.write(msg)) pending.push(new Promise((r) => c!.once('drain', r).once('close', r)));
        if (rng4(f.sent) === 0) {
          c.end();
          conns[i] = undefined;
        }
      }
    }
    await Promise.all(pending);
    // Let the event loop breathe (responses arrive, sockets drain).
    await new Promise((r) => setImmediate(r));
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      const s = (lastLog - started) / 1000;
      log(`${role}: ${f.sent} sent (${Math.round(f.sent / s)}/s)`);
    }
  }
  await sleep(500);
  f.seconds = (Date.now() - started) / 1000;
  f.perSecond = Math.round(f.sent / f.seconds);
  for (const s of sockets) s.close();
  for (const c of conns) c?.destroy();
  log(
    `${role}: ${f.sent} SIP messages in ${f.seconds.toFixed(1)} s (${f.perSecond}/s), responses ${JSON.stringify(f.responses)}`,
  );
  return f;
}

/** Every 200th TCP message closes its connection (the next one opens a new stream). */
function rng4(n: number): number {
  return n % 200 === 1 ? 0 : 1;
}

/**
 * Malformed messages sent one at a time over UDP: those "parseable enough" must be answered
 * with the parse error's status and their own Call-ID; the others must be dropped.
 */
async function checkedSample(
  port: number,
  count: number,
  seeds: Buffer[],
  pool: Buffer[],
  rng: Prng,
): Promise<SipTargetFigures['checked']> {
  const out: SipTargetFigures['checked'] = {
    answered: 0,
    expectedAnswers: 0,
    wrong: [],
    dropsExpected: 0,
    dropsAnswered: 0,
  };
  const answerSocket = dgram.createSocket('udp4');
  const dropSocket = dgram.createSocket('udp4');
  const answers: Buffer[] = [];
  answerSocket.on('message', (m) => answers.push(m));
  let dropReplies = 0;
  dropSocket.on('message', () => dropReplies++);
  await new Promise<void>((r) => answerSocket.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => dropSocket.bind(0, '127.0.0.1', () => r()));
  try {
    let tries = 0;
    while (out.expectedAnswers < count && tries++ < count * 200) {
      const msg = mutate(rng.int(2) ? rng.pick(seeds) : rng.pick(pool), rng);
      if (msg.length > MAX_UDP) continue;
      const e: Expectation = expectationFor(msg);
      if (e.kind === 'parsed') continue;
      if (e.kind === 'malformed-drop') {
        if (out.dropsExpected >= count) continue;
        // Only a request-looking start line is interesting; responses are dropped by RFC
        // 3261 §18.1.2 anyway. Fire and forget: any reply on this socket is wrong.
        out.dropsExpected++;
        await new Promise<void>((r) => dropSocket.send(msg, port, '127.0.0.1', () => r()));
        continue;
      }
      out.expectedAnswers++;
      answers.length = 0;
      await new Promise<void>((r) => answerSocket.send(msg, port, '127.0.0.1', () => r()));
      const deadline = Date.now() + 3000;
      let matched = false;
      while (!matched && Date.now() < deadline) {
        await sleep(5);
        matched = answers.some((a) => {
          const t = a.toString('latin1');
          return t.startsWith(`SIP/2.0 ${e.status} `) && callIdLine(a) === e.callId;
        });
      }
      if (matched) out.answered++;
      else
        out.wrong.push(
          `expected ${e.status} for ${JSON.stringify(msg.subarray(0, 60).toString('latin1'))}, got ${answers.map((a) => a.toString('latin1').split('\r\n')[0]).join(', ') || 'nothing'}`,
        );
    }
    await sleep(1000);
    out.dropsAnswered = dropReplies;
  } finally {
    answerSocket.close();
    dropSocket.close();
  }
  return out;
}

// ---- Diameter ------------------------------------------------------------------------------

function diameterSeeds(originHost: string): DiameterMessage[] {
  const h = { originHost, originRealm: DOMAIN, destinationRealm: DOMAIN };
  const impi = `001019999999999@${DOMAIN}`;
  const impu = `sip:001019999999999@${DOMAIN}`;
  const server = `sip:scscf.${DOMAIN}:6060`;
  return [
    buildUar({ ...h, userName: impi, publicIdentity: impu, visitedNetworkIdentifier: DOMAIN }),
    buildMar({
      ...h,
      userName: impi,
      publicIdentity: impu,
      serverName: server,
      numberAuthItems: 1,
      authDataItem: { scheme: 'Digest-AKAv1-MD5' },
    }),
    buildSar({
      ...h,
      userName: impi,
      publicIdentities: [impu],
      serverName: server,
      serverAssignmentType: ServerAssignmentType.REGISTRATION,
      userDataAlreadyAvailable: 0,
    }),
    buildLir({ ...h, publicIdentity: impu }),
    createDiameterRequest('Device-Watchdog-Request', 'Base', [
      avp('Origin-Host', originHost),
      avp('Origin-Realm', DOMAIN),
    ]),
    cer(originHost),
  ];
}

function cer(originHost: string): DiameterMessage {
  return createDiameterRequest('Capabilities-Exchange-Request', 'Base', [
    avp('Origin-Host', originHost),
    avp('Origin-Realm', DOMAIN),
    avp('Host-IP-Address', { family: 1, address: '127.0.0.1' }),
    avp('Vendor-Id', 0),
    avp('Product-Name', 'fuzzer'),
    avp('Vendor-Specific-Application-Id', {
      'Vendor-Id': VENDOR_3GPP,
      'Auth-Application-Id': CX_APPLICATION_ID,
    }),
  ]);
}

/**
 * Diameter garbage over TCP: each connection opens with a valid CER (so the Cx handlers are
 * reached), then sends mutated Cx and base requests (half with the header length fixed to
 * the mutated size so the AVP decoder is exercised, not only the framer), and now and then
 * pure random bytes. Connections are cycled every 200 messages.
 */
async function floodDiameter(
  port: number,
  total: number,
  rng: Prng,
  log: (l: string) => void,
): Promise<FuzzReport['diameter']> {
  const d: FuzzReport['diameter'] = {
    sent: 0,
    answers: 0,
    resultCodes: {},
    connections: 0,
    closedByHss: 0,
    seconds: 0,
    perSecond: 0,
  };
  const started = Date.now();
  const PER_CONNECTION = 200;
  const workers = [0, 1, 2, 3].map(async (w) => {
    while (d.sent < total) {
      const originHost = `fuzz${w}-${d.connections}.${DOMAIN}`;
      d.connections++;
      const seeds = diameterSeeds(originHost).map((m, i) => {
        m.hopByHop = i + 1;
        return encodeMessage(m);
      });
      const sock = net.connect(port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      let closedByPeer = false;
      let ended = false;
      sock.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 20) {
          const len = buf.readUIntBE(1, 3);
          if (len < 20 || buf.length < len) break;
          d.answers++;
          try {
            const rc = String(decodeMessage(buf.subarray(0, len)).resultCode() ?? 'none');
            d.resultCodes[rc] = (d.resultCodes[rc] ?? 0) + 1;
          } catch {
            d.resultCodes.undecodable = (d.resultCodes.undecodable ?? 0) + 1;
          }
          buf = buf.subarray(len);
        }
      });
      sock.on('error', () => undefined);
      const closed = new Promise<void>((r) =>
        sock.once('close', () => {
          if (!ended) closedByPeer = true;
          r();
        }),
      );
      await new Promise<void>((r) => {
        sock.once('connect', () => r());
        sock.once('error', () => r());
      });
      if (sock.destroyed) continue;
      sock.write(seeds[seeds.length - 1]); // CER
      await sleep(20);
      // One connection in ten is a framing attack (raw mutations, random bytes): the HSS
      // closes it; the others keep every header length true so the AVP decoder and the Cx
      // handlers see the garbage, and the connection survives it.
      const framing = rng.int(10) === 0;
      for (let i = 0; i < PER_CONNECTION && d.sent < total && !sock.destroyed; i++) {
        d.sent++;
        let m: Buffer;
        if (framing && rng.int(4) === 0)
          m = Buffer.from(Array.from({ length: 1 + rng.int(200) }, () => rng.int(256)));
        else {
          m = mutate(rng.pick(seeds), rng);
          if (!framing) {
            while (m.length < 20) m = Buffer.concat([m, Buffer.alloc(20 - m.length)]);
            if (m.length > 0xffff) m = m.subarray(0, 0xffff);
            m = Buffer.concat([m, Buffer.alloc((4 - (m.length % 4)) % 4)]);
            m[0] = 1;
            m.writeUIntBE(m.length, 1, 3);
          }
        }
        if (!sock.write(m)) await new Promise((res) => sock.once('drain', res).once('close', res));
        if (i % 16 === 15) await new Promise((res) => setImmediate(res));
      }
      await sleep(150); // answers still on their way (the Cx handlers read sqlite)
      ended = true;
      sock.destroy();
      await closed;
      if (closedByPeer) d.closedByHss++;
      if (d.connections % 50 === 0) log(`diameter: ${d.sent} sent, ${d.answers} answers`);
    }
  });
  await Promise.all(workers);
  d.seconds = (Date.now() - started) / 1000;
  d.perSecond = Math.round(d.sent / d.seconds);
  log(
    `diameter: ${d.sent} messages in ${d.seconds.toFixed(1)} s (${d.perSecond}/s), ${d.answers} answers ${JSON.stringify(d.resultCodes)}, ${d.closedByHss}/${d.connections} connections closed by the HSS`,
  );
  return d;
}
