/**
 * Live packet capture for end-to-end tests: `tshark -i lo -f <BPF> -w <file>` spawned as a
 * child, started before the traffic and stopped by its own PID with SIGINT, so that it closes
 * the pcap file and exits by itself. The file is then read back with `tshark -r` (see
 * capture-decode.ts).
 *
 * "Capturing on" on stderr only says that dumpcap opened the interface, and on SIGINT dumpcap
 * drops whatever the kernel still buffers: the last messages of a test went missing that way.
 * So the capture also listens on a marker UDP port of its own (added to the filter, never
 * decoded as SIP or Diameter): a datagram with a random token sent there, once found in the
 * file, proves that everything sent before it has been written.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The tshark binary (Debian package `tshark`). */
export const TSHARK = 'tshark';

/**
 * Why a live capture on `iface` cannot run here, or undefined when it can: tshark is missing,
 * or it lists no such interface (capturing needs root or CAP_NET_RAW/CAP_NET_ADMIN on
 * dumpcap). A spec skips with this text, loudly, rather than failing on the environment.
 */
export function captureUnavailable(iface = 'lo'): string | undefined {
  const version = spawnSync(TSHARK, ['--version'], { encoding: 'utf8' });
  if (version.error) return `${TSHARK} is not installed (${version.error.message})`;
  const list = spawnSync(TSHARK, ['-D'], { encoding: 'utf8', timeout: 10000 });
  const names = (list.stdout ?? '')
    .split('\n')
    .map((l) => /^\d+\.\s+(\S+)/.exec(l)?.[1])
    .filter(Boolean);
  if (!names.includes(iface)) {
    const uid = process.getuid?.();
    return (
      `${TSHARK} -D does not list interface "${iface}" (uid ${uid}; capturing needs root or ` +
      `CAP_NET_RAW on dumpcap): ${(list.stderr ?? '').trim()}`
    );
  }
  return undefined;
}

/**
 * A BPF capture filter (pcap-filter(7)) for exactly these ports: each `udp` port as UDP,
 * each `tcp` port as TCP, e.g. `udp port 5060 or tcp port 5060 or tcp port 3868`.
 */
export function bpfForPorts(ports: { udp?: number[]; tcp?: number[] }): string {
  const terms = [
    ...(ports.udp ?? []).map((p) => `udp port ${checkPort(p)}`),
    ...(ports.tcp ?? []).map((p) => `tcp port ${checkPort(p)}`),
  ];
  if (!terms.length) throw new Error('bpfForPorts: no port given');
  return terms.join(' or ');
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new RangeError(`bpfForPorts: ${port} is not a port number`);
  return port;
}

export interface LiveCaptureOptions {
  /** BPF capture filter (`-f`). */
  filter: string;
  /** Interface, default `lo`. */
  iface?: string;
  /** How long to wait for tshark to start capturing, default 10 s. */
  startTimeoutMs?: number;
}

/** One running `tshark -i <iface> -w <file>` child. */
export class LiveCapture {
  private stderr = '';
  private exited: Promise<void>;

  private constructor(
    private readonly proc: ChildProcess,
    readonly file: string,
    private readonly dir: string,
    private readonly marker: dgram.Socket,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  /** Starts tshark and resolves once it reports that it is capturing. */
  static async start(options: LiveCaptureOptions): Promise<LiveCapture> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-'));
    const file = path.join(dir, 'capture.pcap');
    const marker = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => marker.bind(0, '127.0.0.1', resolve));
    marker.unref();
    const filter = `(${options.filter}) or udp port ${marker.address().port}`;
    const proc = spawn(TSHARK, ['-i', options.iface ?? 'lo', '-f', filter, '-w', file, '-q'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const capture = new LiveCapture(proc, file, dir, marker);
    try {
      const timeoutMs = options.startTimeoutMs ?? 10000;
      await capture.waitFor(/Capturing on/, timeoutMs);
      await capture.sync(timeoutMs);
    } catch (err) {
      await capture.kill(1000);
      capture.remove();
      throw err;
    }
    return capture;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** What tshark printed on stderr so far (its start and packet-count lines, or an error). */
  get log(): string {
    return this.stderr;
  }

  private waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.stderr)) done(undefined);
      };
      const onExit = () =>
        done(new Error(`tshark exited before capturing (${this.proc.exitCode}):\n${this.stderr}`));
      const timer = setTimeout(
        () => done(new Error(`tshark did not start capturing in ${timeoutMs} ms:\n${this.stderr}`)),
        timeoutMs,
      );
      const done = (err: Error | undefined) => {
        clearTimeout(timer);
        this.proc.stderr!.off('data', check);
        this.proc.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      this.proc.stderr!.on('data', check);
      this.proc.once('exit', onExit);
      check();
    });
  }

  /** The marker port (in the filter, carries only the capture's own tokens). */
  get markerPort(): number {
    return this.marker.address().port;
  }

  /**
   * Sends a token to the marker port and resolves once it is in the pcap file: every packet
   * sent before has then been written too.
   */
  async sync(timeoutMs = 5000): Promise<void> {
    const token = Buffer.from(`capture-sync-${randomBytes(8).toString('hex')}`);
    const deadline = Date.now() + timeoutMs;
    let resend = 0;
    while (Date.now() < deadline) {
      if (Date.now() >= resend) {
        this.marker.send(token, this.markerPort, '127.0.0.1');
        resend = Date.now() + 1000;
      }
      await new Promise((r) => setTimeout(r, 25));
      if (fs.existsSync(this.file) && fs.readFileSync(this.file).includes(token)) return;
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) break;
    }
    throw new Error(
      `the capture did not record its marker within ${timeoutMs} ms:\n${this.stderr}`,
    );
  }

  /**
   * Stops the capture once everything sent so far is in the file (see sync): SIGINT to
   * tshark's own PID (it then stops dumpcap and closes the file), SIGKILL only if it has not
   * exited within `graceMs`. Resolves once it has exited.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      try {
        await this.sync(graceMs);
      } finally {
        await this.kill(graceMs);
      }
    }
  }

  private async kill(graceMs: number): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const kill = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
      this.proc.kill('SIGINT');
      await this.exited;
      clearTimeout(kill);
    }
  }

  /** Deletes the pcap file and its temp dir, closes the marker socket. */
  remove(): void {
    try {
      this.marker.close();
    } catch {
      /* already closed */
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
