/**
 * Debian's headless Chromium driven over the Chrome DevTools Protocol on a pipe
 * (`--remote-debugging-pipe`: commands on fd 3, replies and events on fd 4, each JSON message
 * ended by a NUL byte), so the tests need no npm dependency and no network port. Collects
 * every script exception, console error and log error of the page.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';

/** The Chromium binary, or undefined when it is not installed. */
export function findChromium(): string | undefined {
  for (const name of [process.env.CHROMIUM_BIN, 'chromium', 'chromium-browser']) {
    if (!name) continue;
    const r = spawnSync('sh', ['-c', `command -v "${name}"`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

interface Pending {
  resolve(v: Record<string, unknown>): void;
  reject(e: Error): void;
}

export class HeadlessChromium {
  /** Script exceptions, console.error calls and error-level log entries of the page. */
  readonly pageErrors: string[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((method: string, params: Record<string, unknown>) => void)[] = [];
  private sessionId?: string;
  private buffer = '';

  private constructor(
    private readonly proc: ChildProcess,
    private readonly userDataDir: string,
  ) {
    const input = proc.stdio[4] as Readable;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.receive(chunk));
    proc.once('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('chromium exited'));
      this.pending.clear();
    });
  }

  static async launch(binary: string): Promise<HeadlessChromium> {
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ims-test-chromium-'));
    // The flags of a closed-network machine: no background networking, updates or sync.
    const proc = spawn(
      binary,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${userDataDir}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    proc.stderr!.resume();
    const browser = new HeadlessChromium(proc, userDataDir);
    const { targetInfos } = (await browser.send('Target.getTargets')) as {
      targetInfos: { targetId: string; type: string }[];
    };
    let page = targetInfos.find((t) => t.type === 'page')?.targetId;
    if (!page)
      page = (
        (await browser.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string }
      ).targetId;
    const { sessionId } = (await browser.send('Target.attachToTarget', {
      targetId: page,
      flatten: true,
    })) as { sessionId: string };
    browser.sessionId = sessionId;
    browser.listeners.push((method, params) => {
      if (method === 'Runtime.exceptionThrown') {
        const d = params.exceptionDetails as {
          text?: string;
          exception?: { description?: string };
        };
        browser.pageErrors.push(`exception: ${d.exception?.description ?? d.text ?? 'unknown'}`);
      } else if (method === 'Runtime.consoleAPICalled' && params.type === 'error') {
        browser.pageErrors.push(`console.error: ${JSON.stringify(params.args)}`);
      } else if (method === 'Log.entryAdded') {
        const entry = params.entry as { level: string; text: string; url?: string };
        if (entry.level === 'error')
          browser.pageErrors.push(`log: ${entry.text} ${entry.url ?? ''}`);
      }
    });
    await browser.page('Runtime.enable');
    await browser.page('Log.enable');
    await browser.page('Page.enable');
    return browser;
  }

  /** Opens a URL in the page and waits for its load event. */
  async open(url: string, width = 1280, height = 900): Promise<void> {
    await this.page('Emulation.setDeviceMetricsOverride', {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    const loaded = this.waitForEvent('Page.loadEventFired', 20000);
    const nav = (await this.page('Page.navigate', { url })) as { errorText?: string };
    if (nav.errorText) throw new Error(`navigation to ${url} failed: ${nav.errorText}`);
    await loaded;
  }

  /** Evaluates an expression in the page; returns its value (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.page('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true,
    })) as {
      result: { value: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error(`evaluate: ${d.exception?.description ?? d.text}`);
    }
    return r.result.value;
  }

  /** PNG of a page region in CSS pixels (beyond the viewport if needed). */
  async screenshot(clip: { x: number; y: number; width: number; height: number }): Promise<Buffer> {
    const r = (await this.page('Page.captureScreenshot', {
      format: 'png',
      clip: { ...clip, scale: 1 },
      captureBeyondViewport: true,
    })) as { data: string };
    return Buffer.from(r.data, 'base64');
  }

  async close(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
      await this.send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.userDataDir, { recursive: true, force: true });
  }

  private page(
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    return this.send(method, params, this.sessionId);
  }

  private send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const out = this.proc.stdio[3] as Writable;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      out.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    });
  }

  private waitForEvent(name: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${name} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const listener = (method: string, params: Record<string, unknown>) => {
        if (method !== name) return;
        clearTimeout(timer);
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        resolve(params);
      };
      this.listeners.push(listener);
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\0'); end >= 0; end = this.buffer.indexOf('\0')) {
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      const msg = JSON.parse(text) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
        method?: string;
        params?: Record<string, unknown>;
      };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method) {
        for (const l of [...this.listeners]) l(msg.method, msg.params ?? {});
      }
    }
  }
}
