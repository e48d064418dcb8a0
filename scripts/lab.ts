/**
 * `npm start`: the whole core on loopback. Each role runs as its own process from its built
 * entry point (`dist/apps/<role>/main.js`), exactly as a docker-compose service would, with
 * its configuration in the environment. The HSS keeps its sqlite file under ./data (or
 * LAB_DATA_DIR) and is seeded with the demo subscribers on first start. The launcher waits
 * until every role serves (HSS `GET /health`, the CSCFs' SIP TCP ports), prints a banner with
 * the endpoints, the demo subscribers, a ready-to-paste SIPp command and softphone settings,
 * and stops everything gracefully on Ctrl-C.
 *
 * Environment (all optional): IMS_DOMAIN, LAB_DATA_DIR, LAB_READY_TIMEOUT_MS, and the roles'
 * own port variables (HSS_REST_PORT, HSS_DIAMETER_PORT, SCSCF_SIP_PORT, ICSCF_SIP_PORT,
 * PCSCF_SIP_PORT): the launcher derives every cross-reference (SCSCF_HSS, ICSCF_SCSCFS,
 * PCSCF_ICSCF, ...) from them. Any other role variable passes through unchanged, and a
 * cross-reference set explicitly wins over the derived one.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  asciiHex,
  DEMO_SUBSCRIBERS,
  DemoSubscriber,
  sippAuthentication,
} from '../apps/hss/src/seed/demo-subscribers';
import type { SippOptions } from './sipp';

/** The repository root, from `scripts/` (ts) and from `dist/scripts/` (built). */
export const LAB_ROOT = fs.existsSync(path.resolve(__dirname, '..', 'package.json'))
  ? path.resolve(__dirname, '..')
  : path.resolve(__dirname, '..', '..');

export const DEFAULT_DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';

export type LabRole = 'hss' | 'scscf' | 'icscf' | 'pcscf';

/** The roles, in the order of a REGISTER's Cx dependencies: the HSS first. */
export const LAB_ROLES: readonly LabRole[] = ['hss', 'scscf', 'icscf', 'pcscf'];

/** Where the lab listens and keeps its data (DESIGN.md "Lab contract"). */
export interface LabSettings {
  domain: string;
  /** Every role binds this loopback address. */
  host: string;
  dataDir: string;
  ports: { hssRest: number; hssDiameter: number; scscf: number; icscf: number; pcscf: number };
}

/** A demo subscriber that authenticates with SIP Digest (MD5), for Linphone and baresip. */
export interface DemoMd5Subscriber {
  imsi: string;
  msisdn: string;
  password: string;
}

/**
 * The seed of the HSS has AKA subscribers only, and Linphone and baresip do MD5 only: the
 * banner shows how to provision this one (`POST /subscribers`). PUBLISHED TEST PASSWORD.
 */
export const DEMO_MD5_SUBSCRIBER: DemoMd5Subscriber = {
  imsi: '001010000000100',
  msisdn: '15550100',
  password: 'ims-lab-demo',
};

export class LabConfigError extends Error {
  constructor(variable: string, message: string) {
    super(`${variable} ${message}`);
    this.name = 'LabConfigError';
  }
}

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d{1,5}$/.test(raw.trim()) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new LabConfigError(name, `must be a port 1..65535 (got "${raw}")`);
  }
  return Number(raw);
}

/** The lab's settings from the environment, with the defaults of DESIGN.md. */
export function labSettings(env: NodeJS.ProcessEnv = process.env, root = LAB_ROOT): LabSettings {
  const domain = env.IMS_DOMAIN?.trim() || DEFAULT_DOMAIN;
  return {
    domain,
    host: '127.0.0.1',
    dataDir: path.resolve(root, env.LAB_DATA_DIR?.trim() || 'data'),
    ports: {
      hssRest: portFrom(env, 'HSS_REST_PORT', 8080),
      hssDiameter: portFrom(env, 'HSS_DIAMETER_PORT', 3868),
      scscf: portFrom(env, 'SCSCF_SIP_PORT', 6060),
      icscf: portFrom(env, 'ICSCF_SIP_PORT', 4060),
      pcscf: portFrom(env, 'PCSCF_SIP_PORT', 5060),
    },
  };
}

/** The S-CSCF's SIP URI (SCSCF_NAME, HSS_SCSCF_NAMES, ICSCF_SCSCFS). */
export function scscfUri(s: LabSettings): string {
  return `sip:scscf.${s.domain}:${s.ports.scscf}`;
}

/**
 * The environment of one role: the contract variables of docs/configuration.md derived from
 * the settings, under whatever the caller's environment sets explicitly.
 */
export function roleEnv(
  role: LabRole,
  s: LabSettings,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const hss = `${s.host}:${s.ports.hssDiameter}`;
  const derived: Record<LabRole, Record<string, string>> = {
    hss: {
      HSS_REST_HOST: s.host,
      HSS_REST_PORT: String(s.ports.hssRest),
      HSS_DIAMETER_HOST: s.host,
      HSS_DIAMETER_PORT: String(s.ports.hssDiameter),
      HSS_DB_PATH: path.join(s.dataDir, 'hss.sqlite'),
      HSS_SEED_DEMO: 'true',
      HSS_SCSCF_NAMES: scscfUri(s),
    },
    scscf: {
      SCSCF_SIP_HOST: s.host,
      SCSCF_SIP_PORT: String(s.ports.scscf),
      SCSCF_NAME: scscfUri(s),
      SCSCF_HSS: hss,
    },
    icscf: {
      ICSCF_SIP_HOST: s.host,
      ICSCF_SIP_PORT: String(s.ports.icscf),
      ICSCF_HSS: hss,
      ICSCF_SCSCFS: scscfUri(s),
    },
    pcscf: {
      PCSCF_SIP_HOST: s.host,
      PCSCF_SIP_PORT: String(s.ports.pcscf),
      PCSCF_ICSCF: `${s.domain}=${s.host}:${s.ports.icscf}`,
    },
  };
  const out: Record<string, string> = { IMS_DOMAIN: s.domain };
  for (const [name, value] of Object.entries(derived[role])) {
    const explicit = env[name];
    out[name] = explicit !== undefined && explicit.trim() !== '' ? explicit : value;
  }
  return out;
}

/** The SIPp injection file of the demo subscribers (one line each; see the scenario's header). */
export function demoSippCsv(
  domain: string,
  subscribers: readonly DemoSubscriber[] = DEMO_SUBSCRIBERS,
): string {
  const lines = subscribers.map((d) => `${d.imsi};${domain};${sippAuthentication(d, domain)};`);
  return ['SEQUENTIAL', ...lines].join('\n') + '\n';
}

/** Where the launcher writes the demo injection file. */
export function demoSippCsvPath(s: LabSettings): string {
  return path.join(s.dataDir, 'sipp-demo-ue.csv');
}

/** SIPp registering (then de-registering) the first demo subscriber through the P-CSCF. */
export function demoSippOptions(s: LabSettings, root = LAB_ROOT): SippOptions {
  return {
    scenario: path.join(root, 'docker', 'sipp', 'ims-aka-register.xml'),
    target: { host: s.host, port: s.ports.pcscf },
    transport: 'u1',
    localHost: s.host,
    calls: 1,
    rate: 1,
    injectionFile: demoSippCsvPath(s),
    authUri: s.domain,
    timeoutSec: 30,
  };
}

/** A short SIPp command line for people (scripts/sipp.ts adds its logging options). */
export function sippCommandLine(o: SippOptions, root = LAB_ROOT): string {
  const rel = (p: string) => (p.startsWith(root + path.sep) ? path.relative(root, p) : p);
  const host = o.target.host.includes(':') ? `[${o.target.host}]` : o.target.host;
  const args = ['sipp', '-sf', rel(o.scenario)];
  if (o.injectionFile) args.push('-inf', rel(o.injectionFile));
  if (o.authUri) args.push('-auth_uri', o.authUri);
  args.push('-i', o.localHost ?? '127.0.0.1', '-t', o.transport ?? 'u1', '-m', String(o.calls));
  args.push('-timeout', `${o.timeoutSec}s`, '-timeout_error');
  args.push('-default_behaviors', 'abortunexp,pingreply', `${host}:${o.target.port}`);
  return args.join(' ');
}

/** The `POST /subscribers` body of the MD5 demo subscriber. */
export function md5SubscriberBody(d: DemoMd5Subscriber = DEMO_MD5_SUBSCRIBER): object {
  return { imsi: d.imsi, msisdn: d.msisdn, authScheme: 'SIP Digest', password: d.password };
}

export interface StartedRole {
  role: LabRole;
  pid: number;
}

/** Marks the end of start-up in the output (tests wait for it). */
export const BANNER_READY = '[lab] ready';

/** The banner printed once every started role serves. */
export function banner(
  s: LabSettings,
  started: readonly StartedRole[],
  skipped: readonly LabRole[],
  root = LAB_ROOT,
): string {
  const d = s.domain;
  const p = s.ports;
  const h = s.host;
  const pid = (r: LabRole) => {
    const x = started.find((e) => e.role === r);
    return x ? `pid ${x.pid}` : 'not running';
  };
  const first = DEMO_SUBSCRIBERS[0];
  const md5 = DEMO_MD5_SUBSCRIBER;
  const lines = [
    '',
    '================================ IMS lab ================================',
    `home domain / Diameter realm: ${d}`,
    '',
    'element  listens                               process',
    `P-CSCF   SIP UDP+TCP ${h}:${p.pcscf}`.padEnd(48) + pid('pcscf'),
    `I-CSCF   SIP UDP+TCP ${h}:${p.icscf}`.padEnd(48) + pid('icscf'),
    `S-CSCF   SIP UDP+TCP ${h}:${p.scscf}`.padEnd(48) + pid('scscf'),
    `HSS      Diameter Cx TCP ${h}:${p.hssDiameter}`.padEnd(48) + pid('hss'),
    `HSS      REST http://${h}:${p.hssRest} (/docs)`.padEnd(48) + pid('hss'),
    ...(skipped.length ? ['', `not built, skipped: ${skipped.join(', ')}`] : []),
    `data: ${path.join(s.dataDir, 'hss.sqlite')} (kept across restarts)`,
    '',
    'demo subscribers (IMS AKA, AKAv1-MD5, AMF 8000; PUBLISHED TEST KEYS):',
    ...DEMO_SUBSCRIBERS.map(
      (x) =>
        `  IMPI ${x.imsi}@${d}  IMPU sip:${x.imsi}@${d}, sip:+${x.msisdn}@${d}, tel:+${x.msisdn}\n` +
        `    K "${x.kText}" (hex ${asciiHex(x.kText)})  OP "${x.opText}" (hex ${asciiHex(x.opText)})`,
    ),
    '',
    `SIPp (registers and de-registers ${first.imsi}):`,
    `  ${sippCommandLine(demoSippOptions(s, root), root)}`,
    '',
    'softphone (Linphone, baresip: SIP Digest MD5 only). Provision the MD5 demo user once:',
    `  curl -X POST http://${h}:${p.hssRest}/subscribers -H 'content-type: application/json' \\`,
    `    -d '${JSON.stringify(md5SubscriberBody(md5))}'`,
    `  user ${md5.imsi}  auth user ${md5.imsi}@${d}  password ${md5.password}`,
    `  domain ${d}  proxy sip:${h}:${p.pcscf};transport=udp (or tcp)`,
    `  baresip: <sip:${md5.imsi}@${d}>;auth_user=${md5.imsi}@${d};auth_pass=${md5.password};outbound="sip:${h}:${p.pcscf}"`,
    '',
    'Ctrl-C stops the lab.',
    '=========================================================================',
    BANNER_READY,
  ];
  return lines.join('\n');
}

/** Whether a role serves: the HSS answers /health, a CSCF's SIP TCP port accepts. */
async function serves(role: LabRole, s: LabSettings): Promise<boolean> {
  if (role === 'hss') {
    try {
      return (await fetch(`http://${s.host}:${s.ports.hssRest}/health`)).ok;
    } catch {
      return false;
    }
  }
  return new Promise((resolve) => {
    const sock = net.connect(s.ports[role], s.host);
    sock.setTimeout(1000, () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** How many Cx peers the HSS sees open (the S-CSCF and the I-CSCF connect at start). */
async function openCxPeers(s: LabSettings): Promise<number> {
  try {
    const h = (await (await fetch(`http://${s.host}:${s.ports.hssRest}/health`)).json()) as {
      diameter?: { peers?: { state: string }[] };
    };
    return (h.diameter?.peers ?? []).filter((x) => /open/i.test(x.state)).length;
  } catch {
    return 0;
  }
}

/** Whether `port` can be bound on `host` over TCP (and UDP when `udp`). */
async function bindable(host: string, port: number, udp: boolean): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
  if (!tcp || !udp) return tcp;
  return new Promise<boolean>((resolve) => {
    const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => sock.close(() => resolve(true)));
  });
}

/**
 * The lab's ports that something else already holds, as `VARIABLE=port (what)` lines, so the
 * launcher can say which variable moves each one instead of a role dying with EADDRINUSE.
 */
export async function portsInUse(
  s: LabSettings,
  roles: readonly LabRole[] = LAB_ROLES,
): Promise<string[]> {
  const wanted: [LabRole, string, number, string, boolean][] = [
    ['hss', 'HSS_REST_PORT', s.ports.hssRest, 'HSS REST', false],
    ['hss', 'HSS_DIAMETER_PORT', s.ports.hssDiameter, 'HSS Diameter Cx', false],
    ['scscf', 'SCSCF_SIP_PORT', s.ports.scscf, 'S-CSCF SIP UDP+TCP', true],
    ['icscf', 'ICSCF_SIP_PORT', s.ports.icscf, 'I-CSCF SIP UDP+TCP', true],
    ['pcscf', 'PCSCF_SIP_PORT', s.ports.pcscf, 'P-CSCF SIP UDP+TCP', true],
  ];
  const busy: string[] = [];
  for (const [role, variable, port, what, udp] of wanted) {
    if (roles.includes(role) && !(await bindable(s.host, port, udp))) {
      busy.push(`${variable}=${port} (${what})`);
    }
  }
  return busy;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The built entry point of a role. */
function entryOf(role: LabRole): string {
  return path.join(LAB_ROOT, 'dist', 'apps', role, 'main.js');
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the child is gone. */
function stopChild(proc: ChildProcess, graceMs = 5000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** The launcher: starts, waits, prints the banner, stops on SIGINT/SIGTERM. */
class Launcher {
  private readonly children: { role: LabRole; proc: ChildProcess }[] = [];
  private stopping = false;

  constructor(
    private readonly settings: LabSettings,
    private readonly readyTimeoutMs: number,
  ) {}

  async run(): Promise<void> {
    process.on('SIGINT', () => void this.stop(0));
    process.on('SIGTERM', () => void this.stop(0));
    const s = this.settings;
    fs.mkdirSync(s.dataDir, { recursive: true });
    fs.writeFileSync(demoSippCsvPath(s), demoSippCsv(s.domain));

    // The HSS first (the CSCFs open their Cx connections at boot), then the three CSCFs
    // together: SIP needs no connection, so their order does not matter and starting them at
    // once saves a node boot time or two.
    const skipped: LabRole[] = [];
    const built = LAB_ROLES.filter((role) => {
      if (fs.existsSync(entryOf(role))) return true;
      console.log(
        `[lab] ${role}: not built yet (${path.relative(LAB_ROOT, entryOf(role))} missing), skipped`,
      );
      skipped.push(role);
      return false;
    });
    const busy = await portsInUse(s, built);
    if (busy.length > 0) {
      console.error(
        `[lab] port(s) in use on ${s.host}: ${busy.join(', ')}.\n` +
          '[lab] stop what holds them (a previous lab, another SIP server), or move the lab, ' +
          'e.g. PCSCF_SIP_PORT=5070 npm start (see docs/troubleshooting.md)',
      );
      process.exit(1);
    }
    if (built.includes('hss')) {
      this.start('hss', entryOf('hss'));
      await this.waitServing('hss');
    }
    const cscfs = built.filter((role) => role !== 'hss');
    if (this.stopping) return;
    for (const role of cscfs) this.start(role, entryOf(role));
    await Promise.all(cscfs.map((role) => this.waitServing(role)));
    if (this.stopping) return;
    if (this.children.length === 0) {
      console.error('[lab] nothing to start: run `npm run build` first');
      process.exit(1);
    }
    const clients = this.children.filter((c) => c.role === 'scscf' || c.role === 'icscf');
    if (this.children.some((c) => c.role === 'hss') && clients.length > 0) {
      const deadline = Date.now() + Math.min(this.readyTimeoutMs, 10000);
      while (!this.stopping && Date.now() < deadline && (await openCxPeers(s)) < clients.length)
        await sleep(100);
      if ((await openCxPeers(s)) < clients.length)
        console.warn('[lab] warning: not every CSCF has an open Cx connection to the HSS yet');
    }
    if (this.stopping) return;
    const started = this.children.map((c) => ({ role: c.role, pid: c.proc.pid ?? 0 }));
    console.log(banner(s, started, skipped));
  }

  private start(role: LabRole, entry: string): void {
    const proc = spawn(process.execPath, [entry], {
      cwd: LAB_ROOT,
      env: { ...process.env, ...roleEnv(role, this.settings) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    proc.on('exit', (code, signal) => {
      // Ctrl-C in a terminal signals the whole process group: a role may exit on its own
      // SIGINT just before our handler runs. Give the handler a moment before calling it a crash.
      setTimeout(() => {
        if (this.stopping) return;
        console.error(`[lab] ${role} exited (${signal ?? code}); stopping the lab`);
        void this.stop(1);
      }, 200);
    });
    this.children.push({ role, proc });
  }

  private async waitServing(role: LabRole): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    while (!this.stopping) {
      if (await serves(role, this.settings)) return;
      if (Date.now() > deadline) {
        console.error(`[lab] ${role} does not serve after ${this.readyTimeoutMs} ms; stopping`);
        return this.stop(1);
      }
      await sleep(100);
    }
  }

  async stop(exitCode = 0): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    console.log('[lab] stopping ...');
    // Reverse order, one at a time: the UEs' first hop goes away first, the HSS last (the
    // CSCFs close their Cx connections with DPR while the HSS still answers).
    for (const { proc } of [...this.children].reverse()) await stopChild(proc);
    console.log('[lab] stopped');
    process.exit(exitCode);
  }
}

if (require.main === module) {
  try {
    const settings = labSettings();
    const timeout = Number(process.env.LAB_READY_TIMEOUT_MS ?? 30000);
    void new Launcher(settings, Number.isFinite(timeout) && timeout > 0 ? timeout : 30000).run();
  } catch (err) {
    console.error(`[lab] ${(err as Error).message}`);
    process.exit(1);
  }
}
