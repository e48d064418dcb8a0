import * as dgram from 'node:dgram';
import { isIP, isIPv6 } from 'node:net';
import {
  SipTransportError,
  stripBrackets,
  type Transport,
  type TransportAddress,
  type TransportReceiver,
} from './transport';

export interface UdpTransportOptions {
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  /** Datagrams larger than this are dropped. Default 65535. */
  maxMessageSize?: number;
  /**
   * SO_RCVBUF and SO_SNDBUF of the socket in bytes (default {@link DEFAULT_UDP_BUFFER_SIZE});
   * the kernel caps them at net.core.rmem_max / wmem_max. 0 keeps the system default.
   */
  bufferSize?: number;
}

/**
 * 4 MB: with the Linux default (about 212 KB) a burst that arrives while the event loop is
 * busy overflows the receive buffer and the kernel drops datagrams (`Udp: RcvbufErrors` in
 * /proc/net/snmp), which SIP then recovers only by Timer A/E retransmissions (RFC 3261 §17.1).
 */
export const DEFAULT_UDP_BUFFER_SIZE = 4 * 1024 * 1024;

/** UDP transport over `node:dgram` (IPv4 or IPv6 depending on the bind address). */
export class UdpTransport implements Transport {
  readonly protocol = 'UDP' as const;
  readonly reliable = false;
  private socket?: dgram.Socket;
  private receiver?: TransportReceiver;
  private bound: TransportAddress;
  private readonly maxMessageSize: number;

  constructor(private readonly options: UdpTransportOptions) {
    this.bound = { host: stripBrackets(options.host), port: options.port };
    this.maxMessageSize = options.maxMessageSize ?? 65535;
  }

  get local(): TransportAddress {
    return this.bound;
  }

  /** Bound and not closed (`address()` throws before the bind completes). */
  get listening(): boolean {
    try {
      return this.socket !== undefined && this.socket.address().port > 0;
    } catch {
      return false;
    }
  }

  /** SO_RCVBUF and SO_SNDBUF as the kernel reports them (Linux doubles what was set). */
  bufferSizes(): { receive: number; send: number } | undefined {
    if (!this.socket) return undefined;
    return { receive: this.socket.getRecvBufferSize(), send: this.socket.getSendBufferSize() };
  }

  setReceiver(receiver: TransportReceiver): void {
    this.receiver = receiver;
  }

  listen(port = this.options.port): Promise<void> {
    const host = stripBrackets(this.options.host);
    const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        socket.on('error', (err) =>
          this.receiver?.onError?.(
            new SipTransportError(`UDP socket error: ${err.message}`, undefined, err),
          ),
        );
        this.setBufferSizes(socket);
        const addr = socket.address();
        this.bound = { host: addr.address, port: addr.port };
        socket.on('message', (data, rinfo) => this.onMessage(data, rinfo));
        resolve();
      });
    });
  }

  /** Best effort: a size the kernel refuses leaves the default (the element still works). */
  private setBufferSizes(socket: dgram.Socket): void {
    const size = this.options.bufferSize ?? DEFAULT_UDP_BUFFER_SIZE;
    if (!(size > 0)) return;
    try {
      if (socket.getRecvBufferSize() < size) socket.setRecvBufferSize(size);
      if (socket.getSendBufferSize() < size) socket.setSendBufferSize(size);
    } catch (err) {
      this.receiver?.onError?.(
        new SipTransportError(
          `UDP buffer size ${size} not applied: ${(err as Error).message}`,
          undefined,
          err as Error,
        ),
      );
    }
  }

  private onMessage(data: Buffer, rinfo: dgram.RemoteInfo): void {
    const source = { host: rinfo.address, port: rinfo.port, transport: 'UDP' as const };
    if (data.length > this.maxMessageSize) {
      this.receiver?.onError?.(
        new SipTransportError(`Message Too Large: ${data.length} byte datagram dropped`, source),
      );
      return;
    }
    this.receiver?.onData({ data, source, local: this.bound });
  }

  send(data: Buffer, destination: TransportAddress): Promise<string | undefined> {
    const socket = this.socket;
    const dest = {
      ...destination,
      host: stripBrackets(destination.host),
      transport: 'UDP' as const,
    };
    if (!socket) return Promise.reject(new SipTransportError('UDP transport not listening', dest));
    if (!isIP(dest.host)) {
      // Names are resolved above the transport (resolveTarget); never a hidden DNS lookup here.
      return Promise.reject(new SipTransportError(`not an IP address: ${dest.host}`, dest));
    }
    return new Promise((resolve, reject) => {
      socket.send(data, dest.port, dest.host, (err) =>
        err
          ? reject(new SipTransportError(`UDP send failed: ${err.message}`, dest, err))
          : resolve(undefined),
      );
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
