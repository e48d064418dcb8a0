/**
 * Runs SIPp (Debian `sip-tester`) as a UE or load generator against the lab, for the tests
 * and the benchmarks. Every argument is checked BEFORE SIPp starts: the target and the local
 * address must be loopback (127.0.0.0/8 or ::1), counts, rates and time limits must be bounded
 * numbers. A rate typed where a host belongs once sent real traffic off a machine; this
 * refuses it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SippOptions {
  /** Scenario XML file. */
  scenario: string;
  /** The element SIPp talks to (the P-CSCF). Loopback only. */
  target: { host: string; port: number };
  /** SIPp transport mode: `u1` (UDP, one socket), `un` (UDP, one per call), `t1`, `tn`. */
  transport?: 'u1' | 'un' | 't1' | 'tn';
  /** Local address SIPp binds. Loopback only. Default 127.0.0.1. */
  localHost?: string;
  /** Local port; default: any free port chosen by SIPp. */
  localPort?: number;
  /** Total calls (registrations) before SIPp exits. 1..1,000,000. */
  calls: number;
  /** Calls per second; default 10. 0 < rate <= 100,000. */
  rate?: number;
  /** Maximum simultaneous calls. */
  limit?: number;
  /** CSV injection file (-inf). */
  injectionFile?: string;
  /** `-auth_uri`: the digest uri (the REGISTER Request-URI, as IMS UEs use). */
  authUri?: string;
  /** Global time limit in seconds; SIPp fails when reached. 1..3600. */
  timeoutSec: number;
  /** Where SIPp writes its logs; default a fresh temp dir. */
  workDir?: string;
  /** `-key name value` pairs for the scenario. */
  keys?: Record<string, string>;
  /** Log every message to <workDir>/messages.log (-trace_msg), for debugging. */
  traceMessages?: boolean;
  /** Scenario-specific variables given with -set. */
  set?: Record<string, string>;
  /** `-d`: the length of each `<pause/>` without its own duration (a call's hold time), ms. */
  pauseMs?: number;
  /** Write the scenario's `<log>` actions to <workDir>/logs.log (-trace_logs), read back as `logs`. */
  traceLogs?: boolean;
  /** Ends SIPp early (SIGINT to its PID: it stops and prints its final statistics). */
  signal?: AbortSignal;
  /** `-max_socket`: SIPp's socket cap (must stay below `ulimit -n`; matters with `un`/`tn`). */
  maxSockets?: number;
}

export interface SippResult {
  exitCode: number | null;
  successful: number;
  failed: number;
  /** Wall time SIPp ran, seconds. */
  elapsedSec: number;
  /** The exact command line, for the docs and the benchmark table. */
  command: string;
  stdout: string;
  stderr: string;
  /** The unexpected-message log, when SIPp wrote one. */
  errors: string;
  /** The `<log>` actions' output, when `traceLogs` was set. */
  logs: string;
  workDir: string;
}

export class SippArgumentError extends Error {
  constructor(message: string) {
    super(`sipp: ${message}`);
    this.name = 'SippArgumentError';
  }
}

/** 127.0.0.0/8, ::1 and `localhost` — the only targets tests and benchmarks may use. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return !!m && m.slice(1).every((o) => Number(o) <= 255) && Number(m[1]) === 127;
}

function checkInt(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || !Number.isInteger(value) || value < min || value > max) {
    throw new SippArgumentError(
      `${name} must be an integer in ${min}..${max}, got ${String(value)}`,
    );
  }
}

/** Throws SippArgumentError unless every argument is safe and well-formed. */
export function checkSippOptions(o: SippOptions): void {
  if (typeof o.target?.host !== 'string' || !isLoopback(o.target.host)) {
    throw new SippArgumentError(
      `target host must be loopback (127.0.0.0/8 or ::1), got "${String(o.target?.host)}"`,
    );
  }
  const local = o.localHost ?? '127.0.0.1';
  if (!isLoopback(local))
    throw new SippArgumentError(`local host must be loopback, got "${local}"`);
  checkInt('target port', o.target.port, 1, 65535);
  checkInt('local port', o.localPort, 1, 65535);
  checkInt('calls', o.calls, 1, 1_000_000);
  checkInt('limit', o.limit, 1, 100_000);
  checkInt('timeoutSec', o.timeoutSec, 1, 3600);
  checkInt('maxSockets', o.maxSockets, 1, 65535);
  const rate = o.rate ?? 10;
  if (!Number.isFinite(rate) || rate <= 0 || rate > 100_000) {
    throw new SippArgumentError(`rate must be a number in (0, 100000], got ${String(o.rate)}`);
  }
  if (o.transport && !['u1', 'un', 't1', 'tn'].includes(o.transport)) {
    throw new SippArgumentError(`transport must be u1, un, t1 or tn, got "${o.transport}"`);
  }
  if (!fs.existsSync(o.scenario))
    throw new SippArgumentError(`scenario ${o.scenario} does not exist`);
  if (o.injectionFile && !fs.existsSync(o.injectionFile)) {
    throw new SippArgumentError(`injection file ${o.injectionFile} does not exist`);
  }
  if (o.authUri !== undefined && !/^[A-Za-z0-9.:[\]-]+$/.test(o.authUri)) {
    throw new SippArgumentError(`authUri must be a host name, got "${o.authUri}"`);
  }
  checkInt('pauseMs', o.pauseMs, 0, 3_600_000);
  // -key/-set values are pasted into messages: a CR or LF would smuggle in header lines.
  for (const [flag, pairs] of [
    ['key', o.keys],
    ['set', o.set],
  ] as const) {
    for (const [k, v] of Object.entries(pairs ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
        throw new SippArgumentError(`-${flag} name must be a word, got "${k}"`);
      if (typeof v !== 'string' || /[\x00-\x1f\x7f]/.test(v) || v.length > 1000)
        throw new SippArgumentError(
          `-${flag} ${k}: value must be printable text up to 1000 characters, got ${JSON.stringify(v)}`,
        );
    }
  }
}

/** The argument vector for SIPp (after checking it). */
export function sippArgs(o: SippOptions, workDir: string): string[] {
  checkSippOptions(o);
  const host = o.target.host.includes(':') ? `[${o.target.host}]` : o.target.host;
  const args = [
    '-sf',
    o.scenario,
    '-i',
    o.localHost ?? '127.0.0.1',
    '-t',
    o.transport ?? 'u1',
    '-m',
    String(o.calls),
    '-r',
    String(o.rate ?? 10),
    '-timeout',
    `${o.timeoutSec}s`,
    '-timeout_error',
    '-default_behaviors',
    'abortunexp,pingreply',
    '-trace_err',
    '-error_file',
    path.join(workDir, 'errors.log'),
    '-buff_size',
    '4194304',
    '-nostdin',
  ];
  if (o.localPort !== undefined) args.push('-p', String(o.localPort));
  if (o.limit !== undefined) args.push('-l', String(o.limit));
  if (o.maxSockets !== undefined) args.push('-max_socket', String(o.maxSockets));
  if (o.traceMessages) args.push('-trace_msg', '-message_file', path.join(workDir, 'messages.log'));
  if (o.traceLogs) args.push('-trace_logs', '-log_file', path.join(workDir, 'logs.log'));
  if (o.pauseMs !== undefined) args.push('-d', String(o.pauseMs));
  if (o.injectionFile) args.push('-inf', o.injectionFile);
  if (o.authUri) args.push('-auth_uri', o.authUri);
  for (const [k, v] of Object.entries(o.keys ?? {})) args.push('-key', k, v);
  for (const [k, v] of Object.entries(o.set ?? {})) args.push('-set', k, v);
  args.push(`${host}:${o.target.port}`);
  return args;
}

/** Counts from SIPp's final screen ("Successful call" / "Failed call" rows). */
export function parseSippCounts(stdout: string): { successful: number; failed: number } {
  const grab = (label: string): number => {
    const rows = [
      ...stdout.matchAll(new RegExp(`${label}\\s*\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)`, 'g')),
    ];
    const last = rows[rows.length - 1];
    return last ? Number(last[2]) : 0;
  };
  return { successful: grab('Successful call'), failed: grab('Failed call') };
}

/** Runs SIPp to completion (bounded by `timeoutSec` plus a grace period). */
export function runSipp(o: SippOptions): Promise<SippResult> {
  const workDir = o.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
  const args = sippArgs(o, workDir);
  const command = ['sipp', ...args].join(' ');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('sipp', args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('latin1');
      if (stdout.length > 4_000_000) stdout = stdout.slice(-2_000_000);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const guard = setTimeout(() => child.kill('SIGKILL'), (o.timeoutSec + 30) * 1000);
    const stop = () => child.kill('SIGINT');
    if (o.signal?.aborted) stop();
    else o.signal?.addEventListener('abort', stop, { once: true });
    child.on('error', (err) => {
      clearTimeout(guard);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(guard);
      o.signal?.removeEventListener('abort', stop);
      const errorsFile = path.join(workDir, 'errors.log');
      const logsFile = path.join(workDir, 'logs.log');
      resolve({
        exitCode: code,
        ...parseSippCounts(stdout),
        elapsedSec: Number(process.hrtime.bigint() - started) / 1e9,
        command,
        stdout,
        stderr,
        errors: fs.existsSync(errorsFile)
          ? fs.readFileSync(errorsFile, 'latin1').slice(0, 20000)
          : '',
        logs:
          o.traceLogs && fs.existsSync(logsFile)
            ? fs.readFileSync(logsFile, 'latin1').slice(0, 200000)
            : '',
        workDir,
      });
    });
  });
}

/** Whether SIPp is installed (tests that need it fail loudly in CI, where it must be). */
export function sippAvailable(): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => fs.existsSync(path.join(dir, 'sipp')));
}

// ---------------------------------------------------------------------------------------
// Calls with SIPp (test/sipp/call-*.xml): two registered parties, a UAS and a UAC.

/** The Service-Route a registration run logged ("SERVICE-ROUTE <...>", call-register.xml). */
export function serviceRouteFromLogs(logs: string): string | undefined {
  const m = /SERVICE-ROUTE (<[^\r\n]*>[^\r\n]*)/.exec(logs);
  return m ? m[1].trim() : undefined;
}

/**
 * Resolves once a UDP socket is bound to `port` (read from /proc/net/udp{,6}, Linux), so a
 * UAS started in the background is known to listen before the first INVITE is sent to it.
 */
export async function waitForUdpBound(port: number, timeoutMs = 10000): Promise<void> {
  checkInt('port', port, 1, 65535);
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bound = ['/proc/net/udp', '/proc/net/udp6'].some((f) => {
      try {
        return fs
          .readFileSync(f, 'latin1')
          .split('\n')
          .some((l) => l.trim().split(/\s+/)[1]?.endsWith(hex.trim()));
      } catch {
        return false;
      }
    });
    if (bound) return;
    if (Date.now() > deadline) throw new Error(`nothing bound UDP port ${port} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SippCallParty {
  /** User part of the party's IMPU (sip:<user>@<domain>). */
  user: string;
  /** The fixed local port the party registers from and calls or answers on. */
  port: number;
}

export interface SippRegisterPartyOptions {
  /** test/sipp/call-register.xml or a scenario that logs "SERVICE-ROUTE <...>". */
  scenario: string;
  target: { host: string; port: number };
  party: SippCallParty;
  /** The party's one-line injection file (see ims-aka-register.xml). */
  injectionFile: string;
  authUri: string;
  timeoutSec: number;
  workDir?: string;
}

/**
 * Registers one call party (one SIPp run, -m 1, from the party's fixed port) and returns the
 * Service-Route of its 200 (RFC 3608): call-uac.xml puts it in the Route of its INVITEs.
 */
export async function registerCallParty(
  o: SippRegisterPartyOptions,
): Promise<{ serviceRoute: string; result: SippResult }> {
  const result = await runSipp({
    scenario: o.scenario,
    target: o.target,
    transport: 'u1',
    localPort: o.party.port,
    calls: 1,
    rate: 1,
    injectionFile: o.injectionFile,
    authUri: o.authUri,
    timeoutSec: o.timeoutSec,
    workDir: o.workDir,
    traceLogs: true,
    // One registration: its messages are few, and they are what a failure needs to show.
    traceMessages: o.workDir !== undefined,
  });
  const serviceRoute = serviceRouteFromLogs(result.logs);
  if (result.exitCode !== 0 || result.successful !== 1 || !serviceRoute) {
    const messages = o.workDir ? readTail(path.join(o.workDir, 'messages.log'), 3000) : '';
    throw new Error(
      `SIPp registration of ${o.party.user} from port ${o.party.port} failed (exit ` +
        `${result.exitCode}, ${result.successful} ok): ${result.command}\n` +
        `${result.errors.slice(0, 2000)}\n${result.logs.slice(0, 1000)}` +
        (messages ? `\nSIPp's messages (last 3,000 characters):\n${messages}` : ''),
    );
  }
  return { serviceRoute, result };
}

export interface SippCallsOptions {
  /** test/sipp/call-uac.xml (keys caller, callee, domain, route). */
  uacScenario: string;
  /** test/sipp/call-uas.xml (key callee). */
  uasScenario: string;
  /** The P-CSCF both parties registered through. */
  target: { host: string; port: number };
  caller: SippCallParty;
  callee: SippCallParty;
  domain: string;
  /** The caller's Service-Route (registerCallParty). */
  serviceRoute: string;
  calls: number;
  /** Call attempts per second. */
  rate: number;
  /** Maximum simultaneous calls (-l). */
  limit?: number;
  /** Hold time between ACK and BYE, ms (-d). */
  pauseMs: number;
  timeoutSec: number;
  /** Directory for the two runs' logs (uac/, uas/ below it); default fresh temp dirs. */
  workDir?: string;
  traceMessages?: boolean;
  /** How long the UAS runs on once the UAC has exited (then SIGINT), default 2 s. */
  uasGraceSec?: number;
}

/**
 * N basic calls between two registered parties: the UAS listens on the callee's port
 * (started first, in the background, and awaited until its socket is bound), then the UAC
 * places the calls from the caller's port; resolves when both SIPp runs have exited.
 *
 * The UAS has no call count of its own: SIPp's -m counts failed calls too, so a UAS told to
 * end after N calls would leave after N minus its failures and every later INVITE would meet
 * a closed port (a cascade of 408s that hides the first fault). It runs until the UAC has
 * finished (every answered call then had its BYE answered), plus `uasGraceSec`, and is then
 * stopped with SIGINT: judge it by its counts (successful, failed), not by its exit code
 * (97, "exit on internal command").
 */
export async function runSippCalls(
  o: SippCallsOptions,
): Promise<{ uac: SippResult; uas: SippResult }> {
  const dir = (name: string) => {
    if (!o.workDir) return undefined;
    const d = path.join(o.workDir, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const stopUas = new AbortController();
  const uasRun = runSipp({
    scenario: o.uasScenario,
    target: o.target,
    transport: 'u1',
    localPort: o.callee.port,
    calls: 1_000_000,
    // The UAS places no calls; -r only bounds what it would start.
    rate: o.rate,
    // Outlives the UAC, which it must not time out before.
    timeoutSec: o.timeoutSec + 10,
    workDir: dir('uas'),
    keys: { callee: o.callee.user },
    traceMessages: o.traceMessages,
    signal: stopUas.signal,
  });
  try {
    await waitForUdpBound(o.callee.port);
  } catch (err) {
    stopUas.abort();
    const uas = await uasRun;
    throw new Error(`${(err as Error).message}: ${uas.command}\n${uas.stderr.slice(0, 2000)}`);
  }
  const uac = await runSipp({
    scenario: o.uacScenario,
    target: o.target,
    transport: 'u1',
    localPort: o.caller.port,
    calls: o.calls,
    rate: o.rate,
    limit: o.limit,
    pauseMs: o.pauseMs,
    timeoutSec: o.timeoutSec,
    workDir: dir('uac'),
    keys: {
      caller: o.caller.user,
      callee: o.callee.user,
      domain: o.domain,
      route: o.serviceRoute,
    },
    traceMessages: o.traceMessages,
  });
  const grace = setTimeout(() => stopUas.abort(), (o.uasGraceSec ?? 2) * 1000);
  const uas = await uasRun;
  clearTimeout(grace);
  return { uac, uas };
}

/**
 * The counters of the rows of one message in SIPp's last scenario screen, in scenario order:
 * for `180 <----------  20  0  0  0` the label `180` gives `[[20, 0, 0, 0]]` (messages,
 * retransmissions, timeouts, unexpected; a sent message has no unexpected column). A label
 * on several rows (the 200 to INVITE and the 200 to BYE) gives one entry per row.
 */
export function scenarioRows(stdout: string, label: string): number[][] {
  const screens = stdout.split('Scenario Screen');
  const last = screens[screens.length - 1];
  const rows: number[][] = [];
  for (const line of last.split('\n')) {
    const m = /^\s*(\S+)\s+(?:<-+|-+>)\s+(?:[BE]-RTD\d+\s+)?(\d+(?:\s+\d+)*)\s*$/.exec(line);
    if (m && m[1] === label) rows.push(m[2].split(/\s+/).map(Number));
  }
  return rows;
}

/** The last `max` characters of a file, or '' when it cannot be read. */
function readTail(file: string, max: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > max ? text.slice(-max) : text;
  } catch {
    return '';
  }
}
