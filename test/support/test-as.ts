/**
 * A test application server for the ISC interface (TS 24.229 §5.7, TS 23.218 §9), built on
 * libs/sip: a `SipStack` with a `ProxyCore`. The S-CSCF sends it a request matched by an iFC
 * with `Route: <AS>, <S-CSCF ODI route>` (TS 24.229 §5.4.3.2 step 4, §5.4.3.3 step 3); the AS
 * then behaves, per request, as
 *
 * - `proxy` (default): a proxy AS (TS 24.229 §5.7.4, "acting as a SIP proxy"): it marks the
 *   request (header {@link AS_MARK_HEADER}: <name>) and sends it on along the remaining
 *   Route, i.e. back to the S-CSCF through the original dialog identifier, with or without
 *   Record-Route (`recordRoute`);
 * - `respond`: a terminating UA / redirect server (§5.7.2): it answers itself with a status
 *   (486 for INVITE, 200 for MESSAGE...) and forwards nothing;
 * - `silent`: a dead AS: it records the request and sends nothing, not even 100 Trying, so
 *   the S-CSCF's default handling (TS 29.228 Annex B.2.2 DefaultHandling, TS 24.229 §5.4.3.2)
 *   decides what happens.
 *
 * Third-party REGISTERs (TS 24.229 §5.4.1.7) are answered 200 and recorded in `registers`.
 * Every request received is kept in `received`, every message sent in `sent`.
 */
import {
  createResponse,
  type HostMap,
  generateTag,
  parseMessage,
  ProxyCore,
  SipMessage,
  SipRequest,
  SipStack,
  type SipStackHandler,
  type TimerSettings,
  type TransportProtocol,
} from '@lib/sip';
import { DOMAIN, DOMAIN_B } from './lab';

/** The header a proxying test AS adds to each request it forwards. */
export const AS_MARK_HEADER = 'X-Test-AS';

export type AsBehaviour =
  | { kind: 'proxy' }
  | { kind: 'respond'; status: number; reason?: string; headers?: [string, string][] }
  | { kind: 'silent' };

/** The lab's element names (both home domains), resolved to loopback like IMS_HOSTS does. */
export const LAB_HOST_NAMES: string[] = [DOMAIN, DOMAIN_B].flatMap((d) =>
  ['pcscf', 'icscf', 'scscf', 'hss'].map((e) => `${e}.${d}`).concat(d),
);

export interface TestAsOptions {
  /** Value of the mark header; default `test-as`. */
  name?: string;
  host?: string;
  port?: number;
  transports?: TransportProtocol[];
  timers?: Partial<TimerSettings>;
  /**
   * Host names resolved to 127.0.0.1 (no DNS here): the S-CSCF's ODI Route names it by its
   * SCSCF_NAME host. Default {@link LAB_HOST_NAMES}.
   */
  hosts?: string[];
  /** Record-Route when proxying, so the AS stays in the dialog (RFC 3261 §16.6 step 4). */
  recordRoute?: boolean;
  /** Behaviour per request; default: `proxy` for everything. */
  behaviour?: (request: SipRequest) => AsBehaviour;
}

export class TestAs {
  readonly stack: SipStack;
  readonly proxy: ProxyCore;
  readonly name: string;
  /** Every request received (retransmissions of a silently ignored request included). */
  readonly received: SipRequest[] = [];
  /** Third-party REGISTERs received (answered 200). */
  readonly registers: SipRequest[] = [];
  /** Every message the AS sent (forwarded requests, responses), parsed from the wire. */
  readonly sent: SipMessage[] = [];
  behaviour: (request: SipRequest) => AsBehaviour;
  private waiters: { pred: (r: SipRequest) => boolean; resolve: (r: SipRequest) => void }[] = [];

  private constructor(options: TestAsOptions) {
    this.name = options.name ?? 'test-as';
    this.behaviour = options.behaviour ?? (() => ({ kind: 'proxy' }));
    this.stack = new SipStack({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      transports: options.transports ?? ['UDP', 'TCP'],
      timers: options.timers,
      hostMap: Object.fromEntries(
        (options.hosts ?? LAB_HOST_NAMES).map((h) => [
          h.toLowerCase(),
          { host: '127.0.0.1', port: 5060 },
        ]),
      ) as HostMap,
      onMessage: (direction, data) => {
        if (direction !== 'out') return;
        try {
          this.sent.push(parseMessage(data));
        } catch {
          /* only well-formed messages leave this stack */
        }
      },
    });
    this.proxy = new ProxyCore(this.stack, {
      recordRoute: options.recordRoute ?? false,
      processors: [
        {
          name: 'mark',
          process: (pr) => {
            // An ACK or another in-dialog request of a record-routed dialog is only relayed.
            if (!pr.request.to().tag) pr.request.append(AS_MARK_HEADER, this.name);
            return 'continue';
          },
        },
      ],
    });
  }

  static async start(options: TestAsOptions = {}): Promise<TestAs> {
    const as = new TestAs(options);
    // The proxy core is the transaction user; a handler in front of it records, answers
    // third-party REGISTERs, answers itself or stays silent, and passes the rest on.
    const proxyHandler = as.proxyHandler();
    as.stack.setHandler({
      onRequest: (request, tx, context) => {
        as.record(request);
        if (request.method === 'REGISTER') {
          as.registers.push(request);
          tx?.respond(createResponse(request, 200, undefined, { toTag: generateTag() }));
          return;
        }
        const initial =
          !request.to().tag && request.method !== 'ACK' && request.method !== 'CANCEL';
        const b: AsBehaviour = initial ? as.behaviour(request) : { kind: 'proxy' };
        if (b.kind === 'silent') {
          // Not even 100 Trying (RFC 3261 §17.2.1 would send it after 200 ms): drop the
          // server transaction; a retransmission makes a new one, dropped again.
          tx?.dispose();
          return;
        }
        if (b.kind === 'respond') {
          const response = createResponse(request, b.status, b.reason, {
            toTag: b.status > 100 ? generateTag() : undefined,
          });
          for (const [name, value] of b.headers ?? []) response.append(name, value);
          tx?.respond(response);
          return;
        }
        proxyHandler.onRequest(request, tx, context);
      },
      onStrayResponse: (response, context) => proxyHandler.onStrayResponse?.(response, context),
    });
    await as.stack.start();
    return as;
  }

  /** The SIP URI to provision as the application server's ServerName (loose router). */
  get uri(): string {
    return `sip:127.0.0.1:${this.stack.port};lr`;
  }

  /** Initial requests received with `method` (retransmissions counted once, by Via branch). */
  initial(method: string): SipRequest[] {
    const seen = new Set<string>();
    return this.received.filter((r) => {
      if (r.method !== method || r.to().tag) return false;
      const branch = r.topVia().branch ?? '';
      if (seen.has(branch)) return false;
      seen.add(branch);
      return true;
    });
  }

  /** Requests the AS forwarded (marked copies on their way back to the S-CSCF). */
  get forwarded(): SipRequest[] {
    return this.sent.filter((m): m is SipRequest => m.isRequest());
  }

  /** The first request received matching `pred` (already received or not); rejects on timeout. */
  waitFor(pred: (r: SipRequest) => boolean, timeoutMs = 5000): Promise<SipRequest> {
    const found = this.received.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`test AS ${this.name}: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      waiter.resolve = (r) => {
        clearTimeout(t);
        resolve(r);
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    await this.stack.stop();
  }

  private record(request: SipRequest): void {
    this.received.push(request);
    for (const w of [...this.waiters]) {
      if (w.pred(request)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(request);
      }
    }
  }

  /** The handler `ProxyCore.attach()` installs, captured so the front handler delegates to it. */
  private proxyHandler(): SipStackHandler {
    let captured: SipStackHandler | undefined;
    const setHandler = this.stack.setHandler;
    this.stack.setHandler = (h) => {
      captured = h;
    };
    try {
      this.proxy.attach();
    } finally {
      this.stack.setHandler = setHandler;
    }
    if (!captured) throw new Error('ProxyCore.attach() installed no handler');
    return captured;
  }
}
