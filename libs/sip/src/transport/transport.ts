/**
 * The transport abstraction (RFC 3261 §18). The core never touches sockets: it talks to a
 * small `Transport` that the host implements (as SIP.js `core/transport.ts` does). This
 * library ships UDP and TCP implementations over `node:dgram` and `node:net`.
 */

/** Transport protocol names as they appear in the Via header (RFC 3261 §20.42). */
export type TransportProtocol = 'UDP' | 'TCP';

/** A socket address. `host` is an IP literal without IPv6 brackets. */
export interface TransportAddress {
  host: string;
  port: number;
}

/** Where to send a message: address plus transport protocol. */
export interface Destination extends TransportAddress {
  transport: TransportProtocol;
  /**
   * A UE's own flow (RFC 5626 §5.3: an edge proxy forwards "over the flow" the UE registered
   * on): a request goes over `transport` whatever its size. The RFC 3261 §18.1.1 switch of a
   * large UDP request to TCP would open a connection to a UE that, usually behind a NAT, only
   * has its UDP flow.
   */
  flow?: boolean;
}

/** One datagram (UDP) or one framed message (TCP) as received. */
export interface ReceivedData {
  data: Buffer;
  /** Remote address the bytes came from. */
  source: Destination;
  /** Local address they arrived on. */
  local: TransportAddress;
  /** Set for connection-oriented transports: responses go back on this connection. */
  connectionId?: string;
}

/** Errors the transport reports to its owner. */
export class SipTransportError extends Error {
  constructor(
    message: string,
    readonly destination?: Destination,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'SipTransportError';
  }
}

/** What a transport calls back into. */
export interface TransportReceiver {
  /** A datagram or a complete framed message. */
  onData(received: ReceivedData): void;
  /**
   * A stream could not be framed (the connection is closed afterwards) or another
   * non-fatal transport event happened. The transport keeps serving other peers.
   */
  onError?(error: SipTransportError, connectionId?: string): void;
}

/**
 * A SIP transport. UDP is unreliable (the transaction layer retransmits, RFC 3261 §17.1.1.2);
 * TCP is reliable.
 */
export interface Transport {
  readonly protocol: TransportProtocol;
  /** RFC 3261 §17: reliable transports disable retransmission timers A, E and G. */
  readonly reliable: boolean;
  /** Bound address; valid after `listen()`. */
  readonly local: TransportAddress;
  /** True between a successful `listen()` and `close()` (health checks). */
  readonly listening?: boolean;
  setReceiver(receiver: TransportReceiver): void;
  /** Binds; `port` overrides the configured port (a stack binds UDP and TCP to one number). */
  listen(port?: number): Promise<void>;
  /**
   * Sends one message. For TCP, `connectionId` selects an existing connection (responses go
   * back where the request came from); otherwise a connection to `destination` is reused or
   * opened. Resolves to the connection id used (TCP) or undefined (UDP).
   */
  send(
    data: Buffer,
    destination: TransportAddress,
    connectionId?: string,
  ): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Formats a host for use in a URI or Via sent-by: IPv6 literals get brackets. */
export function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Removes IPv6 brackets, if any. */
export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Canonical "host:port" key, brackets around IPv6. */
export function addressKey(address: TransportAddress): string {
  return `${formatHost(stripBrackets(address.host)).toLowerCase()}:${address.port}`;
}
