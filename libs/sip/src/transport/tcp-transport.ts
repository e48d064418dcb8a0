import * as net from 'node:net';
import { SipFramingError, SipStreamFramer } from './stream-framer';
import {
  addressKey,
  SipTransportError,
  stripBrackets,
  type Destination,
  type Transport,
  type TransportAddress,
  type TransportReceiver,
} from './transport';

export interface TcpTransportOptions {
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  /** Largest framed message accepted; bigger ones get 413 and the connection closes. */
  maxMessageSize?: number;
  /** Most simultaneous connections (inbound + outbound); extra inbound ones are refused. */
  maxConnections?: number;
  /** Outbound connect timeout in ms. Default 5000. */
  connectTimeout?: number;
  /** Close a connection idle (no bytes either way) this long, in ms. Default 0: never. */
  idleTimeout?: number;
}

interface Connection {
  id: string;
  socket: net.Socket;
  remote: Destination;
  framer: SipStreamFramer;
  /** True while this turn's writes are gathered for one socket write (see `send`). */
  corked: boolean;
}

/** The real setImmediate, even where a test installs fake timers later. */
const defer = setImmediate;

const PONG = Buffer.from('\r\n');

/**
 * TCP transport over `node:net`. Each connection has its own stream framer. Connections are
 * indexed by remote address so a request to a destination reuses an open connection (RFC 3261
 * §18.1.1, "the client transport MUST reuse an existing connection"), and a response goes back
 * on the connection its request arrived on (§18.2.2).
 */
export class TcpTransport implements Transport {
  readonly protocol = 'TCP' as const;
  readonly reliable = true;
  private server?: net.Server;
  private receiver?: TransportReceiver;
  private bound: TransportAddress;
  private readonly connections = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<Connection>>();
  readonly maxMessageSize: number;
  readonly maxConnections: number;

  constructor(private readonly options: TcpTransportOptions) {
    this.bound = { host: stripBrackets(options.host), port: options.port };
    this.maxMessageSize = options.maxMessageSize ?? 65535;
    this.maxConnections = options.maxConnections ?? 1024;
  }

  get local(): TransportAddress {
    return this.bound;
  }

  /** The listening socket is open. */
  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** Number of open connections (inbound and outbound). */
  get connectionCount(): number {
    return new Set(this.connections.values()).size;
  }

  setReceiver(receiver: TransportReceiver): void {
    this.receiver = receiver;
  }

  listen(port = this.options.port): Promise<void> {
    const server = net.createServer((socket) => this.onInbound(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: stripBrackets(this.options.host) }, () => {
        server.off('error', reject);
        const addr = server.address() as net.AddressInfo;
        this.bound = { host: addr.address, port: addr.port };
        resolve();
      });
    });
  }

  private onInbound(socket: net.Socket): void {
    if (this.connectionCount >= this.maxConnections) {
      this.receiver?.onError?.(
        new SipTransportError(`TCP connection refused: limit of ${this.maxConnections} reached`),
      );
      socket.destroy();
      return;
    }
    this.register(socket);
  }

  private register(socket: net.Socket): Connection {
    const remote: Destination = {
      host: stripBrackets(socket.remoteAddress ?? ''),
      port: socket.remotePort ?? 0,
      transport: 'TCP',
    };
    const id = addressKey(remote);
    const conn: Connection = {
      id,
      socket,
      remote,
      corked: false,
      framer: new SipStreamFramer(
        {
          message: (data) =>
            this.receiver?.onData({ data, source: remote, local: this.bound, connectionId: id }),
          // RFC 5626 §3.5.1: answer each CRLFCRLF ping with a CRLF pong.
          ping: () => socket.write(PONG),
          error: (err) => this.onFramingError(conn, err),
        },
        { maxMessageSize: this.maxMessageSize },
      ),
    };
    this.connections.set(id, conn);
    const idle = this.options.idleTimeout ?? 0;
    if (idle > 0) {
      socket.setTimeout(idle);
      socket.on('timeout', () => socket.destroy());
    }
    socket.on('data', (chunk) => conn.framer.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.connections.get(id) === conn) this.connections.delete(id);
    });
    return conn;
  }

  private onFramingError(conn: Connection, err: SipFramingError): void {
    this.receiver?.onError?.(
      new SipTransportError(`TCP framing error: ${err.message}`, conn.remote, err),
      conn.id,
    );
    if (err.statusCode === 413) {
      // RFC 3261 §21.4.11 413 Request Entity Too Large; say so before closing.
      conn.socket.end(`SIP/2.0 413 Request Entity Too Large\r\nContent-Length: 0\r\n\r\n`);
    } else {
      conn.socket.end();
    }
    this.connections.delete(conn.id);
  }

  /**
   * Writes one message. Messages written to a connection in the same event-loop turn (the
   * responses to everything one read brought, say) leave in one socket write: the socket is
   * corked on the first and uncorked once the turn's I/O callbacks ran, so a busy element
   * pays one system call per batch instead of one per message (as DiameterConnection does).
   */
  async send(data: Buffer, destination: TransportAddress, connectionId?: string): Promise<string> {
    let conn = connectionId ? this.connections.get(connectionId) : undefined;
    if (!conn || conn.socket.destroyed) conn = await this.connect(destination);
    const c = conn;
    if (!c.corked) {
      c.corked = true;
      c.socket.cork();
      defer(() => {
        c.corked = false;
        if (!c.socket.destroyed) c.socket.uncork();
      });
    }
    await new Promise<void>((resolve, reject) =>
      c.socket.write(data, (err) =>
        err
          ? reject(new SipTransportError(`TCP send failed: ${err.message}`, c.remote, err))
          : resolve(),
      ),
    );
    return c.id;
  }

  /** Returns an open connection to the destination, opening one if needed. */
  private connect(destination: TransportAddress): Promise<Connection> {
    const dest: Destination = {
      host: stripBrackets(destination.host),
      port: destination.port,
      transport: 'TCP',
    };
    const key = addressKey(dest);
    if (!net.isIP(dest.host)) {
      // Names are resolved above the transport (resolveTarget); never a hidden DNS lookup here.
      return Promise.reject(new SipTransportError(`not an IP address: ${dest.host}`, dest));
    }
    const existing = this.connections.get(key);
    if (existing && !existing.socket.destroyed) return Promise.resolve(existing);
    const pending = this.connecting.get(key);
    if (pending) return pending;
    if (this.connectionCount >= this.maxConnections) {
      return Promise.reject(new SipTransportError('TCP connection limit reached', dest));
    }
    const promise = new Promise<Connection>((resolve, reject) => {
      const socket = net.connect({ host: dest.host, port: dest.port });
      socket.setTimeout(this.options.connectTimeout ?? 5000);
      const fail = (err: Error) => {
        socket.destroy();
        reject(new SipTransportError(`TCP connect to ${key} failed: ${err.message}`, dest, err));
      };
      socket.once('error', fail);
      socket.once('timeout', () => fail(new Error('timeout')));
      socket.once('connect', () => {
        socket.off('error', fail);
        socket.removeAllListeners('timeout');
        socket.setTimeout(0);
        const conn = this.register(socket);
        // Index it by the destination too, so later requests there reuse it.
        if (conn.id !== key) this.connections.set(key, conn);
        socket.on('close', () => {
          if (this.connections.get(key) === conn) this.connections.delete(key);
        });
        resolve(conn);
      });
    }).finally(() => this.connecting.delete(key));
    this.connecting.set(key, promise);
    return promise;
  }

  /** Closes one connection (e.g. after a framing error the owner detected). */
  closeConnection(connectionId: string): void {
    this.connections.get(connectionId)?.socket.destroy();
    this.connections.delete(connectionId);
  }

  async close(): Promise<void> {
    for (const conn of new Set(this.connections.values())) conn.socket.destroy();
    this.connections.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
