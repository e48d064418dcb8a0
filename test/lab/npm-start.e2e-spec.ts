/**
 * `npm start` for real: the built launcher (`dist/scripts/lab.js`) with its ports moved to free
 * ones and its data dir to a temp dir (LAB_DATA_DIR). It must wait for every role, print the
 * banner, answer SIP OPTIONS on the P-CSCF and REST on the HSS, register a demo subscriber with
 * the SIPp command the banner shows, stop every child on Ctrl-C (SIGINT), and keep the data
 * across a restart.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { UeSimulator } from '@lib/ims';
import {
  BANNER_READY,
  DEMO_MD5_SUBSCRIBER,
  DEFAULT_DOMAIN_B,
  demoSippOptions,
  LabSettings,
  labSettings,
  md5SubscriberBody,
  secondDomainSettings,
  sippCommandLine,
} from '../../scripts/lab';
import { runSipp } from '../../scripts/sipp';
import { asciiHex, DEMO_SUBSCRIBERS } from '../../apps/hss/src/seed/demo-subscribers';
import { freePort, ROOT } from '../support/lab';
import { DIST_SCRIPTS, ensureScriptsBuilt } from './built';

jest.setTimeout(60000);

interface Launched {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function launch(env: Record<string, string>): Launched {
  const proc = spawn(process.execPath, [path.join(DIST_SCRIPTS, 'lab.js')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => chunks.push(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => chunks.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => chunks.join(''), exited };
}

async function waitForBanner(l: Launched, timeoutMs = 45000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const out = l.output();
    if (out.includes(BANNER_READY)) return out;
    if (l.proc.exitCode !== null) throw new Error(`launcher exited ${l.proc.exitCode}:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no banner within ${timeoutMs} ms:\n${l.output()}`);
}

/** The child PIDs the banner lists, by element. */
function bannerPids(banner: string): Map<string, number> {
  const pids = new Map<string, number>();
  for (const m of banner.matchAll(/^(P-CSCF|I-CSCF|S-CSCF|HSS) .*pid (\d+)\s*$/gm)) {
    pids.set(m[1], Number(m[2]));
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ctrl-C: SIGINT to the launcher's PID, then its exit code. */
async function interrupt(l: Launched): Promise<number | null> {
  l.proc.kill('SIGINT');
  const guard = setTimeout(() => l.proc.kill('SIGKILL'), 15000);
  const code = await l.exited;
  clearTimeout(guard);
  return code;
}

/** One SIP OPTIONS over UDP (RFC 3261 §11) to the P-CSCF; resolves with the response text. */
function sendOptions(port: number): Promise<string> {
  const sock = dgram.createSocket('udp4');
  const callId = `${randomBytes(6).toString('hex')}@lab-test`;
  return new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => {
      sock.close();
      reject(new Error('no answer to OPTIONS within 4 s'));
    }, 4000);
    sock.on('message', (msg) => {
      const text = msg.toString();
      if (!text.includes(callId)) return;
      clearTimeout(t);
      sock.close();
      resolve(text);
    });
    sock.bind(0, '127.0.0.1', () => {
      const local = sock.address().port;
      const request = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
        'Max-Forwards: 70',
        `From: <sip:lab-test@127.0.0.1>;tag=${randomBytes(4).toString('hex')}`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: ${callId}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      sock.send(request, port, '127.0.0.1');
    });
  });
}

describe('npm start (dist/scripts/lab.js)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-start-'));
  let env: Record<string, string>;
  let settings: LabSettings;
  let lab: Launched | undefined;
  let banner = '';

  beforeAll(async () => {
    ensureScriptsBuilt('lab');
    env = {
      LAB_DATA_DIR: dataDir,
      HSS_REST_PORT: String(await freePort()),
      HSS_DIAMETER_PORT: String(await freePort()),
      SCSCF_SIP_PORT: String(await freePort()),
      ICSCF_SIP_PORT: String(await freePort()),
      PCSCF_SIP_PORT: String(await freePort()),
    };
    settings = labSettings(env);
    lab = launch(env);
    banner = await waitForBanner(lab);
  });

  afterAll(async () => {
    if (lab && lab.proc.exitCode === null) await interrupt(lab);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the endpoints, the demo subscribers, the SIPp command and softphone settings', () => {
    const p = settings.ports;
    expect(banner).toContain(`REST http://127.0.0.1:${p.hssRest}`);
    expect(banner).toContain(`Diameter Cx TCP 127.0.0.1:${p.hssDiameter}`);
    for (const port of [p.pcscf, p.icscf, p.scscf]) {
      expect(banner).toContain(`SIP UDP+TCP 127.0.0.1:${port}`);
    }
    for (const d of DEMO_SUBSCRIBERS) expect(banner).toContain(`IMPI ${d.imsi}@${settings.domain}`);
    expect(banner).toContain(sippCommandLine(demoSippOptions(settings)));
    expect(banner).toContain(`proxy sip:127.0.0.1:${p.pcscf}`);
    expect(bannerPids(banner).get('HSS')).toBeGreaterThan(0);
  });

  it('answers REST on the HSS with the seeded demo subscribers', async () => {
    for (const d of DEMO_SUBSCRIBERS) {
      const res = await fetch(`http://127.0.0.1:${settings.ports.hssRest}/subscribers/${d.imsi}`);
      expect(res.status).toBe(200);
    }
    // The MD5 subscriber the banner tells softphone users to provision is accepted as shown.
    const res = await fetch(`http://127.0.0.1:${settings.ports.hssRest}/subscribers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(md5SubscriberBody()),
    });
    expect(res.status).toBe(201);
  });

  it('answers SIP OPTIONS on the P-CSCF', async () => {
    const answer = await sendOptions(settings.ports.pcscf);
    expect(answer).toMatch(/^SIP\/2\.0 200 /);
    expect(answer).toMatch(/CSeq: 1 OPTIONS/i);
  });

  it('registers the MD5 demo subscriber with the softphone settings of the banner', async () => {
    // The user, auth user, password, domain and proxy lines a Linphone/baresip user copies.
    const d = settings.domain;
    const m = DEMO_MD5_SUBSCRIBER;
    expect(banner).toContain(`user ${m.imsi}  auth user ${m.imsi}@${d}  password ${m.password}`);
    const ue = await UeSimulator.start({
      impi: `${m.imsi}@${d}`,
      impu: `sip:${m.imsi}@${d}`,
      domain: d,
      pcscf: { host: '127.0.0.1', port: settings.ports.pcscf, transport: 'TCP' },
      credentials: { password: m.password },
      timers: { T1: 100 },
    });
    try {
      const r = await ue.register();
      expect(r.status).toBe(200);
      expect(r.responses[0].get('WWW-Authenticate')).toMatch(/algorithm=MD5/i);
    } finally {
      await ue.close();
    }
  });

  it('registers a demo subscriber with the banner SIPp command', async () => {
    const r = await runSipp(demoSippOptions(settings));
    expect({ exit: r.exitCode, ok: r.successful, errors: r.errors }).toEqual({
      exit: 0,
      ok: 1,
      errors: '',
    });
  });

  it('places a call with the banner SIPp commands (callee registers and answers, caller calls)', async () => {
    // The four lines the banner prints after "SIPp, <caller> calls <callee>", run as a user
    // pastes them: the callee registers, its UAS waits in the background, the caller
    // registers and places one call through P, S, I, S, P.
    const start = banner.indexOf('\nSIPp, ');
    const lines = banner
      .slice(start)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('sipp -sf test/sipp/call-'))
      .slice(0, 4);
    expect(lines).toHaveLength(4);
    const run = (line: string) => {
      // `exec`: the child's PID is SIPp's, so a stuck run can be stopped by PID.
      const proc = spawn('sh', ['-c', `exec ${line}`], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: string[] = [];
      proc.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
      proc.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
      const code = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
      return { proc, code, out: () => out.join('') };
    };
    const calleeRegistered = run(lines[0]);
    expect(await calleeRegistered.code).toBe(0);
    const uas = run(lines[1]);
    try {
      await new Promise((r) => setTimeout(r, 1000)); // the UAS binds its port
      const callerRegistered = run(lines[2]);
      expect(await callerRegistered.code).toBe(0);
      const uac = run(lines[3]);
      const uacCode = await uac.code;
      expect({ code: uacCode, out: uacCode === 0 ? '' : uac.out().slice(-2000) }).toEqual({
        code: 0,
        out: '',
      });
      expect(uac.out()).toMatch(/Successful call\s+\|\s+\d+\s+\|\s+1\b/);
      expect(await uas.code).toBe(0);
    } finally {
      if (uas.proc.exitCode === null) uas.proc.kill('SIGINT');
    }
  }, 90000);

  it('stops every child on Ctrl-C and keeps the data for the next start', async () => {
    const pids = bannerPids(banner);
    expect(pids.size).toBeGreaterThan(0);
    for (const pid of pids.values()) expect(alive(pid)).toBe(true);
    expect(await interrupt(lab!)).toBe(0);
    for (const [element, pid] of pids)
      expect({ element, alive: alive(pid) }).toEqual({ element, alive: false });
    expect(fs.existsSync(path.join(dataDir, 'hss.sqlite'))).toBe(true);

    // Restart on the same data dir: the subscriber provisioned above is still there.
    lab = launch(env);
    await waitForBanner(lab);
    const res = await fetch(
      `http://127.0.0.1:${settings.ports.hssRest}/subscribers/${DEMO_MD5_SUBSCRIBER.imsi}`,
    );
    expect(res.status).toBe(200);
    expect(lab.output()).toMatch(/not seeded/);
    expect(await interrupt(lab)).toBe(0);
  });
});

describe('npm start with a port already in use', () => {
  it('names the variable that moves it and starts nothing', async () => {
    ensureScriptsBuilt('lab');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-busy-'));
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const busy = (holder.address() as net.AddressInfo).port;
    try {
      const l = launch({
        LAB_DATA_DIR: dataDir,
        HSS_REST_PORT: String(await freePort()),
        HSS_DIAMETER_PORT: String(await freePort()),
        SCSCF_SIP_PORT: String(await freePort()),
        ICSCF_SIP_PORT: String(await freePort()),
        PCSCF_SIP_PORT: String(busy),
      });
      const guard = setTimeout(() => l.proc.kill('SIGKILL'), 15000);
      const code = await l.exited;
      clearTimeout(guard);
      expect(code).toBe(1);
      expect(l.output()).toContain(`PCSCF_SIP_PORT=${busy} (P-CSCF SIP UDP+TCP)`);
      expect(l.output()).not.toContain(BANNER_READY);
      expect(l.output()).not.toMatch(/HSS up/);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** A free port whose + `offset` is free too (the second domain's ports are shifted). */
async function freeShiftedPort(offset: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (port + offset > 65535) continue;
    const probe = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port + offset, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free shifted port');
}

describe('npm start with LAB_DOMAIN_B=true (a second home domain)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-two-'));
  let lab: Launched | undefined;

  afterAll(async () => {
    if (lab && lab.proc.exitCode === null) await interrupt(lab);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts both domains, seeds both HSSs, registers in B, and stops all eight roles', async () => {
    ensureScriptsBuilt('lab');
    const env = {
      LAB_DATA_DIR: dataDir,
      LAB_DOMAIN_B: 'true',
      HSS_REST_PORT: String(await freeShiftedPort(1)),
      HSS_DIAMETER_PORT: String(await freeShiftedPort(1)),
      SCSCF_SIP_PORT: String(await freeShiftedPort(10)),
      ICSCF_SIP_PORT: String(await freeShiftedPort(10)),
      PCSCF_SIP_PORT: String(await freeShiftedPort(10)),
    };
    const a = labSettings(env);
    const b = secondDomainSettings(a, env)!;
    expect(b.domain).toBe(DEFAULT_DOMAIN_B);
    lab = launch(env);
    const banner = await waitForBanner(lab, 60000);
    expect(banner).toContain(`second home domain (LAB_DOMAIN_B): ${DEFAULT_DOMAIN_B}`);
    expect(banner).toContain(`P-CSCF SIP UDP+TCP 127.0.0.1:${b.ports.pcscf}`);
    expect(banner).toContain(`-> I-CSCF 127.0.0.1:${b.ports.icscf}`);
    const pidsB = [...banner.matchAll(/^ {2}(?:P-CSCF|I-CSCF|S-CSCF|HSS) .*pid (\d+)\s*$/gm)].map(
      (m) => Number(m[1]),
    );
    const pids = [...bannerPids(banner).values(), ...pidsB];
    expect(new Set(pids).size).toBe(8);

    // Domain B's HSS is seeded with the demo subscribers, in domain B.
    const d = DEMO_SUBSCRIBERS[0];
    const res = await fetch(`http://127.0.0.1:${b.ports.hssRest}/subscribers/${d.imsi}`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain(`sip:${d.imsi}@${DEFAULT_DOMAIN_B}`);
    const ue = await UeSimulator.start({
      impi: `${d.imsi}@${b.domain}`,
      impu: `sip:${d.imsi}@${b.domain}`,
      domain: b.domain,
      pcscf: { host: '127.0.0.1', port: b.ports.pcscf, transport: 'UDP' },
      credentials: { k: asciiHex(d.kText), op: asciiHex(d.opText) },
      timers: { T1: 100 },
    });
    try {
      const r = await ue.register();
      expect(r.status).toBe(200);
      expect(r.serviceRoutes[0]).toContain(`scscf.${b.domain}:${b.ports.scscf}`);
    } finally {
      await ue.close();
    }

    expect(await interrupt(lab)).toBe(0);
    for (const pid of pids) expect({ pid, alive: alive(pid) }).toEqual({ pid, alive: false });
    expect(fs.existsSync(path.join(dataDir, 'domain-b', 'hss.sqlite'))).toBe(true);
  }, 150000);
});
