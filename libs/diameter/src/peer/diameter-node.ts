/**
 * A Diameter node (RFC 6733 §2): one identity (Origin-Host/Realm), a TCP listener for peers that
 * connect to it, peers it connects to, request routing to an open peer, and dispatch of received
 * requests to the application handler.
 */
import { EventEmitter } from 'node:events';
import { Server, Socket, createServer } from 'node:net';
import { DiameterDecodeError, DiameterRequestError } from '../codec/diameter-error';
import { DiameterMessage } from '../codec/diameter-message';
import { avp } from '../codec/message-builder';
import { CX_APPLICATION_ID, VENDOR_3GPP } from '../dictionary/cx-application';
import { ResultCode } from '../dictionary/result-codes';
import { createErrorAnswer, validateRequest } from '../validation/validate-request';
import { LocalCapabilities, buildCea, commonApplications } from './capabilities';
import { DiameterConnection, type DiameterTracer } from './diameter-connection';
import { DiameterPeer, DisconnectCause, PeerContext } from './diameter-peer';
import { PeerState } from './peer-state';
import { DiameterTimers, systemTimers } from './timers';

export interface DiameterNodeOptions {
  originHost: string;
  originRealm: string;
  /** Host-IP-Address values for CER/CEA (default: the local address of each connection). */
  hostIpAddresses?: string[];
  /** Vendor-Id in CER/CEA (default 0: none). */
  vendorId?: number;
  productName?: string;
  firmwareRevision?: number;
  /** Applications advertised in CER/CEA; Cx goes in Vendor-Specific-Application-Id {10415, 16777216}. */
  authApplications: { vendorId?: number; applicationId: number }[];
  /** RFC 3539 Tw (default 30000 ms). */
  watchdogIntervalMs?: number;
  /** Default timeout of sendRequest() (default 10000 ms). */
  requestTimeoutMs?: number;
  /** Bound on connecting, capabilities exchange and DPR/DPA (default 10000 ms). */
  stateTimeoutMs?: number;
  /** Reconnect backoff of connect() peers (default 1000 .. 30000 ms). */
  reconnect?: { initialMs: number; maxMs: number };
  /** Whether a peer may connect; a refused one gets CEA 3010 DIAMETER_UNKNOWN_PEER. */
  acceptPeer?: (originHost: string, remote: { address: string; port: number }) => boolean;
  timers?: DiameterTimers;
}

/** The Cx application as DiameterNodeOptions.authApplications expects it. */
export const CX_AUTH_APPLICATION = { vendorId: VENDOR_3GPP, applicationId: CX_APPLICATION_ID };

/** How many recent answers are kept for duplicate detection. */
const RECENT_ANSWERS = 1024;

export type RequestHandler = (
  req: DiameterMessage,
  peer: DiameterPeer,
) => Promise<DiameterMessage> | DiameterMessage;

export interface DiameterNodeEvents {
  'peer-up': [DiameterPeer];
  'peer-down': [DiameterPeer, string];
  error: [Error];
}

export class DiameterNode extends EventEmitter<DiameterNodeEvents> {
  private readonly ctx: PeerContext;
  private readonly peerList: DiameterPeer[] = [];
  private readonly unidentified = new Set<DiameterConnection>();
  private server?: Server;
  private handler?: RequestHandler;
  private closing = false;
  /** Empty unless someone traces (metrics, DIAMETER_TRACE). */
  private tracers: DiameterTracer[] = [];
  /** Answers by "Origin-Host End-to-End" for duplicate detection (oldest dropped first). */
  private readonly recentAnswers = new Map<string, DiameterMessage>();

  constructor(private readonly opts: DiameterNodeOptions) {
    super();
    const timers = opts.timers ?? systemTimers;
    const capabilities: LocalCapabilities = {
      originHost: opts.originHost,
      originRealm: opts.originRealm,
      hostIpAddresses: opts.hostIpAddresses ?? [],
      vendorId: opts.vendorId ?? 0,
      productName: opts.productName ?? 'ims-testbed',
      firmwareRevision: opts.firmwareRevision,
      // RFC 6733 §8.16: "a monotonically increasing value that is advanced whenever a Diameter
      // entity restarts with loss of previous state" — the start time in seconds.
      originStateId: Math.floor(timers.now() / 1000) >>> 0,
      authApplications: opts.authApplications,
    };
    this.ctx = {
      capabilities,
      timers,
      watchdogIntervalMs: opts.watchdogIntervalMs ?? 30000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 10000,
      stateTimeoutMs: opts.stateTimeoutMs ?? 10000,
      reconnect: opts.reconnect ?? { initialMs: 1000, maxMs: 30000 },
      handleRequest: (req, peer) => this.handleRequest(req, peer),
      peerStateChanged: (peer, from, to, reason) => this.onPeerState(peer, from, to, reason),
      trace: (direction, msg, conn) => {
        for (const t of this.tracers) t(direction, msg, conn);
      },
    };
  }

  get originHost(): string {
    return this.opts.originHost;
  }

  get originRealm(): string {
    return this.opts.originRealm;
  }

  private get applicationIds(): number[] {
    return this.opts.authApplications.map((a) => a.applicationId);
  }

  /** Accepts peers on TCP (RFC 6733 §2.1: default port 3868). */
  listen(port: number, host = '127.0.0.1'): Promise<{ port: number }> {
    const server = createServer((socket) => this.onIncoming(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (e) => this.emitError(e));
        const addr = server.address();
        resolve({ port: typeof addr === 'object' && addr ? addr.port : port });
      });
    });
  }

  /** A peer this node connects to (CER/CEA, watchdog, reconnection with backoff). */
  connect(opts: { host: string; port: number; expectedHost?: string }): DiameterPeer {
    const peer = this.attachPeer(
      new DiameterPeer(this.ctx, { host: opts.host, port: opts.port }, opts.expectedHost),
    );
    peer.start();
    return peer;
  }

  /**
   * Registers a tracer called for every message this node's connections receive or send
   * (CER/CEA, DWR/DWA and DPR/DPA included). Returns a function that removes it again.
   */
  addTracer(tracer: DiameterTracer): () => void {
    this.tracers = [...this.tracers, tracer];
    return () => {
      this.tracers = this.tracers.filter((t) => t !== tracer);
    };
  }

  onRequest(handler: RequestHandler): void {
    this.handler = handler;
  }

  peers(): DiameterPeer[] {
    return [...this.peerList];
  }

  /** The open peer with this Origin-Host. */
  peer(originHost: string): DiameterPeer | undefined {
    const h = originHost.toLowerCase();
    return this.peerList.find((p) => p.originHost?.toLowerCase() === h);
  }

  /**
   * Sends a request and resolves with the answer. Origin-Host/Origin-Realm are added when
   * missing. The peer is `peerHost`, else the one named by Destination-Host, else any open peer
   * that supports the application. If that peer goes down (or its watchdog fails over) before
   * answering, the request is retransmitted once to another peer with the T flag (RFC 6733 §3).
   * Rejects with DiameterRequestError ('no-peer', 'timeout', 'peer-down').
   */
  async sendRequest(
    req: DiameterMessage,
    opts: { peerHost?: string; timeoutMs?: number } = {},
  ): Promise<DiameterMessage> {
    if (!req.find('Origin-Host')) req.avps.push(avp('Origin-Host', this.opts.originHost));
    if (!req.find('Origin-Realm')) req.avps.push(avp('Origin-Realm', this.opts.originRealm));
    const tried = new Set<DiameterPeer>();
    for (;;) {
      const peer = this.selectPeer(req, opts.peerHost, tried);
      if (!peer) {
        throw new DiameterRequestError(
          `no open peer for application ${req.applicationId}${opts.peerHost ? ` (${opts.peerHost})` : ''}`,
          'no-peer',
        );
      }
      tried.add(peer);
      try {
        return await peer.request(req, { timeoutMs: opts.timeoutMs });
      } catch (e) {
        if (!(e instanceof DiameterRequestError) || e.reason !== 'peer-down' || opts.peerHost)
          throw e;
        if (!this.selectPeer(req, undefined, tried)) throw e;
        req.flags.retransmit = true;
      }
    }
  }

  private selectPeer(
    req: DiameterMessage,
    peerHost: string | undefined,
    exclude: Set<DiameterPeer>,
  ): DiameterPeer | undefined {
    const usable = (p: DiameterPeer) =>
      !exclude.has(p) &&
      p.isAvailable &&
      (req.applicationId === 0 || p.applications.includes(req.applicationId));
    if (peerHost) {
      const p = this.peer(peerHost);
      return p && !exclude.has(p) && p.isOpen ? p : undefined;
    }
    const dest = req.get('Destination-Host');
    if (typeof dest === 'string') {
      const p = this.peer(dest);
      if (p && usable(p)) return p;
    }
    return this.peerList.find(usable);
  }

  /** DPR/DPA with every open peer, then closes every socket and the listener. */
  async close(): Promise<void> {
    this.closing = true;
    const server = this.server;
    this.server = undefined;
    const serverClosed = server
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : Promise.resolve();
    for (const c of this.unidentified) c.destroy('node closing');
    this.unidentified.clear();
    await Promise.all(this.peerList.map((p) => p.close(DisconnectCause.REBOOTING)));
    await serverClosed;
  }

  // ---- incoming connections ----------------------------------------------------------------

  /** A new transport connection: wait for its CER (R-Conn-CER). */
  private onIncoming(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const conn = new DiameterConnection(socket, 'R', this.ctx.trace);
    this.unidentified.add(conn);
    const timer = this.ctx.timers.setTimeout(() => conn.destroy('no CER'), this.ctx.stateTimeoutMs);
    const done = () => {
      this.ctx.timers.clearTimeout(timer);
      this.unidentified.delete(conn);
      conn.removeAllListeners();
    };
    conn.on('close', done);
    conn.on('decode-error', () => {
      done();
      conn.destroy('undecodable first message');
    });
    conn.once('message', (msg) => {
      done();
      this.onFirstMessage(conn, msg);
    });
  }

  private onFirstMessage(conn: DiameterConnection, cer: DiameterMessage): void {
    if (!cer.flags.request || cer.commandCode !== 257) {
      conn.destroy('first message is not a CER');
      return;
    }
    const caps = { ...this.ctx.capabilities };
    if (!caps.hostIpAddresses.length) {
      caps.hostIpAddresses = [conn.socket.localAddress?.replace(/^::ffff:/, '') || '127.0.0.1'];
    }
    const reject = (resultCode: number, message: string, failedAvp?: ReturnType<typeof avp>) => {
      const cea = buildCea(cer, caps, resultCode, message);
      if (failedAvp) cea.avps.push(avp('Failed-AVP', [failedAvp]));
      conn.send(cea);
      conn.close(message);
    };
    const invalid = validateRequest(cer);
    if (invalid) {
      reject(invalid.resultCode, invalid.errorMessage, invalid.failedAvp);
      return;
    }
    const originHost = String(cer.get('Origin-Host'));
    if (this.opts.acceptPeer && !this.opts.acceptPeer(originHost, conn.remote)) {
      // RFC 6733 §5.3: "If a CER from an unknown peer is received ... DIAMETER_UNKNOWN_PEER".
      reject(ResultCode.UNKNOWN_PEER, `peer ${originHost} is not known`);
      return;
    }
    const apps = commonApplications(this.ctx.capabilities, cer);
    if (apps.length === 0) {
      reject(ResultCode.NO_COMMON_APPLICATION, 'no common application');
      return;
    }
    const peer = this.peer(originHost) ?? this.attachPeer(new DiameterPeer(this.ctx));
    peer.rConnCer(conn, cer, apps);
  }

  // ---- request dispatch ----------------------------------------------------------------------

  /**
   * Process (RFC 6733 §5.6): a request from an open peer. Unsupported application -> 3007,
   * failed validation -> its code with Failed-AVP (§7), handler errors -> 5012
   * DIAMETER_UNABLE_TO_COMPLY, a DiameterDecodeError thrown by a handler -> its code.
   */
  private async handleRequest(req: DiameterMessage, peer: DiameterPeer): Promise<DiameterMessage> {
    // RFC 6733 §5.5.4: "the End-to-End Identifier field ... in combination with the Origin-Host
    // AVP, MUST be used to detect duplicates"; a request sent again with the T flag gets the
    // answer already given instead of being processed twice.
    const key = `${String(req.get('Origin-Host'))} ${req.endToEnd}`;
    if (req.flags.retransmit) {
      const earlier = this.recentAnswers.get(key);
      if (earlier) {
        const copy = new DiameterMessage({
          ...earlier,
          flags: { ...earlier.flags },
          avps: earlier.avps,
        });
        copy.hopByHop = req.hopByHop;
        return copy;
      }
    }
    const answer = await this.processRequest(req, peer);
    this.recentAnswers.set(key, answer);
    if (this.recentAnswers.size > RECENT_ANSWERS) {
      this.recentAnswers.delete(this.recentAnswers.keys().next().value!);
    }
    return answer;
  }

  private async processRequest(req: DiameterMessage, peer: DiameterPeer): Promise<DiameterMessage> {
    const origin = { originHost: this.opts.originHost, originRealm: this.opts.originRealm };
    // Application 0 is the base protocol: an unknown base command is 3001 (validateRequest).
    if (req.applicationId !== 0 && !peer.applications.includes(req.applicationId)) {
      return createErrorAnswer(req, ResultCode.APPLICATION_UNSUPPORTED, undefined, {
        ...origin,
        errorMessage: `application ${req.applicationId} is not supported`,
      });
    }
    const invalid = validateRequest(req, { applicationIds: this.applicationIds });
    if (invalid) {
      return createErrorAnswer(req, invalid.resultCode, invalid.failedAvp, {
        ...origin,
        errorMessage: invalid.errorMessage,
      });
    }
    if (!this.handler) {
      return createErrorAnswer(req, ResultCode.UNABLE_TO_COMPLY, undefined, {
        ...origin,
        errorMessage: 'no handler',
      });
    }
    let answer: DiameterMessage;
    try {
      answer = await this.handler(req, peer);
    } catch (e) {
      if (e instanceof DiameterDecodeError) {
        return createErrorAnswer(req, e.resultCode, e.failedAvp, {
          ...origin,
          errorMessage: e.message,
        });
      }
      this.emitError(e instanceof Error ? e : new Error(String(e)));
      return createErrorAnswer(req, ResultCode.UNABLE_TO_COMPLY, undefined, origin);
    }
    if (!answer.find('Origin-Host')) answer.avps.push(avp('Origin-Host', this.opts.originHost));
    if (!answer.find('Origin-Realm')) answer.avps.push(avp('Origin-Realm', this.opts.originRealm));
    answer.flags.request = false;
    answer.hopByHop = req.hopByHop;
    answer.endToEnd = req.endToEnd;
    return answer;
  }

  // ---- peers -----------------------------------------------------------------------------------

  private attachPeer(peer: DiameterPeer): DiameterPeer {
    this.peerList.push(peer);
    peer.on('suspect', () => {
      // RFC 3539 Failover(): move pending requests when another peer can take them.
      if (this.peerList.some((p) => p !== peer && p.isAvailable))
        peer.failoverPending('watchdog failover');
    });
    return peer;
  }

  private detachPeer(peer: DiameterPeer): void {
    const i = this.peerList.indexOf(peer);
    if (i >= 0) this.peerList.splice(i, 1);
    peer.removeAllListeners();
  }

  private onPeerState(peer: DiameterPeer, from: PeerState, to: PeerState, reason: string): void {
    const wasOpen = from === PeerState.ROpen || from === PeerState.IOpen;
    if (to === PeerState.ROpen || to === PeerState.IOpen) this.emit('peer-up', peer);
    else if (wasOpen && to !== PeerState.Closing) this.emit('peer-down', peer, reason);
    else if (from === PeerState.Closing && to === PeerState.Closed)
      this.emit('peer-down', peer, reason);
    // A peer that only connected to us is forgotten once closed (it reconnects as a new one).
    if (to === PeerState.Closed && !peer.remote) {
      setImmediate(() => peer.state === PeerState.Closed && this.detachPeer(peer));
    }
  }

  private emitError(e: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }
}
