/**
 * `npm start`: the whole core on loopback. Each role runs as its own process from its built
 * entry point (`dist/apps/<role>/main.js`), exactly as a docker-compose service would, with
 * its configuration in the environment. The HSS keeps its sqlite file under ./data (or
 * LAB_DATA_DIR) and is seeded with the demo subscribers on first start. The launcher waits
 * until every role serves (HSS `GET /health`, the CSCFs' SIP TCP ports), prints a banner with
 * the endpoints, the demo subscribers, a ready-to-paste SIPp command and softphone settings,
 * and stops everything gracefully on Ctrl-C.
 *
 * With LAB_DOMAIN_B=true (or a domain name) a second home domain starts next to the first:
 * its own HSS (data under <LAB_DATA_DIR>/domain-b), I-, S- and P-CSCF on the first domain's
 * ports + 10 (SIP) and + 1 (HSS), and both S-CSCFs route to either domain's I-CSCF by SIP URI
 * domain (SCSCF_ICSCFS) or E.164 prefix of a tel URI (SCSCF_ENUM: +1555 domain A, +1556
 * domain B), so a call between the domains crosses an I-CSCF (issue 5).
 *
 * Environment (all optional): IMS_DOMAIN, LAB_DATA_DIR, LAB_READY_TIMEOUT_MS, LAB_DOMAIN_B,
 * and the roles' own port variables (HSS_REST_PORT, HSS_DIAMETER_PORT, SCSCF_SIP_PORT, ICSCF_SIP_PORT,
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
/** The second home domain of LAB_DOMAIN_B=true (MNC 002). */
export const DEFAULT_DOMAIN_B = 'ims.mnc002.mcc001.3gppnetwork.org';
/** E.164 ranges of the first and the second domain (SCSCF_ENUM): the demo MSISDNs are +1555…. */
export const ENUM_PREFIX_A = '+1555';
export const ENUM_PREFIX_B = '+1556';

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
  /** E.164 prefixes of the users of this domain, for the S-CSCFs' ENUM-style map. */
  enumPrefixes: string[];
  /** The other home domains the S-CSCF routes to (the second domain and the first). */
  peers: LabPeer[];
}

/** Another home domain of the lab, as an S-CSCF sees it. */
export interface LabPeer {
  domain: string;
  /** Its I-CSCF, host:port. */
  icscf: string;
  enumPrefixes: string[];
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
  const s: LabSettings = {
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
    enumPrefixes: [ENUM_PREFIX_A],
    peers: [],
  };
  const b = secondDomainSettings(s, env);
  if (b) s.peers.push(peerOf(b));
  return s;
}

/** The name of the second home domain from LAB_DOMAIN_B, or undefined when it is off. */
function secondDomainName(env: NodeJS.ProcessEnv, first: string): string | undefined {
  const raw = env.LAB_DOMAIN_B?.trim() ?? '';
  if (raw === '' || /^(false|0|no|off)$/i.test(raw)) return undefined;
  const name = /^(true|1|yes|on)$/i.test(raw) ? DEFAULT_DOMAIN_B : raw.toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(name)) {
    throw new LabConfigError('LAB_DOMAIN_B', `must be true, false or a domain name (got "${raw}")`);
  }
  if (name === first) {
    throw new LabConfigError('LAB_DOMAIN_B', `must differ from IMS_DOMAIN (both "${name}")`);
  }
  return name;
}

function shifted(port: number, by: number, variable: string): number {
  if (port + by > 65535)
    throw new LabConfigError(variable, `+ ${by} (second domain) is above 65535`);
  return port + by;
}

/**
 * The second home domain (LAB_DOMAIN_B), or undefined when it is off: the first domain's
 * SIP ports + 10, HSS ports + 1, its data under <data>/domain-b, E.164 range +1556.
 */
export function secondDomainSettings(
  first: LabSettings,
  env: NodeJS.ProcessEnv = process.env,
): LabSettings | undefined {
  const domain = secondDomainName(env, first.domain);
  if (!domain) return undefined;
  const p = first.ports;
  return {
    domain,
    host: first.host,
    dataDir: path.join(first.dataDir, 'domain-b'),
    ports: {
      hssRest: shifted(p.hssRest, 1, 'HSS_REST_PORT'),
      hssDiameter: shifted(p.hssDiameter, 1, 'HSS_DIAMETER_PORT'),
      scscf: shifted(p.scscf, 10, 'SCSCF_SIP_PORT'),
      icscf: shifted(p.icscf, 10, 'ICSCF_SIP_PORT'),
      pcscf: shifted(p.pcscf, 10, 'PCSCF_SIP_PORT'),
    },
    enumPrefixes: [ENUM_PREFIX_B],
    peers: [peerOf(first)],
  };
}

/** A domain as another domain's S-CSCF reaches it: its I-CSCF and its E.164 range. */
export function peerOf(s: LabSettings): LabPeer {
  return {
    domain: s.domain,
    icscf: `${s.host}:${s.ports.icscf}`,
    enumPrefixes: s.enumPrefixes,
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
  // TS 24.229 §5.4.3.2: the originating S-CSCF sends a request for a user of a home domain
  // to that domain's I-CSCF (its own included); tel URIs go through the ENUM-style map.
  const homes = [peerOf(s), ...s.peers];
  const enumMap = homes.flatMap((h) => h.enumPrefixes.map((prefix) => `${prefix}=${h.domain}`));
  // The other domains' element names (in their Record-Route and Via) resolve to loopback.
  const peerHosts = s.peers.flatMap((h) =>
    ['pcscf', 'icscf', 'scscf', 'hss', ''].map((e) => `${e ? `${e}.` : ''}${h.domain}=${s.host}`),
  );
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
      SCSCF_ICSCFS: homes.map((h) => `${h.domain}=${h.icscf}`).join(','),
      SCSCF_ENUM: enumMap.join(','),
      SCSCF_DB_PATH: path.join(s.dataDir, 'scscf.sqlite'),
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
      PCSCF_DB_PATH: path.join(s.dataDir, 'pcscf.sqlite'),
    },
  };
  const out: Record<string, string> = { IMS_DOMAIN: s.domain };
  for (const [name, value] of Object.entries(derived[role])) {
    const explicit = env[name];
    out[name] = explicit !== undefined && explicit.trim() !== '' ? explicit : value;
  }
  // Host names add up: the peers' names, then the caller's IMS_HOSTS (later entries win).
  const hosts = [...peerHosts, env.IMS_HOSTS?.trim()].filter((h) => h);
  if (peerHosts.length > 0) out.IMS_HOSTS = hosts.join(',');
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

/** Where the launcher writes the one-line injection file of demo subscriber `index` (0-based). */
export function demoPartyCsvPath(s: LabSettings, index: number): string {
  return path.join(s.dataDir, `sipp-demo-ue-${index + 1}.csv`);
}

/** The Service-Route the S-CSCF returns (RFC 3608; apps/scscf registrar: `orig` user part). */
export function demoServiceRoute(s: LabSettings): string {
  return `<sip:orig@scscf.${s.domain}:${s.ports.scscf};lr>`;
}

/**
 * A ready-to-paste SIPp call between the first two demo subscribers (test/sipp/call-*.xml,
 * SIPp 3.6.1: a UAS scenario cannot register first, so each party registers with
 * call-register.xml from the port it then calls or answers on): the callee registers and
 * answers on 5092, the caller registers and calls from 5091.
 */
export function demoSippCallCommands(s: LabSettings, root = LAB_ROOT): string[] {
  const rel = (p: string) => (p.startsWith(root + path.sep) ? path.relative(root, p) : p);
  const target = `${s.host}:${s.ports.pcscf}`;
  const [caller, callee] = DEMO_SUBSCRIBERS;
  const base = `-i ${s.host} -t u1 -m 1 -timeout 60s -timeout_error`;
  const register = (index: number, port: number) =>
    `sipp -sf test/sipp/call-register.xml -inf ${rel(demoPartyCsvPath(s, index))} -auth_uri ${s.domain} -p ${port} ${base} ${target}`;
  return [
    register(1, 5092),
    `sipp -sf test/sipp/call-uas.xml -key callee ${callee.imsi} -p 5092 ${base} ${target}`,
    register(0, 5091),
    `sipp -sf test/sipp/call-uac.xml -key caller ${caller.imsi} -key callee ${callee.imsi} ` +
      `-key domain ${s.domain} -key route '${demoServiceRoute(s)}' -p 5091 ${base} ${target}`,
  ];
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

/** The lines of the banner about the second home domain (LAB_DOMAIN_B). */
function secondDomainLines(
  first: LabSettings,
  second: { settings: LabSettings; started: readonly StartedRole[] } | undefined,
): string[] {
  if (!second) {
    return [
      `second home domain: off (LAB_DOMAIN_B=true npm start adds ${DEFAULT_DOMAIN_B}`,
      '  on these ports + 10 (SIP) and + 1 (HSS), for calls that cross an I-CSCF)',
    ];
  }
  const b = second.settings;
  const p = b.ports;
  const h = b.host;
  const pid = (r: LabRole) => {
    const x = second.started.find((e) => e.role === r);
    return x ? `pid ${x.pid}` : 'not running';
  };
  const [caller, callee] = DEMO_SUBSCRIBERS;
  return [
    `second home domain (LAB_DOMAIN_B): ${b.domain}`,
    `  P-CSCF SIP UDP+TCP ${h}:${p.pcscf}`.padEnd(48) + pid('pcscf'),
    `  I-CSCF SIP UDP+TCP ${h}:${p.icscf}`.padEnd(48) + pid('icscf'),
    `  S-CSCF SIP UDP+TCP ${h}:${p.scscf}`.padEnd(48) + pid('scscf'),
    `  HSS Diameter Cx TCP ${h}:${p.hssDiameter}`.padEnd(48) + pid('hss'),
    `  HSS REST http://${h}:${p.hssRest}`.padEnd(48) + pid('hss'),
    `  data: ${path.join(b.dataDir, 'hss.sqlite')}; the same demo subscribers, @${b.domain}`,
    `  routing: sip:…@${first.domain} and tel:${first.enumPrefixes.join('/')}… -> I-CSCF ${first.host}:${first.ports.icscf};`,
    `           sip:…@${b.domain} and tel:${b.enumPrefixes.join('/')}… -> I-CSCF ${h}:${p.icscf}`,
    `  e.g. ${caller.imsi} registered at ${first.host}:${first.ports.pcscf} calls sip:${callee.imsi}@${b.domain}`,
    `  (registered at ${h}:${p.pcscf}): P-CSCF, S-CSCF of ${first.domain}, I-CSCF, S-CSCF, P-CSCF of ${b.domain}`,
  ];
}

/** The banner printed once every started role serves. */
export function banner(
  s: LabSettings,
  started: readonly StartedRole[],
  skipped: readonly LabRole[],
  root = LAB_ROOT,
  second?: { settings: LabSettings; started: readonly StartedRole[] },
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
    `a call (docs/call-flows.md): register two UEs, call sip:<imsi>@${d} or tel:+<msisdn>.`,
    `SIPp, ${DEMO_SUBSCRIBERS[0].imsi} calls ${DEMO_SUBSCRIBERS[1].imsi} (one terminal per line, in order;`,
    'the first two lines register the callee and wait for the call):',
    ...demoSippCallCommands(s, root).map((c) => `  ${c}`),
    '',
    ...secondDomainLines(s, second),
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
  private readonly children: { role: LabRole; domain: string; proc: ChildProcess }[] = [];
  private stopping = false;

  constructor(
    private readonly settings: LabSettings,
    private readonly readyTimeoutMs: number,
    /** The second home domain (LAB_DOMAIN_B), when on. */
    private readonly second?: LabSettings,
  ) {}

  async run(): Promise<void> {
    process.on('SIGINT', () => void this.stop(0));
    process.on('SIGTERM', () => void this.stop(0));
    const s = this.settings;
    const domains = [s, ...(this.second ? [this.second] : [])];
    for (const d of domains) {
      fs.mkdirSync(d.dataDir, { recursive: true });
      fs.writeFileSync(demoSippCsvPath(d), demoSippCsv(d.domain));
      DEMO_SUBSCRIBERS.forEach((x, i) =>
        fs.writeFileSync(demoPartyCsvPath(d, i), demoSippCsv(d.domain, [x])),
      );
    }

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
    const busy: string[] = [];
    for (const d of domains) {
      const inUse = await portsInUse(d, built);
      busy.push(
        ...(d === s ? inUse : inUse.map((x) => `${x} of ${d.domain} (first domain's + 10/+1)`)),
      );
    }
    if (busy.length > 0) {
      console.error(
        `[lab] port(s) in use on ${s.host}: ${busy.join(', ')}.\n` +
          '[lab] stop what holds them (a previous lab, another SIP server), or move the lab, ' +
          'e.g. PCSCF_SIP_PORT=5070 npm start (see docs/troubleshooting.md)',
      );
      process.exit(1);
    }
    if (built.includes('hss')) {
      for (const d of domains) this.start('hss', d);
      await Promise.all(domains.map((d) => this.waitServing('hss', d)));
    }
    const cscfs = built.filter((role) => role !== 'hss');
    if (this.stopping) return;
    for (const d of domains) for (const role of cscfs) this.start(role, d);
    await Promise.all(domains.flatMap((d) => cscfs.map((role) => this.waitServing(role, d))));
    if (this.stopping) return;
    if (this.children.length === 0) {
      console.error('[lab] nothing to start: run `npm run build` first');
      process.exit(1);
    }
    for (const d of domains) {
      const mine = this.children.filter((c) => c.domain === d.domain);
      const clients = mine.filter((c) => c.role === 'scscf' || c.role === 'icscf');
      if (mine.some((c) => c.role === 'hss') && clients.length > 0) {
        const deadline = Date.now() + Math.min(this.readyTimeoutMs, 10000);
        while (!this.stopping && Date.now() < deadline && (await openCxPeers(d)) < clients.length)
          await sleep(100);
        if ((await openCxPeers(d)) < clients.length)
          console.warn(
            `[lab] warning: not every CSCF of ${d.domain} has an open Cx connection to its HSS yet`,
          );
      }
    }
    if (this.stopping) return;
    const startedIn = (d: LabSettings) =>
      this.children
        .filter((c) => c.domain === d.domain)
        .map((c) => ({ role: c.role, pid: c.proc.pid ?? 0 }));
    console.log(
      banner(
        s,
        startedIn(s),
        skipped,
        LAB_ROOT,
        this.second && {
          settings: this.second,
          started: startedIn(this.second),
        },
      ),
    );
  }

  private start(role: LabRole, d: LabSettings): void {
    // The first domain's roles take the caller's environment over the derived values; the
    // second domain's derived values win (the caller's port variables are the first's).
    const own = d === this.settings ? process.env : { IMS_HOSTS: process.env.IMS_HOSTS };
    const proc = spawn(process.execPath, [entryOf(role)], {
      cwd: LAB_ROOT,
      env: { ...process.env, ...roleEnv(role, d, own) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const name = d === this.settings ? role : `${role} (${d.domain})`;
    proc.on('exit', (code, signal) => {
      // Ctrl-C in a terminal signals the whole process group: a role may exit on its own
      // SIGINT just before our handler runs. Give the handler a moment before calling it a crash.
      setTimeout(() => {
        if (this.stopping) return;
        console.error(`[lab] ${name} exited (${signal ?? code}); stopping the lab`);
        void this.stop(1);
      }, 200);
    });
    this.children.push({ role, domain: d.domain, proc });
  }

  private async waitServing(role: LabRole, d: LabSettings): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    while (!this.stopping) {
      if (await serves(role, d)) return;
      if (Date.now() > deadline) {
        console.error(
          `[lab] ${role} of ${d.domain} does not serve after ${this.readyTimeoutMs} ms; stopping`,
        );
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
    void new Launcher(
      settings,
      Number.isFinite(timeout) && timeout > 0 ? timeout : 30000,
      secondDomainSettings(settings),
    ).run();
  } catch (err) {
    console.error(`[lab] ${(err as Error).message}`);
    process.exit(1);
  }
}
