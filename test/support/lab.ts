/**
 * A whole IMS core for end-to-end tests: the four roles as separate processes started from
 * their built entry points (`dist/apps/<role>/main.js`, as `npm start` and docker-compose run
 * them), configured only through the environment, on free loopback ports, with a real sqlite
 * file in a temp dir. Stops only the processes it started, by PID.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The repository root: the nearest directory above this file holding package.json, so the
 * same code works from test/support (jest) and from dist/test/support (the benchmarks).
 */
export const ROOT = findRoot(__dirname);

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..');
  }
}
/** Home domain A, the lab contract's default (DESIGN.md "Lab contract"). */
export const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';
/** Home domain B: a second home network (MNC 002) for calls that cross an I-CSCF. */
export const DOMAIN_B = 'ims.mnc002.mcc001.3gppnetwork.org';

/**
 * The E.164 ranges (ENUM-style map of the S-CSCF, SCSCF_ENUM) of the two lab domains:
 * `+1555…` (the demo subscribers of apps/hss/src/seed and test/support/subscribers) live in
 * domain A, `+1556…` in domain B.
 */
export const ENUM_PREFIXES: Record<string, string[]> = {
  [DOMAIN]: ['+1555'],
  [DOMAIN_B]: ['+1556'],
};
export type Role = 'hss' | 'scscf' | 'icscf' | 'pcscf';
export const ROLES: Role[] = ['hss', 'scscf', 'icscf', 'pcscf'];

export interface LabPorts {
  pcscf: number;
  icscf: number;
  scscf: number;
  hssRest: number;
  hssDiameter: number;
  /**
   * The CSCFs' HTTP ports (/health, /metrics). Default: 0, an ephemeral port each role picks
   * and logs (a port chosen in advance may be taken by an outgoing connection meanwhile);
   * {@link Lab.httpPort} reads it back.
   */
  http?: { pcscf: number; icscf: number; scscf: number };
}

/** Ports freePort already gave out in this process (the kernel may offer a port again). */
const handedOut = new Set<number>();

/**
 * A port free on 127.0.0.1 for both UDP and TCP (SIP listens on both), and not one this
 * process got before: each probe closes its sockets, so without that check two calls in a
 * row can get the same port (a lab once gave the I-CSCF the HSS's Diameter port).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const tcp = net.createServer();
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const port = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    await new Promise<void>((resolve) => {
      try {
        udp.close(() => resolve());
      } catch {
        resolve();
      }
    });
    if (ok && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port');
}

/** Builds dist/ when an entry point is missing (a bare `npx jest` after a clean clone). */
export function ensureBuilt(): void {
  const missing = ROLES.some((r) => !fs.existsSync(path.join(ROOT, 'dist', 'apps', r, 'main.js')));
  if (missing)
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
}

/** Another home domain this lab's S-CSCF routes to (TS 24.229 §5.4.3.2: its I-CSCF). */
export interface LabPeer {
  domain: string;
  /** The peer's I-CSCF, `host:port`. */
  icscf: string;
  /** Its E.164 prefixes (`+1556`) for the S-CSCF's ENUM-style map. */
  enumPrefixes: string[];
}

export interface LabOptions {
  /** Home domain and Diameter realm of every role. Default {@link DOMAIN}. */
  domain?: string;
  /** E.164 prefixes of this domain (SCSCF_ENUM). Default {@link ENUM_PREFIXES}[domain]. */
  enumPrefixes?: string[];
  /** Other home domains the S-CSCF knows (SCSCF_ICSCFS, SCSCF_ENUM, IMS_HOSTS). */
  peers?: LabPeer[];
  /** Ports chosen in advance (a two-domain lab needs each other's I-CSCF before start). */
  ports?: LabPorts;
  /** Extra environment for every role (e.g. short timers). */
  env?: Record<string, string>;
  /** Extra environment per role. */
  roleEnv?: Partial<Record<Role, Record<string, string>>>;
  /** Keep the data dir of a previous lab (restart tests). */
  dataDir?: string;
}

interface Running {
  proc: ChildProcess;
  output: string[];
}

export class Lab {
  readonly procs = new Map<Role, Running>();
  readonly hssUrl: string;
  /** Home domain of this lab's roles. */
  readonly domain: string;

  private constructor(
    readonly ports: LabPorts,
    readonly dataDir: string,
    private readonly options: LabOptions,
  ) {
    this.hssUrl = `http://127.0.0.1:${ports.hssRest}`;
    this.domain = options.domain ?? DOMAIN;
  }

  /** Free loopback ports for one lab. */
  static async allocatePorts(): Promise<LabPorts> {
    return {
      pcscf: await freePort(),
      icscf: await freePort(),
      scscf: await freePort(),
      hssRest: await freePort(),
      hssDiameter: await freePort(),
    };
  }

  static async start(options: LabOptions = {}): Promise<Lab> {
    ensureBuilt();
    const ports = options.ports ?? (await Lab.allocatePorts());
    const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ims-lab-'));
    const lab = new Lab(ports, dataDir, options);
    try {
      for (const role of ROLES) await lab.startRole(role);
    } catch (err) {
      await lab.stop();
      throw err;
    }
    return lab;
  }

  get scscfName(): string {
    return `sip:scscf.${this.domain}:${this.ports.scscf}`;
  }

  /** This lab's I-CSCF as another domain's S-CSCF reaches it (a {@link LabPeer}). */
  get asPeer(): LabPeer {
    return {
      domain: this.domain,
      icscf: `127.0.0.1:${this.ports.icscf}`,
      enumPrefixes: this.options.enumPrefixes ?? ENUM_PREFIXES[this.domain] ?? [],
    };
  }

  /** The P-CSCF as a UE's outbound proxy. */
  pcscf(transport: 'UDP' | 'TCP' = 'UDP'): {
    host: string;
    port: number;
    transport: 'UDP' | 'TCP';
  } {
    return { host: '127.0.0.1', port: this.ports.pcscf, transport };
  }

  /** The environment of one role: the contract variables of docs/configuration.md. */
  env(role: Role): Record<string, string> {
    const p = this.ports;
    const hss = `127.0.0.1:${p.hssDiameter}`;
    const domain = this.domain;
    // Every home domain the S-CSCF routes to, its own first (TS 24.229 §5.4.3.2: a request
    // for a user of a home domain goes to that domain's I-CSCF, the own one included).
    const homes: LabPeer[] = [this.asPeer, ...(this.options.peers ?? [])];
    const enumMap = homes.flatMap((h) => h.enumPrefixes.map((prefix) => `${prefix}=${h.domain}`));
    // The peers' element names resolve to loopback too (IMS_HOSTS), for Record-Route and
    // Via entries of the other domain's CSCFs.
    const peerHosts = (this.options.peers ?? []).flatMap((h) =>
      ['pcscf', 'icscf', 'scscf', 'hss']
        .map((e) => `${e}.${h.domain}=127.0.0.1`)
        .concat(`${h.domain}=127.0.0.1`),
    );
    const common: Record<string, string> = {
      IMS_DOMAIN: domain,
      ...(peerHosts.length ? { IMS_HOSTS: peerHosts.join(',') } : {}),
      HSS_REST_HOST: '127.0.0.1',
      HSS_REST_PORT: String(p.hssRest),
      HSS_DIAMETER_HOST: '127.0.0.1',
      HSS_DIAMETER_PORT: String(p.hssDiameter),
      HSS_DB_PATH: path.join(this.dataDir, 'hss.sqlite'),
      // The CSCFs' registrations (issue 9 crashes): in this lab's own temp dir, never ./data.
      SCSCF_DB_PATH: path.join(this.dataDir, 'scscf.sqlite'),
      PCSCF_DB_PATH: path.join(this.dataDir, 'pcscf.sqlite'),
      HSS_SCSCF_NAMES: this.scscfName,
      SCSCF_SIP_HOST: '127.0.0.1',
      SCSCF_SIP_PORT: String(p.scscf),
      SCSCF_NAME: this.scscfName,
      SCSCF_HSS: hss,
      SCSCF_ICSCFS: homes.map((h) => `${h.domain}=${h.icscf}`).join(','),
      ...(enumMap.length ? { SCSCF_ENUM: enumMap.join(',') } : {}),
      ICSCF_SIP_HOST: '127.0.0.1',
      ICSCF_SIP_PORT: String(p.icscf),
      ICSCF_HSS: hss,
      ICSCF_SCSCFS: this.scscfName,
      PCSCF_SIP_HOST: '127.0.0.1',
      PCSCF_SIP_PORT: String(p.pcscf),
      PCSCF_ICSCF: `${domain}=127.0.0.1:${p.icscf}`,
      PCSCF_HTTP_PORT: String(p.http?.pcscf ?? 0),
      ICSCF_HTTP_PORT: String(p.http?.icscf ?? 0),
      SCSCF_HTTP_PORT: String(p.http?.scscf ?? 0),
    };
    return { ...common, ...this.options.env, ...this.options.roleEnv?.[role] };
  }

  async startRole(role: Role): Promise<void> {
    const entry = path.join(ROOT, 'dist', 'apps', role, 'main.js');
    const env = { ...process.env, ...this.env(role) };
    const proc = spawn(process.execPath, [entry], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running: Running = { proc, output: [] };
    const keep = (d: Buffer) => {
      running.output.push(d.toString());
      if (running.output.length > 2000) running.output.splice(0, 1000);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    this.procs.set(role, running);
    await this.waitReady(role);
  }

  /**
   * Waits until the role serves: the HSS answers /health, a CSCF's SIP TCP port accepts. 60 s:
   * a role boots in about a second, but several labs starting at once on a loaded 2-core
   * machine were seen taking over 20 s.
   */
  private async waitReady(role: Role, timeoutMs = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const running = this.procs.get(role)!;
    while (Date.now() < deadline) {
      if (running.proc.exitCode !== null) {
        throw new Error(
          `${role} exited with ${running.proc.exitCode}:\n${running.output.join('')}`,
        );
      }
      if (await this.isReady(role)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${role} not ready within ${timeoutMs} ms:\n${running.output.join('')}`);
  }

  private async isReady(role: Role): Promise<boolean> {
    if (role === 'hss') {
      try {
        const res = await fetch(`${this.hssUrl}/health`);
        return res.ok;
      } catch {
        return false;
      }
    }
    const port = this.ports[role];
    return new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  }

  /**
   * Waits until the HSS sees the Diameter peers of the S-CSCF and the I-CSCF open. 45 s: two
   * labs starting at once on a loaded 2-core machine once took longer than 15 s, for a reason
   * not found (the CSCFs retry the HSS after 0.2 s, doubling up to 5 s: HssClient's default
   * backoff). The error names what the HSS and the lab's roles said, so a peer that never comes
   * up shows why.
   */
  async waitForCxPeers(count = 2, timeoutMs = 45000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = 'no /health answer';
    while (Date.now() < deadline) {
      try {
        const h = (await (await fetch(`${this.hssUrl}/health`)).json()) as {
          diameter?: { peers?: { state: string }[] };
        };
        const peers = h.diameter?.peers ?? [];
        seen = JSON.stringify(peers);
        const open = peers.filter((p) => /open/i.test(p.state)).length;
        if (open >= count) return;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const said = ROLES.map((r) => `--- ${r}:\n${this.logs(r).slice(-1500)}`).join('\n');
    throw new Error(
      `HSS did not see ${count} open Cx peers within ${timeoutMs} ms (its peers: ${seen})\n${said}`,
    );
  }

  /** Stops one role by PID (SIGTERM, then SIGKILL after a grace period), or kills it. */
  async stopRole(role: Role, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const running = this.procs.get(role);
    if (!running || running.proc.exitCode !== null || running.proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => running.proc.kill('SIGKILL'), 5000);
      running.proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      running.proc.kill(signal);
    });
  }

  async stop(): Promise<void> {
    for (const role of [...ROLES].reverse()) await this.stopRole(role);
  }

  logs(role: Role): string {
    return this.procs.get(role)?.output.join('') ?? '';
  }

  /**
   * A role's last `max` warning, error and fatal log lines (the roles log JSON lines with a
   * "level"), plus any line matching `also`: what a failure report quotes from the lab.
   */
  warnings(role: Role, max: number, also?: RegExp): string[] {
    return this.logs(role)
      .split('\n')
      .filter((l) => /"level":"(warn|error|fatal)"/.test(l) || (also !== undefined && also.test(l)))
      .slice(-max);
  }

  /** The HTTP port a CSCF serves /health and /metrics on, from its start-up log line. */
  httpPort(role: Exclude<Role, 'hss'>): number | undefined {
    const fixed = this.ports.http?.[role];
    if (fixed) return fixed;
    // The last start-up line: a role restarted under the lab (killRole/startRole) logs a new
    // ephemeral port after the old one.
    const all = [...this.logs(role).matchAll(/\/health (?:and )?\/metrics (?:on )?\S*?:(\d+)/g)];
    return all.length ? Number(all[all.length - 1][1]) : undefined;
  }

  /**
   * The Prometheus text of a role's /metrics (the HSS's on its REST port), as
   * `name{labels}` -> value; undefined when the role serves none.
   */
  async metrics(role: Role): Promise<Map<string, number> | undefined> {
    const port = role === 'hss' ? this.ports.hssRest : this.httpPort(role);
    if (!port) return undefined;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
    if (!res?.ok) return undefined;
    const out = new Map<string, number>();
    for (const line of (await res.text()).split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const at = line.lastIndexOf(' ');
      out.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
    return out;
  }

  /** REST helper against the HSS. */
  async rest<T = unknown>(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.hssUrl}${url}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

/** Two home domains, A and B, each a whole {@link Lab}, whose S-CSCFs know both. */
export interface TwoDomainLab {
  a: Lab;
  b: Lab;
  stop(): Promise<void>;
}

/**
 * Starts two labs (domain A {@link DOMAIN}, domain B {@link DOMAIN_B}), each with its own
 * HSS, I-, S- and P-CSCF on free ports; each S-CSCF routes requests for the other domain's
 * users (SIP URIs of that domain, or tel URIs in its {@link ENUM_PREFIXES}) to that domain's
 * I-CSCF (SCSCF_ICSCFS, SCSCF_ENUM), so an inter-domain call crosses an I-CSCF as DESIGN.md
 * "Calls" draws it. `options` applies to both (its `domain`, `ports` and `peers` are ignored).
 */
export async function startTwoDomains(options: LabOptions = {}): Promise<TwoDomainLab> {
  const portsA = await Lab.allocatePorts();
  const portsB = await Lab.allocatePorts();
  const peer = (domain: string, ports: LabPorts): LabPeer => ({
    domain,
    icscf: `127.0.0.1:${ports.icscf}`,
    enumPrefixes: ENUM_PREFIXES[domain],
  });
  const base = { ...options, dataDir: undefined };
  const a = await Lab.start({
    ...base,
    domain: DOMAIN,
    ports: portsA,
    peers: [peer(DOMAIN_B, portsB)],
  });
  let b: Lab;
  try {
    b = await Lab.start({
      ...base,
      domain: DOMAIN_B,
      ports: portsB,
      peers: [peer(DOMAIN, portsA)],
    });
  } catch (err) {
    await a.stop();
    throw err;
  }
  return {
    a,
    b,
    stop: async () => {
      await b.stop();
      await a.stop();
    },
  };
}
