/**
 * Runs a command in a private network namespace (`unshare -n`): a loopback interface of its
 * own (brought up here), no route anywhere else, optionally with nftables rules loaded first
 * (packet loss, e.g. `udp dport 5060 numgen random mod 10 0 drop`). Whatever the command
 * sends cannot leave the namespace, and nothing outside (other labs on the shared loopback)
 * can see it: fuzzing and loss tests run there.
 *
 * As root `unshare -n` is enough; otherwise `unshare -rn` (a user namespace mapping us to
 * root) is tried, which nftables also accepts on kernels that allow unprivileged user
 * namespaces.
 *
 *   node dist/scripts/netns-run.js [--nft rules.nft] -- node some-script.js args...
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Set in the environment of a command running inside the namespace. */
export const NETNS_ENV = 'IMS_PRIVATE_NETNS';

/** `unshare` flags that work on this machine, or undefined (with the reason) when none does. */
export function netnsFlags(): { flags?: string[]; reason?: string } {
  let last = '';
  for (const flags of [['-n'], ['-r', '-n']]) {
    const r = spawnSync('unshare', [...flags, 'ip', 'link', 'set', 'lo', 'up'], {
      encoding: 'utf8',
      timeout: 10000,
    });
    if (r.status === 0) return { flags };
    last = (r.error?.message ?? r.stderr ?? '').trim();
  }
  return { reason: `unshare -n is not available here (${last || 'unknown error'})` };
}

/** Whether nftables can load a loss rule inside a private namespace (`nft` installed). */
export function nftAvailable(flags: string[]): { ok: boolean; reason?: string } {
  const r = spawnSync(
    'unshare',
    [...flags, 'sh', '-c', 'nft add table inet probe && nft list tables'],
    { encoding: 'utf8', timeout: 10000 },
  );
  if (r.status === 0) return { ok: true };
  return {
    ok: false,
    reason: `nftables does not work in a private namespace (${(r.error?.message ?? r.stderr ?? '').trim()}); Debian package nftables`,
  };
}

export interface UdpLossRule {
  /** UDP ports whose datagrams (to or from them) may be dropped. */
  ports: number[];
  /** Percentage dropped, 1..99. */
  percent: number;
}

/**
 * nftables rules dropping `percent` % of the UDP datagrams sent to or from any of `ports`,
 * each datagram drawn once (a mark set by either port match, then one random draw). In the
 * input hook, as a lossy link would: a drop in the output hook makes the sender's sendmsg()
 * fail with EPERM, which the sender sees as a transport error (RFC 3261 §18.4) instead of a
 * silent loss. On loopback every datagram passes the input hook exactly once.
 */
export function udpLossRules(rule: UdpLossRule): string {
  if (!(rule.percent > 0 && rule.percent < 100)) throw new Error('loss percent must be 1..99');
  const ports = rule.ports.join(', ');
  return [
    'table inet sip_loss {',
    `  set sip_ports { type inet_service; elements = { ${ports} } }`,
    '  chain in {',
    '    type filter hook input priority 0; policy accept;',
    '    udp dport @sip_ports meta mark set 0x5e',
    '    udp sport @sip_ports meta mark set 0x5e',
    `    meta mark 0x5e numgen random mod 100 < ${Math.round(rule.percent)} counter drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export interface NetnsSpawnOptions {
  /** nftables rules (text for `nft -f`) loaded before the command starts. */
  nft?: string;
  env?: NodeJS.ProcessEnv;
  flags?: string[];
}

/**
 * Spawns `command args` inside a fresh private network namespace with lo up (and `nft`
 * rules loaded). The namespace lives as long as the processes in it.
 */
export function spawnInNetns(
  command: string,
  args: string[],
  options: NetnsSpawnOptions = {},
): ChildProcess {
  const flags = options.flags ?? netnsFlags().flags;
  if (!flags) throw new Error(netnsFlags().reason);
  let rulesFile = '';
  if (options.nft) {
    rulesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netns-')), 'rules.nft');
    fs.writeFileSync(rulesFile, options.nft);
  }
  const script =
    'ip link set lo up || exit 97; ' +
    'if [ -n "$NETNS_NFT" ]; then nft -f "$NETNS_NFT" || exit 98; fi; ' +
    'exec "$@"';
  const child = spawn('unshare', [...flags, 'sh', '-c', script, 'netns', command, ...args], {
    env: {
      ...process.env,
      ...options.env,
      [NETNS_ENV]: '1',
      NETNS_NFT: rulesFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (rulesFile)
    child.once('exit', () => fs.rmSync(path.dirname(rulesFile), { recursive: true, force: true }));
  return child;
}

export interface NetnsResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command in a private namespace to completion (killed after `timeoutMs`), echoing
 * its output when `echo` is set.
 */
export function runInNetns(
  command: string,
  args: string[],
  options: NetnsSpawnOptions & { timeoutMs?: number; echo?: boolean } = {},
): Promise<NetnsResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawnInNetns(command, args, options);
    } catch (err) {
      reject(err);
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (options.echo) process.stdout.write(d);
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (options.echo) process.stderr.write(d);
    });
    const timer = options.timeoutMs
      ? setTimeout(() => child.kill('SIGTERM'), options.timeoutMs)
      : undefined;
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The last line of `output` starting with `tag ` parsed as JSON (a runner's report). */
export function reportLine<T>(output: string, tag: string): T | undefined {
  const line = output
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(`${tag} `));
  return line ? (JSON.parse(line.slice(tag.length + 1)) as T) : undefined;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  let nft: string | undefined;
  if (argv[0] === '--nft') {
    nft = fs.readFileSync(argv[1], 'utf8');
    argv.splice(0, 2);
  }
  if (argv[0] === '--') argv.shift();
  if (argv.length === 0) {
    console.error('usage: netns-run [--nft rules.nft] -- command args...');
    process.exit(2);
  }
  runInNetns(argv[0], argv.slice(1), { nft, echo: true })
    .then((r) => process.exit(r.code ?? 1))
    .catch((err: Error) => {
      console.error(err.message);
      process.exit(1);
    });
}
