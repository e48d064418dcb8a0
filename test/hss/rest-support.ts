/**
 * Shared pieces of the HSS REST end-to-end specs (test/hss/rest*.e2e-spec.ts): an HSS started
 * with createHssApp on ephemeral ports over a temporary sqlite file, JSON over real HTTP, the
 * HSS's provisioning events, and direct reads/writes of the same sqlite file.
 *
 * The HSS runs in a child Node process: NestJS 12 is ESM-only, which Node 20 require()s
 * natively but Jest's module runtime cannot. The child compiles the TypeScript sources with
 * @swc/core on require (same options as jest.config.js), subscribes to HssEventsService and
 * forwards every event over IPC, so the specs still assert on the events service itself.
 */
import Database from 'better-sqlite3';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';
export const SCSCF_NAME = `sip:scscf.${DOMAIN}:6060`;
export const SCSCF_HOST = `scscf.${DOMAIN}`;

/** TS 35.208 §4.3.1 / §4.3.2, Test Sets 1 and 2 (test/vectors/milenage.json): K, OP, OPc. */
export const SET1 = {
  k: '465b5ce8b199b49faa5f0a2ee238a6bc',
  op: 'cdc202d5123e20f62b6d676ac72cb318',
  opc: 'cd63cb71954a9f4e48a5994e37a02baf',
};
export const SET2 = {
  k: '0396eb317b6d1c36f19c1c84cd6ffd16',
  op: 'ff53bade17df5d4e793073ce9d7579fa',
  opc: '53c15671c60a4b731c55b4a441c0bde2',
};

export const impiOf = (imsi: string): string => `${imsi}@${DOMAIN}`;
export const enc = encodeURIComponent;

const ROOT = resolve(__dirname, '..', '..');

/** The child: a require hook for .ts and @lib/*, then createHssApp and the event bridge. */
const CHILD_SCRIPT = `
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');
const root = process.cwd();
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@lib\\/(sip|diameter|ims)(\\/.*)?$/.exec(request);
  return resolveFilename.call(this, m ? path.join(root, 'libs', m[1], 'src', m[2] || '') : request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true },
           transform: { legacyDecorator: true, decoratorMetadata: true }, keepClassNames: true },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require('reflect-metadata');
const { createHssApp } = require(path.join(root, 'apps/hss/src/hss-app.ts'));
const { HssEventsService } = require(path.join(root, 'apps/hss/src/events/index.ts'));
(async () => {
  const hss = await createHssApp(JSON.parse(process.argv[1]));
  const bus = hss.app.get(HssEventsService);
  for (const name of ['deregister', 'profile-changed']) {
    bus.on(name, (payload) => process.send({ event: name, payload }));
  }
  process.on('message', (m) => {
    if (m === 'ping') process.send({ pong: true });
    if (m === 'close') hss.close().catch((e) => console.error(e)).finally(() => process.exit(0));
  });
  process.send({ ready: true, restPort: hss.restPort, diameterPort: hss.diameterPort });
})().catch((err) => {
  process.send({ error: String((err && err.message) || err) });
  process.exit(1);
});
`;

export interface HssEvent {
  name: 'deregister' | 'profile-changed';
  payload: any;
}

export interface Reply {
  status: number;
  text: string;
  json: any;
}

/** A running HSS: REST base URL, the events it emitted so far, and a graceful close. */
export class TestHss {
  readonly events: HssEvent[] = [];
  base = '';
  restPort = 0;
  /** The Diameter Cx port createHssApp reported. */
  diameterPort = 0;
  private pongs: (() => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly dbPath: string,
  ) {}

  /**
   * createHssApp({restPort: 0, diameterPort: 0, dbPath, logLevel: 'error', ...overrides}),
   * with `env` added to the child's environment.
   */
  static async start(
    dbPath: string,
    overrides: Record<string, unknown> = {},
    env: Record<string, string> = {},
  ): Promise<TestHss> {
    const options = {
      restPort: 0,
      diameterPort: 0,
      dbPath,
      logLevel: 'error',
      seedDemo: false,
      ...overrides,
    };
    const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, JSON.stringify(options)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const hss = new TestHss(child, dbPath);
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('HSS did not start within 30 s')), 30000);
      child.on('message', (m: any) => {
        if (m.ready) {
          hss.restPort = m.restPort;
          hss.diameterPort = m.diameterPort;
          hss.base = `http://127.0.0.1:${m.restPort}`;
          clearTimeout(timer);
          ok();
        } else if (m.error) {
          clearTimeout(timer);
          fail(new Error(`HSS did not start: ${m.error}`));
        } else if (m.event) {
          hss.events.push({ name: m.event, payload: m.payload });
        } else if (m.pong) {
          hss.pongs.shift()?.();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`HSS exited with ${code}`));
      });
    });
    return hss;
  }

  /**
   * Every event emitted before now: IPC keeps order, so once the child answers a ping sent
   * after an HTTP response, the events emitted while handling that request are here.
   */
  async settledEvents(): Promise<HssEvent[]> {
    await new Promise<void>((ok) => {
      this.pongs.push(ok);
      this.child.send('ping');
    });
    return this.events.splice(0);
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (typeof body === 'string') {
      init.body = body;
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + path, init);
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  }

  /** The sqlite file as the HSS sees it (WAL: safe beside the HSS's own connection). */
  db<T>(use: (db: Database.Database) => T): T {
    const db = new Database(this.dbPath, { timeout: 5000 });
    try {
      return use(db);
    } finally {
      db.close();
    }
  }

  /** Marks IMPUs as registered at an S-CSCF, as a SAR REGISTRATION would. */
  register(impus: string[], scscfName = SCSCF_NAME, scscfHost = SCSCF_HOST): void {
    this.db((db) =>
      db
        .prepare(
          `UPDATE public_identities SET registration_state = 'REGISTERED', scscf_name = ?, scscf_diameter_host = ?
           WHERE impu IN (${impus.map(() => '?').join(',')})`,
        )
        .run(scscfName, scscfHost, ...impus),
    );
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((ok) => this.child.once('exit', ok));
    this.child.send('close');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }
}

/** A temporary directory for the sqlite file. */
export function tempDir(): { dir: string; dbPath: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hss-rest-'));
  return {
    dir,
    dbPath: join(dir, 'hss.sqlite'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** No secret key in the JSON and none of the secret values, in any letter case. */
export function expectNoSecrets(text: string, secrets: string[]): void {
  expect(text).not.toMatch(/"(k|op|opc|password)"\s*:/);
  for (const s of secrets) expect(text.toLowerCase()).not.toContain(s.toLowerCase());
}
