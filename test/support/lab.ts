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
export const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';
export type Role = 'hss' | 'scscf' | 'icscf' | 'pcscf';
export const ROLES: Role[] = ['hss', 'scscf', 'icscf', 'pcscf'];

export interface LabPorts {
  pcscf: number;
  icscf: number;
  scscf: number;
  hssRest: number;
  hssDiameter: number;
}

/** A port free on 127.0.0.1 for both UDP and TCP (SIP listens on both). */
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
    if (ok) return port;
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

export interface LabOptions {
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

  private constructor(
    readonly ports: LabPorts,
    readonly dataDir: string,
    private readonly options: LabOptions,
  ) {
    this.hssUrl = `http://127.0.0.1:${ports.hssRest}`;
  }

  static async start(options: LabOptions = {}): Promise<Lab> {
    ensureBuilt();
    const ports: LabPorts = {
      pcscf: await freePort(),
      icscf: await freePort(),
      scscf: await freePort(),
      hssRest: await freePort(),
      hssDiameter: await freePort(),
    };
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
    return `sip:scscf.${DOMAIN}:${this.ports.scscf}`;
  }

  /** The environment of one role: the contract variables of docs/configuration.md. */
  env(role: Role): Record<string, string> {
    const p = this.ports;
    const hss = `127.0.0.1:${p.hssDiameter}`;
    const common: Record<string, string> = {
      IMS_DOMAIN: DOMAIN,
      HSS_REST_HOST: '127.0.0.1',
      HSS_REST_PORT: String(p.hssRest),
      HSS_DIAMETER_HOST: '127.0.0.1',
      HSS_DIAMETER_PORT: String(p.hssDiameter),
      HSS_DB_PATH: path.join(this.dataDir, 'hss.sqlite'),
      HSS_SCSCF_NAMES: this.scscfName,
      SCSCF_SIP_HOST: '127.0.0.1',
      SCSCF_SIP_PORT: String(p.scscf),
      SCSCF_NAME: this.scscfName,
      SCSCF_HSS: hss,
      ICSCF_SIP_HOST: '127.0.0.1',
      ICSCF_SIP_PORT: String(p.icscf),
      ICSCF_HSS: hss,
      ICSCF_SCSCFS: this.scscfName,
      PCSCF_SIP_HOST: '127.0.0.1',
      PCSCF_SIP_PORT: String(p.pcscf),
      PCSCF_ICSCF: `${DOMAIN}=127.0.0.1:${p.icscf}`,
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

  /** Waits until the role serves: the HSS answers /health, a CSCF's SIP TCP port accepts. */
  private async waitReady(role: Role, timeoutMs = 20000): Promise<void> {
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

  /** Waits until the HSS sees the Diameter peers of the S-CSCF and the I-CSCF open. */
  async waitForCxPeers(count = 2, timeoutMs = 15000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const h = (await (await fetch(`${this.hssUrl}/health`)).json()) as {
          diameter?: { peers?: { state: string }[] };
        };
        const open = (h.diameter?.peers ?? []).filter((p) => /open/i.test(p.state)).length;
        if (open >= count) return;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`HSS did not see ${count} open Cx peers within ${timeoutMs} ms`);
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
