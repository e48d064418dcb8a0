/**
 * docker-compose.yml run as local processes (Docker cannot run in the test environment): each
 * service's container command is mapped onto the built dist/ and started with ITS environment
 * from the file, rewritten to loopback by one generic rule:
 *
 * - Every service has names: its service name, its `hostname`, its network aliases and its
 *   fixed `ipv4_address`; and ports: its `expose` list plus the container side of `ports`.
 *   Each (service, port) gets a free port on 127.0.0.1.
 * - In every environment value, `<name>:<port>` of a service becomes `<host>:<free port>`,
 *   where `<host>` is 127.0.0.1 for a service name, an address or 0.0.0.0, and the name itself
 *   for a DNS-style alias (the roles resolve those through IMS_HOSTS, rewritten next).
 * - A bare service name, service address or 0.0.0.0 becomes 127.0.0.1 (so IMS_HOSTS entries
 *   point at loopback, and nothing binds beyond it).
 * - A value that is exactly one of the service's own ports becomes its free port.
 * - A path under a volume's mount point moves to a temp dir standing for that volume.
 *
 * The container command maps through the Dockerfile: ENTRYPOINT ["node"] is this node, the
 * WORKDIR (/app) is the repository root. A healthcheck `["CMD", "node", ...]` runs the same
 * way with the service's environment.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { SippOptions } from '../../scripts/sipp';
import { freePort, ROOT } from '../support/lab';

export interface ComposeHealthcheck {
  test: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface ComposeService {
  build?: { context: string; dockerfile: string; target?: string };
  image?: string;
  command?: string[];
  hostname?: string;
  environment?: Record<string, string>;
  expose?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: ComposeHealthcheck;
  networks?: Record<string, { ipv4_address?: string; aliases?: string[] } | null>;
  profiles?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
}

export class ComposeRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeRunError';
  }
}

/** Reads a compose file (YAML merge keys `<<` allowed, as docker compose does). */
export function loadCompose(file = path.join(ROOT, 'docker-compose.yml')): ComposeFile {
  return parseYaml(fs.readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

/** Compose's `${VAR:-default}` / `${VAR}` interpolation against an environment. */
export function interpolate(value: string, env: NodeJS.ProcessEnv = {}): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, def) =>
    env[name] !== undefined && env[name] !== '' ? env[name]! : ((def as string) ?? ''),
  );
}

/** A published port: `[ip:]host:container[/proto]`. */
export interface PublishedPort {
  hostIp?: string;
  host: number;
  container: number;
  protocol: 'tcp' | 'udp';
}

export function parsePortSpec(spec: string, env: NodeJS.ProcessEnv = {}): PublishedPort {
  const s = interpolate(spec, env);
  const m = /^(?:(\[[^\]]+\]|[0-9.]+):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(s);
  if (!m) throw new ComposeRunError(`unsupported port spec "${spec}"`);
  return {
    ...(m[1] ? { hostIp: m[1] } : {}),
    host: Number(m[2]),
    container: Number(m[3]),
    protocol: (m[4] as 'tcp' | 'udp' | undefined) ?? 'tcp',
  };
}

/** The services `docker compose up` starts (no profile), dependencies first (depends_on). */
export function startOrder(compose: ComposeFile): string[] {
  const active = Object.keys(compose.services).filter(
    (n) => !(compose.services[n].profiles?.length ?? 0),
  );
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (order.includes(name)) return;
    if (visiting.has(name)) throw new ComposeRunError(`depends_on cycle through ${name}`);
    const svc = compose.services[name];
    if (!svc) throw new ComposeRunError(`depends_on names unknown service ${name}`);
    visiting.add(name);
    for (const dep of Object.keys(svc.depends_on ?? {})) visit(dep);
    visiting.delete(name);
    order.push(name);
  };
  for (const name of active) visit(name);
  return order;
}

/** The ports a service listens on inside its container. */
export function servicePorts(svc: ComposeService): number[] {
  const ports = new Set<number>((svc.expose ?? []).map((p) => Number(String(p).split('/')[0])));
  for (const spec of svc.ports ?? []) ports.add(parsePortSpec(spec).container);
  return [...ports];
}

/** The names a service is reached by: service name, hostname, aliases, fixed addresses. */
export function serviceNames(
  name: string,
  svc: ComposeService,
): { names: string[]; ips: string[] } {
  const names = new Set<string>([name]);
  if (svc.hostname) names.add(svc.hostname);
  const ips: string[] = [];
  for (const net of Object.values(svc.networks ?? {})) {
    for (const a of net?.aliases ?? []) names.add(a);
    if (net?.ipv4_address) ips.push(net.ipv4_address);
  }
  return { names: [...names], ips };
}

/** The loopback plan of a compose file: a free port per (service, port), a dir per volume. */
export interface LocalPlan {
  compose: ComposeFile;
  /** `service:port` -> free local port. */
  ports: Map<string, number>;
  /** lower-cased name or address -> { service, loopback: whether it becomes 127.0.0.1 }. */
  hosts: Map<string, { service: string; loopback: boolean }>;
  /** Named volume -> local dir. */
  volumeDirs: Map<string, string>;
}

export async function planLocal(compose: ComposeFile, tmpDir: string): Promise<LocalPlan> {
  const plan: LocalPlan = { compose, ports: new Map(), hosts: new Map(), volumeDirs: new Map() };
  for (const [name, svc] of Object.entries(compose.services)) {
    for (const port of servicePorts(svc)) plan.ports.set(`${name}:${port}`, await freePort());
    const { names, ips } = serviceNames(name, svc);
    for (const n of names) {
      plan.hosts.set(n.toLowerCase(), { service: name, loopback: n === name || !n.includes('.') });
    }
    for (const ip of ips) plan.hosts.set(ip, { service: name, loopback: true });
  }
  for (const volume of Object.keys(compose.volumes ?? {})) {
    const dir = path.join(tmpDir, `volume-${volume}`);
    fs.mkdirSync(dir, { recursive: true });
    plan.volumeDirs.set(volume, dir);
  }
  return plan;
}

/** One environment value of `service`, rewritten to loopback by the rule in the header. */
export function rewriteValue(value: string, service: string, plan: LocalPlan): string {
  const svc = plan.compose.services[service];
  const own = plan.ports.get(`${service}:${value.trim()}`);
  if (/^\d+$/.test(value.trim()) && own !== undefined) return String(own);
  for (const mount of svc.volumes ?? []) {
    const [source, target] = mount.split(':');
    const dir = plan.volumeDirs.get(source);
    if (dir && target && (value === target || value.startsWith(`${target}/`))) {
      return path.join(dir, value.slice(target.length));
    }
  }
  return value.replace(
    /(?<![A-Za-z0-9.-])([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?(?![A-Za-z0-9.-])/g,
    (whole, host: string, port: string | undefined) => {
      if (host === '0.0.0.0') return port ? `127.0.0.1:${port}` : '127.0.0.1';
      const target = plan.hosts.get(host.toLowerCase());
      if (!target) return whole;
      const newHost = target.loopback ? '127.0.0.1' : host;
      if (port === undefined) return newHost;
      const local = plan.ports.get(`${target.service}:${port}`);
      if (local === undefined) {
        throw new ComposeRunError(
          `${service}: "${whole}" names port ${port} that ${target.service} does not expose`,
        );
      }
      return `${newHost}:${local}`;
    },
  );
}

/** A service's environment from the file, rewritten to loopback. */
export function localEnv(service: string, plan: LocalPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(plan.compose.services[service].environment ?? {})) {
    out[k] = rewriteValue(String(v), service, plan);
  }
  return out;
}

/** The local port a published `hostPort/protocol` of a service maps to. */
export function publishedLocalPort(plan: LocalPlan, service: string, hostPort: number): number {
  const svc = plan.compose.services[service];
  const spec = (svc.ports ?? []).map((p) => parsePortSpec(p)).find((p) => p.host === hostPort);
  if (!spec) throw new ComposeRunError(`${service} does not publish ${hostPort}`);
  return plan.ports.get(`${service}:${spec.container}`)!;
}

/** The runtime stage of the Dockerfile: WORKDIR, ENTRYPOINT and USER as written. */
export interface DockerStage {
  name: string;
  base: string;
  lines: string[];
  workdir?: string;
  entrypoint?: string[];
  user?: string;
  /** `ENV K=V` of the stage (the containers' base environment). */
  env: Record<string, string>;
}

export function dockerStages(dockerfile: string): DockerStage[] {
  const stages: DockerStage[] = [];
  const joined = dockerfile.replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      stages.push({ name: from[2] ?? String(stages.length), base: from[1], lines: [], env: {} });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) continue;
    stage.lines.push(line);
    const [instr, ...rest] = line.split(/\s+/);
    const arg = rest.join(' ');
    if (/^WORKDIR$/i.test(instr)) stage.workdir = arg;
    if (/^USER$/i.test(instr)) stage.user = arg;
    if (/^ENTRYPOINT$/i.test(instr)) stage.entrypoint = JSON.parse(arg) as string[];
    if (/^ENV$/i.test(instr)) {
      for (const kv of rest) {
        const eq = kv.indexOf('=');
        if (eq > 0) stage.env[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
    }
  }
  return stages;
}

/** Maps a container command onto this machine: `node` -> this node, WORKDIR -> ROOT. */
export function localCommand(
  stage: DockerStage,
  command: string[],
): { file: string; args: string[] } {
  const argv = [...(stage.entrypoint ?? []), ...command];
  if (argv[0] !== 'node') throw new ComposeRunError(`unsupported entrypoint ${argv[0]}`);
  const workdir = stage.workdir ?? '/';
  const args = argv.slice(1).map((a) => {
    if (a.startsWith('-')) return a;
    const inContainer = path.posix.resolve(workdir, a);
    return inContainer.startsWith(`${workdir}/`)
      ? path.join(ROOT, path.posix.relative(workdir, inContainer))
      : a;
  });
  return { file: process.execPath, args };
}

export interface RunningService {
  name: string;
  proc: ChildProcess;
  output: string[];
  env: Record<string, string>;
}

export function startService(name: string, plan: LocalPlan, stage: DockerStage): RunningService {
  const svc = plan.compose.services[name];
  const { file, args } = localCommand(stage, svc.command ?? []);
  const env = localEnv(name, plan);
  const proc = spawn(file, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...stage.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running: RunningService = { name, proc, output: [], env: { ...stage.env, ...env } };
  const keep = (d: Buffer) => {
    running.output.push(d.toString());
    if (running.output.length > 2000) running.output.splice(0, 1000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  return running;
}

/** Runs a service's healthcheck command once: true when it exits 0. */
export function runHealthcheck(
  running: RunningService,
  check: ComposeHealthcheck,
  timeoutMs = 3000,
): Promise<boolean> {
  const [kind, exe, ...args] = check.test;
  if (kind !== 'CMD' || exe !== 'node') {
    throw new ComposeRunError(`${running.name}: healthcheck must be ["CMD", "node", ...]`);
  }
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...running.env },
      stdio: 'ignore',
    });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve(code === 0);
    });
  });
}

/** Waits until the healthcheck passes (compose's service_healthy), the process dies, or time runs out. */
export async function waitHealthy(
  running: RunningService,
  check: ComposeHealthcheck,
  timeoutMs = 20000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.proc.exitCode !== null || running.proc.signalCode !== null) {
      throw new ComposeRunError(
        `${running.name} exited (${running.proc.exitCode ?? running.proc.signalCode}):\n${running.output.join('')}`,
      );
    }
    if (await runHealthcheck(running, check)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new ComposeRunError(
    `${running.name} not healthy within ${timeoutMs} ms:\n${running.output.join('')}`,
  );
}

/** Stops a service by PID: SIGTERM, then SIGKILL after a grace period. */
export async function stopService(running: RunningService): Promise<void> {
  const p = running.proc;
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    p.kill('SIGTERM');
  });
}

/**
 * The SIPp options of a service whose container runs `sipp <args>` (the `ue` profile): files
 * under the stage's COPY destination map back to their sources in the repository, and the
 * target and the local address go through the loopback rule. scripts/sipp.ts checks the
 * result (loopback only, bounded) before SIPp starts.
 */
export function sippOptionsOf(service: string, plan: LocalPlan, stage: DockerStage): SippOptions {
  const args = plan.compose.services[service].command ?? [];
  const copy =
    stage.lines
      .find((l) => /^COPY\s/i.test(l))
      ?.split(/\s+/)
      .slice(1) ?? [];
  const into = copy.pop() ?? '/';
  const fromImage = (file: string): string => {
    const source = copy.find((c) => path.posix.join(into, path.posix.basename(c)) === file);
    if (!source) throw new ComposeRunError(`${service}: ${file} is not copied into the image`);
    return path.join(ROOT, source);
  };
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const need = (flag: string): string => {
    const v = value(flag);
    if (v === undefined) throw new ComposeRunError(`${service}: sipp needs ${flag}`);
    return v;
  };
  const [host, port] = rewriteValue(args[args.length - 1], service, plan).split(':');
  const inf = value('-inf');
  return {
    scenario: fromImage(need('-sf')),
    ...(inf ? { injectionFile: fromImage(inf) } : {}),
    target: { host, port: Number(port) },
    localHost: rewriteValue(value('-i') ?? '127.0.0.1', service, plan),
    transport: (value('-t') ?? 'u1') as SippOptions['transport'],
    calls: Number(need('-m')),
    ...(value('-auth_uri') ? { authUri: value('-auth_uri') } : {}),
    timeoutSec: Number(need('-timeout').replace(/s$/, '')),
  };
}
