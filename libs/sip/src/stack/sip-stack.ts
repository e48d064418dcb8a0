import {
  createResponse,
  generateBranch,
  StatelessTags,
  type SipRequest,
  type SipResponse,
} from '../transport/message-api';
import { resolveTarget, type HostMap } from '../transport/resolve-target';
import { TcpTransport } from '../transport/tcp-transport';
import {
  formatHost,
  stripBrackets,
  type Destination,
  type Transport,
  type TransportProtocol,
} from '../transport/transport';
import {
  SipTransportLayer,
  type IncomingContext,
  type SentRequest,
  type SipTracer,
  type TransportLayerUser,
} from '../transport/transport-layer';
import { UdpTransport } from '../transport/udp-transport';
import type { ClientTransaction } from '../transaction/client-transaction';
import type { ServerTransaction } from '../transaction/server-transaction';
import { systemTimers, type TimerFacility, type TimerSettings } from '../transaction/timers';
import { TransactionLayer } from '../transaction/transaction-layer';
import type { ClientTransactionUser } from '../transaction/transaction-user';
import { OverloadPolicy, type OverloadOptions } from './overload';

export interface SipStackOptions {
  /** Bind address: an IPv4 or IPv6 literal (127.0.0.1, ::1). */
  host: string;
  /** Port shared by UDP and TCP; 0 picks a free one. Default 5060. */
  port?: number;
  /** Which transports to open. Default UDP and TCP. */
  transports?: TransportProtocol[];
  /**
   * Transports to use instead of opening sockets (`transports`, `maxMessageSize`,
   * `udpBufferSize`, `maxConnections`, `tcpIdleTimeout` then do not apply): an in-memory
   * transport that measures the stack without the kernel (bench/proxy-pipeline.bench.ts).
   */
  transportInstances?: Transport[];
  /** Host written in Via/Record-Route, if not the bind address. */
  advertisedHost?: string;
  /** T1/T2/T4 (and timers C, D) of this instance. */
  timers?: Partial<TimerSettings>;
  /** Injected clock for the transaction timers and timer C. */
  clock?: TimerFacility;
  maxMessageSize?: number;
  /** SO_RCVBUF / SO_SNDBUF of the UDP socket (default 4 MB, `DEFAULT_UDP_BUFFER_SIZE`). */
  udpBufferSize?: number;
  maxConnections?: number;
  /**
   * Size above which a UDP request is sent over TCP instead (RFC 3261 §18.1.1; default 1300).
   * An element that must keep a peer's UDP flow (a P-CSCF towards UEs, RFC 5626 §5.3) raises it.
   */
  udpSizeThreshold?: number;
  /** Close TCP connections idle this long (ms); default 0: keep them. */
  tcpIdleTimeout?: number;
  /** Names `resolveTarget` knows (no DNS). */
  hostMap?: HostMap;
  /** Diagnostics (malformed input, framing errors, handler exceptions). */
  onError?(error: Error, context?: Partial<IncomingContext>): void;
  /**
   * Called for every SIP message received or sent, as the bytes on the wire (see
   * `SipTracer`). Unset, tracing costs nothing; `transportLayer.addTracer()` adds more later.
   */
  onMessage?: SipTracer;
  /**
   * Load shedding (see `OverloadPolicy`): new out-of-dialog requests get a stateless 503 with
   * Retry-After while too many server transactions wait for a final response. Defaults apply
   * when unset; `false` turns shedding off.
   */
  overload?: OverloadOptions | false;
}

/** What the element built on the stack implements (the TU of RFC 3261 §17). */
export interface SipStackHandler {
  /**
   * A new request with its server transaction; respond with `transaction.respond()`. An ACK
   * for a 2xx arrives with `transaction` undefined.
   */
  onRequest(
    request: SipRequest,
    transaction: ServerTransaction | undefined,
    context: IncomingContext,
  ): void;
  /** A response that matched no client transaction (e.g. a 2xx retransmission). */
  onStrayResponse?(response: SipResponse, context: IncomingContext): void;
}

export interface RequestOptions {
  /** Next hop; default: resolved from the top Route, else the Request-URI. */
  destination?: Destination;
  /** Provisional responses. */
  onProvisional?(response: SipResponse): void;
}

/**
 * A SIP stack instance: UDP and TCP transports on one address, the RFC 3261 §18 transport
 * layer and the §17 transaction layer, with its own timer settings. Elements (UA, proxy,
 * registrar) sit on top as the transaction user.
 *
 * ```ts
 * const ua = new SipStack({ host: '127.0.0.1', port: 0, timers: { T1: 500 } });
 * ua.setHandler({ onRequest: (req, tx) => tx?.respond(createResponse(req, 200, undefined, { toTag: generateTag() })) });
 * await ua.start();
 * const res = await ua.request(createRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1:5060', headers }));
 * await ua.stop();
 * ```
 */
export class SipStack {
  readonly transportLayer: SipTransportLayer;
  readonly transactions: TransactionLayer;
  readonly clock: TimerFacility;
  /** The load-shedding policy (undefined when `overload: false`). */
  readonly overload?: OverloadPolicy;
  /**
   * To tags of the responses this stack sends without a transaction (load shedding's 503,
   * the 400 to a malformed request), and the ACKs for them it drops (RFC 3261 §8.2.7).
   */
  readonly statelessTags = new StatelessTags();
  private handler?: SipStackHandler;
  private readonly protocols: TransportProtocol[];
  private transportsList: Transport[] = [];
  private started = false;

  constructor(readonly options: SipStackOptions) {
    this.protocols = options.transportInstances?.map((t) => t.protocol) ??
      options.transports ?? ['UDP', 'TCP'];
    this.clock = options.clock ?? systemTimers;
    this.transportLayer = this.buildTransportLayer(options.port ?? 5060);
    this.transactions = new TransactionLayer(this.transportLayer, {
      timers: options.timers,
      clock: this.clock,
      onError: (err) => this.options.onError?.(err),
    });
    this.overload = options.overload === false ? undefined : new OverloadPolicy(options.overload);
    this.transportLayer.setUser(
      this.overload ? this.sheddingUser(this.overload) : this.transactions,
    );
    this.transactions.setUser({
      onRequest: (request, tx, ctx) => {
        if (request.method === 'ACK') {
          // The ACK for a response sent without a transaction ends here (RFC 3261 §8.2.7).
          if (!tx && this.statelessTags.acknowledgesOwn(request)) return;
          this.ackReceived(request);
        }
        if (this.handler) this.handler.onRequest(request, tx, ctx);
        else tx?.respond(createResponse(request, 501)); // no TU: RFC 3261 §8.2.1 "Not Implemented"
      },
      onStrayResponse: (response, ctx) => this.handler?.onStrayResponse?.(response, ctx),
    });
  }

  /**
   * Between the transport and the transaction layer: a request that would open a new server
   * transaction while the element is overloaded gets a stateless 503 with Retry-After (RFC
   * 3261 §21.5.4) and never reaches the TU; everything else passes unchanged.
   */
  private sheddingUser(policy: OverloadPolicy): TransportLayerUser {
    const transactions = this.transactions;
    return {
      onRequest: (request, context) => {
        const isNew = request.method !== 'ACK' && !transactions.matchServerTransaction(request);
        if (isNew) {
          const reason = policy.check(request);
          if (reason) {
            const response = createResponse(request, 503, `Service Unavailable (${reason})`, {
              toTag: this.statelessTags.forRequest(request),
            });
            response.set('Retry-After', String(policy.settings.retryAfter));
            this.transportLayer
              .sendResponse(response, context)
              .catch((err: Error) => this.options.onError?.(err, context));
            return;
          }
        }
        transactions.onRequest(request, context);
        if (isNew) policy.admitted(transactions.matchServerTransaction(request));
      },
      onResponse: (response, context) => transactions.onResponse(response, context),
    };
  }

  private buildTransportLayer(port: number): SipTransportLayer {
    const host = stripBrackets(this.options.host);
    this.transportsList =
      this.options.transportInstances ??
      this.protocols.map((p) =>
        p === 'UDP'
          ? new UdpTransport({
              host,
              port,
              maxMessageSize: this.options.maxMessageSize,
              bufferSize: this.options.udpBufferSize,
            })
          : new TcpTransport({
              host,
              port,
              maxMessageSize: this.options.maxMessageSize,
              maxConnections: this.options.maxConnections,
              idleTimeout: this.options.tcpIdleTimeout,
            }),
      );
    return new SipTransportLayer({
      transports: this.transportsList,
      advertisedHost: this.options.advertisedHost,
      udpSizeThreshold: this.options.udpSizeThreshold,
      statelessTags: this.statelessTags,
      onError: (err, ctx) => this.options.onError?.(err, ctx),
      onMessage: this.options.onMessage,
    });
  }

  setHandler(handler: SipStackHandler): void {
    this.handler = handler;
  }

  /**
   * Opens the transports. With port 0, UDP picks a free port and TCP binds the same number
   * (so one sent-by fits both); a clash is retried a few times.
   */
  async start(): Promise<void> {
    if (this.started) return;
    const [first, ...rest] = this.transportsList;
    for (let attempt = 0; ; attempt++) {
      await first.listen();
      try {
        for (const t of rest) await t.listen(first.local.port);
        break;
      } catch (err) {
        for (const t of this.transportsList) await t.close();
        if ((this.options.port ?? 5060) !== 0 || attempt >= 4) throw err;
      }
    }
    this.overload?.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    this.overload?.stop();
    this.transactions.dispose();
    await this.transportLayer.close();
    this.started = false;
  }

  /** Bind host (no brackets). */
  get host(): string {
    return this.transportsList[0].local.host;
  }

  get port(): number {
    return this.transportsList[0].local.port;
  }

  /** This element's SIP URI, e.g. `sip:127.0.0.1:5060` or `sip:[::1]:5060`. */
  get uri(): string {
    return `sip:${formatHost(this.options.advertisedHost ?? this.host)}:${this.port}`;
  }

  /** The next hop for a URI (IP literal or host map; no DNS). */
  resolve(uri: string): Destination {
    return resolveTarget(uri, { hostMap: this.options.hostMap });
  }

  /** Default next hop of a request: its top Route, else its Request-URI (RFC 3261 §8.1.2). */
  nextHop(request: SipRequest): Destination {
    const route = request.routes()[0];
    return this.resolve(route ? route.uri : request.uri);
  }

  /**
   * Sends a request in a new client transaction (UA side, RFC 3261 §8.1.2). A request
   * without Via gets one with a fresh branch; the transport layer fills in sent-by.
   */
  sendRequest(
    request: SipRequest,
    destination: Destination,
    user: ClientTransactionUser = {},
  ): ClientTransaction {
    return this.transactions.sendRequest(request, destination, user);
  }

  /**
   * Sends a request statefully and resolves with its final response. A timeout resolves with
   * a locally generated 408 and a transport error with 503 (RFC 3261 §8.1.3.1, §8.1.3.3 ask
   * the UAC to treat them so).
   */
  request(request: SipRequest, options: RequestOptions = {}): Promise<SipResponse> {
    return new Promise((resolve) => {
      let destination: Destination;
      try {
        destination = options.destination ?? this.nextHop(request);
      } catch {
        resolve(createResponse(request, 503));
        return;
      }
      this.sendRequest(request, destination, {
        receiveResponse: (response) => {
          if (response.status < 200) options.onProvisional?.(response);
          else resolve(response);
        },
        onRequestTimeout: () => resolve(createResponse(request, 408)),
        onTransportError: () => resolve(createResponse(request, 503)),
      });
    });
  }

  /**
   * Sends a 2xx to an INVITE as a UAS core must, RFC 3261 §13.3.1.4: "The 2xx response is
   * passed to the transport with an interval that starts at T1 seconds and doubles for each
   * retransmission until it reaches T2 seconds [...] The response retransmissions cease when
   * an ACK request for the response is received. [...] If the server retransmits the 2xx
   * response for 64*T1 seconds without receiving an ACK, the dialog is confirmed, but the
   * session SHOULD be terminated." Retransmits only over unreliable transports (the INVITE
   * server transaction stays in Accepted, RFC 6026, and passes each copy). Resolves with the
   * ACK, or undefined when none came (the caller then sends BYE). The ACK is also passed to
   * the handler as usual.
   */
  respond2xxReliably(
    transaction: ServerTransaction,
    response: SipResponse,
  ): Promise<SipRequest | undefined> {
    const key = ackKey(response);
    return new Promise((resolve) => {
      const { T1, T2 } = this.transactions.settings;
      let interval = T1;
      let timer: unknown;
      const giveUp = this.clock.setTimeout(() => finish(undefined), 64 * T1);
      const finish = (ack: SipRequest | undefined) => {
        this.clock.clearTimeout(giveUp);
        if (timer !== undefined) this.clock.clearTimeout(timer);
        this.pendingAcks.delete(key);
        resolve(ack);
      };
      this.pendingAcks.set(key, finish);
      transaction.respond(response);
      if (transaction.context.reliable) return;
      const retransmit = () => {
        transaction.respond(response);
        interval = Math.min(2 * interval, T2);
        timer = this.clock.setTimeout(retransmit, interval);
      };
      timer = this.clock.setTimeout(retransmit, interval);
    });
  }

  private readonly pendingAcks = new Map<string, (ack: SipRequest) => void>();

  /** An ACK for a 2xx stops that 2xx's retransmission (matched by Call-ID, CSeq number, tags). */
  private ackReceived(ack: SipRequest): void {
    try {
      this.pendingAcks.get(ackKey(ack))?.(ack);
    } catch {
      // a malformed ACK simply matches nothing
    }
  }

  /**
   * Sends a request outside any transaction (an ACK for a 2xx, a stateless proxy forward).
   * Adds a Via with a fresh branch when the request has none.
   */
  sendStateless(request: SipRequest, destination?: Destination): Promise<SentRequest> {
    if (!request.has('Via')) {
      request.prepend('Via', `SIP/2.0/UDP 0.0.0.0;branch=${generateBranch()};rport`);
    }
    return this.transportLayer.sendRequest(request, destination ?? this.nextHop(request));
  }
}

/** Dialog + CSeq number: what an ACK for a 2xx shares with the 2xx (RFC 3261 §13.2.2.4). */
function ackKey(message: SipRequest | SipResponse): string {
  return [
    message.callId(),
    message.cseq().seq,
    message.from().tag ?? '',
    message.to().tag ?? '',
  ].join(' ');
}
