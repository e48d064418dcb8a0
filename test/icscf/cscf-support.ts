/**
 * Shared pieces of the CSCF end-to-end specs (test/icscf, test/pcscf): an HSS started in
 * its own process on ephemeral ports over a temporary sqlite file and provisioned over REST
 * (test/support/hss-provisioning.ts), roles in their own processes (role-process.ts), fake
 * SIP elements that are plain SipStack UASs whose answers each test controls, and a UAC.
 * Everything runs on 127.0.0.1 with short SIP timers (T1 = 20 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRequest,
  createResponse,
  generateTag,
  SipStack,
  type Destination,
  type IncomingContext,
  type ServerTransaction,
  type SipRequest,
  type SipResponse,
  type TimerSettings,
  type TransportProtocol,
} from '@lib/sip';
import type { HssConfig } from '../../apps/hss/src/config';
import { DOMAIN } from '../support/hss-provisioning';
import { startRole } from '../support/role-process';

export * from '../support/hss-provisioning';
export { startRole, type RunningRole } from '../support/role-process';
export const HOST = '127.0.0.1';
export const FAST: Partial<TimerSettings> = { T1: 20, T2: 160, T4: 200, timerD: 400 };

export interface TestHss {
  base: string;
  diameterPort: number;
  cleanup(): Promise<void>;
}

/** An HSS on ephemeral ports over a temporary sqlite file, in its own process. */
export async function startHss(overrides: Partial<HssConfig> = {}): Promise<TestHss> {
  const dir = mkdtempSync(join(tmpdir(), 'cscf-e2e-'));
  const hss = await startRole({
    role: 'hss',
    overrides: {
      restPort: 0,
      diameterPort: 0,
      restHost: HOST,
      diameterHost: HOST,
      dbPath: join(dir, 'hss.sqlite'),
      logLevel: 'error',
      ...overrides,
    },
  });
  return {
    base: `http://${HOST}:${hss.ports.restPort}`,
    diameterPort: hss.ports.diameterPort,
    cleanup: async () => {
      await hss.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Behaviour = (
  req: SipRequest,
  tx: ServerTransaction | undefined,
  ctx: IncomingContext,
) => void;

/** Answers every request with `status` (+ headers); a non-2xx gets a To tag as well. */
export function answer(status: number, headers: [string, string][] = []): Behaviour {
  return (req, tx) => {
    if (!tx) return;
    const res = createResponse(req, status, undefined, { toTag: 'fake-tag' });
    for (const [n, v] of headers) res.append(n, v);
    tx.respond(res);
  };
}

/** Never answers (the UAC side times out: timer F). */
export const silent: Behaviour = () => undefined;

/** A SIP element stand-in (fake S-CSCF, I-CSCF or UE): a SipStack UAS recording requests. */
export class FakeElement {
  readonly received: SipRequest[] = [];
  /** Where each received request came from (same index as `received`). */
  readonly contexts: IncomingContext[] = [];
  behaviour: Behaviour = answer(200);

  private constructor(readonly stack: SipStack) {
    stack.setHandler({
      onRequest: (req, tx, ctx) => {
        this.received.push(req);
        this.contexts.push(ctx);
        this.behaviour(req, tx, ctx);
      },
    });
  }

  static async start(): Promise<FakeElement> {
    const stack = new SipStack({ host: HOST, port: 0, timers: FAST });
    await stack.start();
    return new FakeElement(stack);
  }

  get port(): number {
    return this.stack.port;
  }

  /**
   * Distinct requests (UDP retransmissions of one transaction counted once), optionally only
   * those of one Call-ID (late retransmissions from an earlier test do not count).
   */
  distinct(method?: string, callId?: string): SipRequest[] {
    const seen = new Set<string>();
    return this.received.filter((r) => {
      const key = `${r.topVia().branch}/${r.method}`;
      if ((method && r.method !== method) || seen.has(key)) return false;
      if (callId !== undefined && r.callId() !== callId) return false;
      seen.add(key);
      return true;
    });
  }

  reset(behaviour: Behaviour = answer(200)): void {
    this.received.length = 0;
    this.contexts.length = 0;
    this.behaviour = behaviour;
  }

  stop(): Promise<void> {
    return this.stack.stop();
  }
}

/** A REGISTER as a UE sends it (TS 24.229 §5.1.1.2), To/From = IMPU, Authorization username = IMPI. */
export function register(opts: {
  impu: string;
  impi?: string;
  contact: string;
  expires?: number;
  callId?: string;
  cseq?: number;
  headers?: [string, string][];
}): SipRequest {
  const headers: [string, string][] = [
    ['Max-Forwards', '70'],
    ['From', `<${opts.impu}>;tag=${generateTag()}`],
    ['To', `<${opts.impu}>`],
    ['Call-ID', opts.callId ?? `${generateTag()}@ue`],
    ['CSeq', `${opts.cseq ?? 1} REGISTER`],
    ['Contact', `<${opts.contact}>`],
    ['Expires', String(opts.expires ?? 600000)],
  ];
  if (opts.impi) {
    headers.push([
      'Authorization',
      `Digest username="${opts.impi}", realm="${DOMAIN}", uri="sip:${DOMAIN}", nonce="", response=""`,
    ]);
  }
  headers.push(...(opts.headers ?? []));
  return createRequest({ method: 'REGISTER', uri: `sip:${DOMAIN}`, headers });
}

/** A UAC stack: sends one request statefully and resolves with the final response. */
export async function send(
  uac: SipStack,
  request: SipRequest,
  port: number,
  transport: TransportProtocol = 'UDP',
): Promise<SipResponse> {
  const destination: Destination = { host: HOST, port, transport };
  return uac.request(request, { destination });
}

/**
 * A UAC stack. Its T1 (100 ms: timer F = 6.4 s) is longer than the elements' (20 ms), so
 * an element's own timeouts and retries finish before the UAC gives up.
 */
export async function newUac(
  timers: Partial<TimerSettings> = { T1: 100, T2: 400, T4: 500, timerD: 1000 },
): Promise<SipStack> {
  const stack = new SipStack({ host: HOST, port: 0, timers });
  await stack.start();
  return stack;
}

/** Polls until `cond` holds (bounded). */
export async function waitFor(cond: () => boolean, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, HOST, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
