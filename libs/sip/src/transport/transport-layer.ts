import {
  StatelessTags,
  parseMessage,
  SipParseError,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from './message-api';
import { buildMalformedRequestResponse } from './malformed-request';
import {
  addressKey,
  SipTransportError,
  stripBrackets,
  type Destination,
  type ReceivedData,
  type Transport,
  type TransportAddress,
  type TransportProtocol,
} from './transport';
import { formatVia, responseDestination, viaParams } from './via-format';

/** Where a message came from; the server transaction keeps it to send responses back. */
export interface IncomingContext {
  source: Destination;
  local: TransportAddress;
  /** TCP: the connection it arrived on (RFC 3261 §18.2.2 responses reuse it). */
  connectionId?: string;
  reliable: boolean;
}

/** How a request actually left (after the §18.1.1 UDP -> TCP switch, if any). */
export interface SentRequest {
  destination: Destination;
  reliable: boolean;
  connectionId?: string;
  /** The bytes sent (a transaction keeps them instead of the parsed request, once done). */
  data?: Buffer;
}

/** Which way a traced message went: received from the network, or handed to it. */
export type SipTraceDirection = 'in' | 'out';

/**
 * Observes every message the transport layer receives (before parsing, so malformed input
 * is seen too) or sends (requests, responses, 400s to malformed requests, raw keep-alives),
 * as the exact bytes on the wire. `remote` is the peer (source of an incoming message,
 * destination of an outgoing one); `local` is this element's listening point on that
 * transport. `message` is the message as this layer parsed (in) or serialized (out) it, when
 * there is one (not for malformed input or raw keep-alives): a tracer that needs fields reads
 * them there instead of parsing the bytes again, and must not change it. A tracer must not
 * throw: an exception is reported to `onError` and ignored.
 */
export type SipTracer = (
  direction: SipTraceDirection,
  data: Buffer,
  remote: Destination,
  local: TransportAddress,
  message?: SipMessage,
) => void;

/** The layer above the transport (the transaction layer, RFC 3261 §17). */
export interface TransportLayerUser {
  onRequest(request: SipRequest, context: IncomingContext): void;
  onResponse(response: SipResponse, context: IncomingContext): void;
}

export interface TransportLayerOptions {
  transports: Transport[];
  /** Host written in Via sent-by and Record-Route (default: the bound address). */
  advertisedHost?: string;
  /**
   * RFC 3261 §18.1.1: "If a request is within 200 bytes of the path MTU, or if it is larger
   * than 1300 bytes and the path MTU is unknown, the request MUST be sent using [...] TCP".
   */
  udpSizeThreshold?: number;
  /**
   * To tags of the 400 answering a malformed request (RFC 3261 §8.2.7: the same tag for a
   * retransmission; the stack drops the ACK for it). Default: tags of this layer's own.
   */
  statelessTags?: StatelessTags;
  /** Diagnostics: malformed input, framing errors, dropped responses. */
  onError?(error: Error, context?: Partial<IncomingContext>): void;
  /** Message trace (see `SipTracer`); more can be added with `addTracer()`. */
  onMessage?: SipTracer;
}

/**
 * The SIP transport layer of RFC 3261 §18 over a set of transports: parses what arrives,
 * stamps `received`/`rport` on requests, checks sent-by on responses, answers malformed
 * requests with 400, and sends requests and responses to the right place.
 */
export class SipTransportLayer {
  private user?: TransportLayerUser;
  private readonly transports = new Map<TransportProtocol, Transport>();
  /** Empty unless someone traces: each message then costs one length check. */
  private tracers: SipTracer[] = [];
  readonly udpSizeThreshold: number;
  private readonly statelessTags: StatelessTags;

  constructor(private readonly options: TransportLayerOptions) {
    this.statelessTags = options.statelessTags ?? new StatelessTags();
    for (const t of options.transports) {
      this.transports.set(t.protocol, t);
      t.setReceiver({
        onData: (received) => this.onData(received),
        onError: (err, connectionId) =>
          this.options.onError?.(err, { connectionId, source: err.destination }),
      });
    }
    this.udpSizeThreshold = options.udpSizeThreshold ?? 1300;
    if (options.onMessage) this.addTracer(options.onMessage);
  }

  /**
   * Registers a tracer called for every message received or sent (SIP_TRACE, captures).
   * Returns a function that removes it again.
   */
  addTracer(tracer: SipTracer): () => void {
    this.tracers = [...this.tracers, tracer];
    return () => {
      this.tracers = this.tracers.filter((t) => t !== tracer);
    };
  }

  private trace(
    direction: SipTraceDirection,
    data: Buffer,
    remote: Destination,
    local: TransportAddress,
    message?: SipMessage,
  ): void {
    for (const tracer of this.tracers) {
      try {
        tracer(direction, data, remote, local, message);
      } catch (err) {
        this.options.onError?.(err instanceof Error ? err : new Error(String(err)), {
          source: remote,
        });
      }
    }
  }

  setUser(user: TransportLayerUser): void {
    this.user = user;
  }

  async listen(): Promise<void> {
    for (const t of this.transports.values()) await t.listen();
  }

  async close(): Promise<void> {
    for (const t of this.transports.values()) await t.close();
  }

  transport(protocol: TransportProtocol): Transport | undefined {
    return this.transports.get(protocol);
  }

  supports(protocol: TransportProtocol): boolean {
    return this.transports.has(protocol);
  }

  /** The sent-by this element writes in its Via for a protocol (RFC 3261 §18.1.1). */
  sentBy(protocol: TransportProtocol): TransportAddress {
    const t = this.transports.get(protocol) ?? [...this.transports.values()][0];
    return { host: stripBrackets(this.options.advertisedHost ?? t.local.host), port: t.local.port };
  }

  /** True when host:port names one of this element's listening points. */
  isLocalAddress(host: string, port: number | undefined): boolean {
    const h = stripBrackets(host).toLowerCase();
    for (const t of this.transports.values()) {
      const sentBy = this.sentBy(t.protocol);
      const hostMatches =
        h === sentBy.host.toLowerCase() || h === stripBrackets(t.local.host).toLowerCase();
      if (hostMatches && (port ?? 5060) === t.local.port) return true;
    }
    return false;
  }

  // ---- inbound ---------------------------------------------------------------------------

  private onData(received: ReceivedData): void {
    const transport = this.transports.get(received.source.transport);
    const context: IncomingContext = {
      source: received.source,
      local: received.local,
      connectionId: received.connectionId,
      reliable: transport?.reliable ?? false,
    };
    let message: SipMessage | undefined;
    let malformed: unknown;
    try {
      message = parseMessage(received.data);
      validateEssentialHeaders(message);
    } catch (err) {
      message = undefined;
      malformed = err;
    }
    // Tracers see every message before it is handled, malformed ones too (without `message`).
    if (this.tracers.length > 0) {
      this.trace('in', received.data, received.source, received.local, message);
    }
    if (message === undefined) {
      this.onMalformed(received, context, malformed);
      return;
    }
    try {
      if (message.isRequest()) {
        stampReceived(message, received.source);
        this.user?.onRequest(message, context);
      } else {
        if (!this.checkSentBy(message)) {
          this.options.onError?.(
            new SipTransportError(
              'response dropped: top Via sent-by is not ours (RFC 3261 §18.1.2)',
            ),
            context,
          );
          return;
        }
        this.user?.onResponse(message as SipResponse, context);
      }
    } catch (err) {
      // The layers above must not be able to take the transport down.
      this.options.onError?.(err instanceof Error ? err : new Error(String(err)), context);
    }
  }

  private onMalformed(received: ReceivedData, context: IncomingContext, err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.options.onError?.(error, context);
    if (!(err instanceof SipParseError)) return;
    const response = buildMalformedRequestResponse(
      received.data,
      err.statusCode,
      err.reasonPhrase,
      (callId, branch) => this.statelessTags.tag(callId, branch),
    );
    if (!response) return;
    this.sendRaw(response, received.source, received.connectionId).catch((e) =>
      this.options.onError?.(e, context),
    );
  }

  /**
   * RFC 3261 §18.1.2: "If the value of the sent-by parameter in that header field value does
   * not correspond to a value that the client transport is configured to insert into
   * requests, the response MUST be silently discarded."
   */
  private checkSentBy(response: SipMessage): boolean {
    const via = response.topVia();
    return this.isLocalAddress(via.host, via.port);
  }

  // ---- outbound --------------------------------------------------------------------------

  /** Sends raw bytes (a prepared message, a keep-alive) to a destination. */
  async sendRaw(
    data: Buffer,
    destination: Destination,
    connectionId?: string,
    message?: SipMessage,
  ): Promise<string | undefined> {
    const transport = this.transports.get(destination.transport);
    if (!transport) {
      throw new SipTransportError(`no ${destination.transport} transport`, destination);
    }
    if (this.tracers.length > 0) this.trace('out', data, destination, transport.local, message);
    return transport.send(data, destination, connectionId);
  }

  /**
   * Sends a request (RFC 3261 §18.1.1). The top Via (which the caller pushed, with its branch)
   * gets this element's transport and sent-by. A UDP request larger than the threshold goes
   * over TCP when TCP is available, unless the destination is a UE's flow (`flow`).
   */
  async sendRequest(request: SipRequest, destination: Destination): Promise<SentRequest> {
    let protocol = destination.transport;
    if (!this.supports(protocol)) {
      throw new SipTransportError(`no ${protocol} transport`, destination);
    }
    rewriteTopVia(request, protocol, this.sentBy(protocol));
    let data = request.toBuffer();
    if (
      protocol === 'UDP' &&
      data.length > this.udpSizeThreshold &&
      !destination.flow &&
      this.supports('TCP')
    ) {
      protocol = 'TCP';
      rewriteTopVia(request, protocol, this.sentBy(protocol));
      data = request.toBuffer();
    }
    const actual: Destination = {
      ...destination,
      host: stripBrackets(destination.host),
      transport: protocol,
    };
    const connectionId = await this.sendRaw(data, actual, undefined, request);
    return {
      destination: actual,
      reliable: this.transports.get(protocol)!.reliable,
      connectionId,
      data,
    };
  }

  /**
   * Sends a response for a request received in `context` (RFC 3261 §18.2.2): over TCP on the
   * connection the request arrived on (or a new one to the Via `received`/sent-by port if it
   * closed); over UDP to the top Via's `received` address and `rport`/sent-by port.
   */
  async sendResponse(
    response: SipResponse,
    context: IncomingContext,
    data: Buffer = response.toBuffer(),
  ): Promise<void> {
    const via = response.topVia();
    const target = responseDestination(via);
    if (context.source.transport === 'TCP') {
      const destination: Destination = {
        host: target.host,
        port: via.port ?? 5060,
        transport: 'TCP',
      };
      // "the response MUST be sent using the existing connection to the source of the
      // original request [...] if that connection is still open. [...] If that connection is
      // no longer open, the server SHOULD open a connection to the IP address in the received
      // parameter, if present, using the port in the sent-by value".
      await this.sendRaw(data, destination, context.connectionId, response);
      return;
    }
    await this.sendRaw(data, { ...target, transport: 'UDP' }, undefined, response);
  }

  /**
   * Sends a response that has no server transaction context (a proxy forwarding a stray 2xx,
   * RFC 3261 §16.7 / §18.2.2): destination from the top Via alone.
   */
  async sendResponseByVia(response: SipResponse): Promise<void> {
    const target = responseDestination(response.topVia());
    await this.sendRaw(response.toBuffer(), target, undefined, response);
  }

  /** Key identifying a destination, for connection reuse bookkeeping. */
  static key(destination: TransportAddress): string {
    return addressKey(destination);
  }
}

/** Parses the headers every element needs, so errors surface here as 400 (RFC 3261 §8.1.1). */
function validateEssentialHeaders(message: SipMessage): void {
  message.topVia();
  message.callId();
  message.from();
  message.to();
  const cseq = message.cseq();
  if (message.isRequest() && cseq.method !== message.method) {
    throw new SipParseError('CSeq method does not match the request method', { header: 'CSeq' });
  }
}

/** Replaces the first Via value with `text`. */
function replaceTopVia(message: SipMessage, text: string): void {
  message.removeFirst('Via');
  message.prepend('Via', text);
}

/** RFC 3261 §18.1.1: the top Via names the transport and this element's sent-by. */
function rewriteTopVia(
  request: SipRequest,
  protocol: TransportProtocol,
  sentBy: TransportAddress,
): void {
  const via = request.topVia();
  // Already what this function would write (the proxy core's and the stack's own Via, every
  // retransmission): keep the line, and the parsed view cached with it.
  if (
    via.protocol === 'SIP/2.0' &&
    via.transport === protocol &&
    via.port === sentBy.port &&
    stripBrackets(via.host) === sentBy.host
  )
    return;
  replaceTopVia(
    request,
    formatVia({
      transport: protocol,
      host: sentBy.host,
      port: sentBy.port,
      params: viaParams(via),
    }),
  );
}

/**
 * RFC 3261 §18.2.1: "If the host portion of the 'sent-by' field contains a domain name, or if
 * it contains an IP address that differs from the packet source address, the server MUST add
 * a 'received' parameter". RFC 3581 §4: when `rport` is present without a value, the server
 * fills it with the source port and MUST add `received` even if it equals sent-by.
 */
function stampReceived(request: SipRequest, source: Destination): void {
  const via = request.topVia();
  const params = viaParams(via);
  const hasRport = params.has('rport');
  const sourceHost = stripBrackets(source.host);
  const differs = stripBrackets(via.host).toLowerCase() !== sourceHost.toLowerCase();
  if (!differs && !hasRport) return;
  params.set('received', sourceHost);
  if (hasRport) params.set('rport', String(source.port));
  replaceTopVia(request, formatVia({ ...via, params }));
}
