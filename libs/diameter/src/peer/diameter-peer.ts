/**
 * A Diameter peer and its RFC 6733 §5.6 state machine, with the RFC 3539 §3.4 watchdog,
 * request/answer matching by Hop-by-Hop Identifier, request timeouts, and reconnection with
 * exponential backoff for peers this node connects to.
 *
 *   state            event              action                  new state
 *   Closed           Start              I-Snd-Conn-Req          Wait-Conn-Ack
 *                    R-Conn-CER         R-Accept, Process-CER,  R-Open
 *                                       R-Snd-CEA
 *   Wait-Conn-Ack    I-Rcv-Conn-Ack     I-Snd-CER               Wait-I-CEA
 *                    I-Rcv-Conn-Nack    Cleanup                 Closed
 *                    R-Conn-CER         R-Accept, Process-CER   Wait-Conn-Ack/Elect
 *                    Timeout            Error                   Closed
 *   Wait-I-CEA       I-Rcv-CEA          Process-CEA             I-Open
 *                    R-Conn-CER         R-Accept, Process-CER,  Wait-Returns
 *                                       Elect
 *                    I-Peer-Disc        I-Disc                  Closed
 *                    I-Rcv-Non-CEA      Error                   Closed
 *                    Timeout            Error                   Closed
 *   Wait-Conn-Ack/   I-Rcv-Conn-Ack     I-Snd-CER, Elect        Wait-Returns
 *   Elect            I-Rcv-Conn-Nack    R-Snd-CEA               R-Open
 *                    R-Peer-Disc        R-Disc                  Wait-Conn-Ack
 *                    R-Conn-CER         R-Reject                Wait-Conn-Ack/Elect
 *                    Timeout            Error                   Closed
 *   Wait-Returns     Win-Election       I-Disc, R-Snd-CEA       R-Open
 *                    I-Peer-Disc        I-Disc, R-Snd-CEA       R-Open
 *                    I-Rcv-CEA          R-Disc                  I-Open
 *                    R-Peer-Disc        R-Disc                  Wait-I-CEA
 *                    R-Conn-CER         R-Reject                Wait-Returns
 *                    Timeout            Error                   Closed
 *   R-Open/I-Open    Send-Message       Snd-Message             (same)
 *                    Rcv-Message        Process                 (same)
 *                    Rcv-DWR            Process-DWR, Snd-DWA    (same)
 *                    R-Conn-CER         R-Reject                (same)
 *                    Stop               Snd-DPR                 Closing
 *                    Rcv-DPR            Snd-DPA                 Closing
 *                    Peer-Disc          Disc                    Closed
 *   Closing          Rcv-DPA            Disc                    Closed
 *                    Peer-Disc          Disc                    Closed
 *                    Timeout            Error                   Closed
 */
import { EventEmitter } from 'node:events';
import { connect as tcpConnect } from 'node:net';
import { DiameterDecodeError, DiameterRequestError } from '../codec/diameter-error';
import { DiameterMessage, FLAG_PROXIABLE, FLAG_REQUEST } from '../codec/diameter-message';
import { HopByHopIdGenerator, endToEndIds } from '../codec/identifiers';
import { avp, createAnswer, createRequest } from '../codec/message-builder';
import { ResultCode, isSuccess } from '../dictionary/result-codes';
import { createErrorAnswer } from '../validation/validate-request';
import { LocalCapabilities, buildCea, buildCer, commonApplications } from './capabilities';
import { DiameterConnection, type DiameterTracer } from './diameter-connection';
import { PEER_TRANSITIONS, PeerState, WatchdogState, winsElection } from './peer-state';
import { DiameterTimers, TimerSlot } from './timers';

/** RFC 6733 §5.4.3 Disconnect-Cause. */
export enum DisconnectCause {
  REBOOTING = 0,
  BUSY = 1,
  DO_NOT_WANT_TO_TALK_TO_YOU = 2,
}

const CER = 257;
const DWR = 280;
const DPR = 282;

/** What a peer needs from the node that owns it. */
export interface PeerContext {
  readonly capabilities: LocalCapabilities;
  readonly timers: DiameterTimers;
  /** RFC 3539 Tw (Twinit). */
  readonly watchdogIntervalMs: number;
  readonly requestTimeoutMs: number;
  /** Bound on Wait-Conn-Ack, Wait-I-CEA, Wait-Returns and Closing (the "Timeout" event). */
  readonly stateTimeoutMs: number;
  readonly reconnect: { initialMs: number; maxMs: number };
  handleRequest(req: DiameterMessage, peer: DiameterPeer): Promise<DiameterMessage>;
  peerStateChanged(peer: DiameterPeer, from: PeerState, to: PeerState, reason: string): void;
  /** Passed to every connection (DiameterNode.addTracer). */
  readonly trace?: DiameterTracer;
}

interface PendingRequest {
  resolve: (answer: DiameterMessage) => void;
  reject: (err: Error) => void;
  timer: unknown;
  request: DiameterMessage;
}

export interface DiameterPeerEvents {
  state: [PeerState, PeerState, string];
  /** RFC 3539 Failover(): the watchdog suspects the connection. */
  suspect: [];
  /** RFC 3539 Failback(). */
  failback: [];
  /** A DWA arrived (RFC 3539 watchdog). */
  watchdog: [DiameterMessage];
}

export class DiameterPeer extends EventEmitter<DiameterPeerEvents> {
  private currentState = PeerState.Closed;
  /** The peer's Origin-Host: learned from CER/CEA, or the expected one when connecting. */
  originHost?: string;
  originRealm?: string;
  /** The applications common to both (RFC 6733 §5.3). */
  applications: number[] = [];
  /** Why the peer last went down. */
  lastError?: string;

  private iConn?: DiameterConnection;
  private rConn?: DiameterConnection;
  private rCer?: DiameterMessage;
  private rApplications: number[] = [];
  private stopped = false;
  private disconnectCauseReceived?: number;
  private reconnectAttempt = 0;
  private readonly hopByHop = new HopByHopIdGenerator();
  private readonly pending = new Map<number, PendingRequest>();
  private readonly stateTimer: TimerSlot;
  private readonly reconnectTimer: TimerSlot;
  private readonly watchdogTimer: TimerSlot;
  /** The current Tw with its jitter, and when a message last reset it (see setWatchdog). */
  private watchdogTw = 0;
  private watchdogLastTraffic = 0;
  private watchdogState = WatchdogState.DOWN;
  private watchdogPending = false;
  private closeWaiters: (() => void)[] = [];

  constructor(
    private readonly ctx: PeerContext,
    /** Where to connect for an initiating peer; absent for a peer that only connected to us. */
    readonly remote?: { host: string; port: number },
    expectedHost?: string,
  ) {
    super();
    this.originHost = expectedHost;
    this.stateTimer = new TimerSlot(ctx.timers);
    this.reconnectTimer = new TimerSlot(ctx.timers);
    this.watchdogTimer = new TimerSlot(ctx.timers);
  }

  get state(): PeerState {
    return this.currentState;
  }

  get isOpen(): boolean {
    return this.currentState === PeerState.ROpen || this.currentState === PeerState.IOpen;
  }

  /** Open and not suspected by the watchdog: eligible for new requests. */
  get isAvailable(): boolean {
    return this.isOpen && this.watchdogState === WatchdogState.OKAY;
  }

  get watchdog(): WatchdogState {
    return this.watchdogState;
  }

  /** The connection messages go over in R-Open / I-Open. */
  private get activeConnection(): DiameterConnection | undefined {
    if (this.currentState === PeerState.ROpen) return this.rConn;
    if (this.currentState === PeerState.IOpen) return this.iConn;
    return this.iConn ?? this.rConn;
  }

  /** The single place the state changes: rejects illegal moves, sets and clears timers. */
  private stateTransition(to: PeerState, reason: string): void {
    const from = this.currentState;
    if (!PEER_TRANSITIONS[from].includes(to)) {
      throw new Error(`illegal peer state transition ${from} -> ${to} (${reason})`);
    }
    this.currentState = to;
    this.stateTimer.clear();
    switch (to) {
      case PeerState.WaitConnAck:
      case PeerState.WaitICEA:
      case PeerState.WaitConnAckElect:
      case PeerState.WaitReturns:
      case PeerState.Closing:
        this.stateTimer.set(this.ctx.stateTimeoutMs, () => this.onTimeout());
        break;
      case PeerState.ROpen:
      case PeerState.IOpen:
        this.reconnectAttempt = 0;
        this.lastError = undefined;
        this.startWatchdog();
        break;
      case PeerState.Closed:
        this.cleanup(reason);
        break;
    }
    this.emit('state', from, to, reason);
    this.ctx.peerStateChanged(this, from, to, reason);
    if (to === PeerState.Closed) {
      const waiters = this.closeWaiters;
      this.closeWaiters = [];
      for (const w of waiters) w();
      this.scheduleReconnect();
    }
  }

  // ---- events from outside -------------------------------------------------------------

  /** Start: I-Snd-Conn-Req. */
  start(): void {
    if (!this.remote || this.currentState !== PeerState.Closed) return;
    this.stopped = false;
    this.disconnectCauseReceived = undefined;
    this.reconnectTimer.clear();
    const socket = tcpConnect({ host: this.remote.host, port: this.remote.port });
    const conn = new DiameterConnection(socket, 'I', this.ctx.trace);
    this.iConn = conn;
    socket.once('connect', () => this.onIConnAck(conn));
    this.wire(conn);
    this.stateTransition(PeerState.WaitConnAck, 'Start');
  }

  /** R-Conn-CER: the node accepted a connection whose CER names this peer. */
  rConnCer(conn: DiameterConnection, cer: DiameterMessage, applications: number[]): void {
    const accept = () => {
      this.rConn = conn;
      this.rCer = cer;
      this.rApplications = applications;
      this.originHost = String(cer.get('Origin-Host'));
      this.originRealm = String(cer.get('Origin-Realm'));
      this.wire(conn);
    };
    switch (this.currentState) {
      case PeerState.Closed:
        accept();
        this.rSndCea();
        this.stateTransition(PeerState.ROpen, 'R-Conn-CER');
        return;
      case PeerState.WaitConnAck:
        accept();
        this.stateTransition(PeerState.WaitConnAckElect, 'R-Conn-CER');
        return;
      case PeerState.WaitICEA:
        accept();
        this.stateTransition(PeerState.WaitReturns, 'R-Conn-CER');
        this.elect();
        return;
      default:
        // R-Reject: "The incoming connection associated with the R-Conn-CER is disconnected."
        conn.close('R-Reject');
    }
  }

  /**
   * Stop: DPR/DPA when open (RFC 6733 §5.4), else disconnect. No reconnection afterwards.
   * Resolves once the peer is Closed.
   */
  close(cause: DisconnectCause = DisconnectCause.REBOOTING): Promise<void> {
    this.stopped = true;
    this.reconnectTimer.clear();
    if (this.currentState === PeerState.Closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (this.isOpen) {
      const conn = this.activeConnection!;
      const dpr = createRequest('Disconnect-Peer-Request', 'Base', [
        avp('Origin-Host', this.ctx.capabilities.originHost),
        avp('Origin-Realm', this.ctx.capabilities.originRealm),
        avp('Disconnect-Cause', cause),
      ]);
      dpr.hopByHop = this.hopByHop.next();
      conn.send(dpr);
      this.stateTransition(PeerState.Closing, 'Stop');
    } else if (this.currentState !== PeerState.Closing) {
      this.stateTransition(PeerState.Closed, 'Stop');
    }
    return done;
  }

  /**
   * Sends a request and resolves with its answer (matched by Hop-by-Hop Identifier, RFC 6733
   * §6.2). Rejects with DiameterRequestError on timeout or when the peer goes down.
   */
  request(req: DiameterMessage, opts: { timeoutMs?: number } = {}): Promise<DiameterMessage> {
    const conn = this.activeConnection;
    if (!this.isOpen || !conn) {
      return Promise.reject(
        new DiameterRequestError(`peer ${this.originHost} is ${this.currentState}`, 'no-peer'),
      );
    }
    req.flags.request = true;
    req.hopByHop = this.hopByHop.next();
    if (!req.endToEnd) req.endToEnd = endToEndIds.next();
    return new Promise<DiameterMessage>((resolve, reject) => {
      const hbh = req.hopByHop;
      const timer = this.ctx.timers.setTimeout(() => {
        this.pending.delete(hbh);
        reject(
          new DiameterRequestError(
            `no answer from ${this.originHost} to ${req.commandName ?? req.commandCode}`,
            'timeout',
          ),
        );
      }, opts.timeoutMs ?? this.ctx.requestTimeoutMs);
      this.pending.set(hbh, { resolve, reject, timer, request: req });
      conn.send(req);
    });
  }

  /** RFC 3539 Failover(): fail the pending requests so the node can send them elsewhere. */
  failoverPending(reason: string): void {
    for (const [hbh, p] of this.pending) {
      this.ctx.timers.clearTimeout(p.timer);
      this.pending.delete(hbh);
      p.reject(new DiameterRequestError(reason, 'peer-down'));
    }
  }

  // ---- connection events ---------------------------------------------------------------

  private wire(conn: DiameterConnection): void {
    conn.on('message', (msg) => this.onMessage(conn, msg));
    conn.on('decode-error', (err) => this.onDecodeError(conn, err));
    conn.on('close', (reason) =>
      conn.kind === 'I' ? this.onIDisc(conn, reason) : this.onRDisc(conn, reason),
    );
  }

  /** I-Rcv-Conn-Ack. */
  private onIConnAck(conn: DiameterConnection): void {
    if (conn !== this.iConn) return;
    if (this.currentState === PeerState.WaitConnAck) {
      this.iSndCer();
      this.stateTransition(PeerState.WaitICEA, 'I-Rcv-Conn-Ack');
    } else if (this.currentState === PeerState.WaitConnAckElect) {
      this.iSndCer();
      this.stateTransition(PeerState.WaitReturns, 'I-Rcv-Conn-Ack');
      this.elect();
    }
  }

  /** I-Rcv-Conn-Nack / I-Peer-Disc. */
  private onIDisc(conn: DiameterConnection, reason: string): void {
    if (conn !== this.iConn) return;
    this.iConn = undefined;
    switch (this.currentState) {
      case PeerState.WaitConnAckElect:
      case PeerState.WaitReturns:
        this.rSndCea();
        this.stateTransition(PeerState.ROpen, `I-Peer-Disc: ${reason}`);
        return;
      case PeerState.WaitConnAck:
      case PeerState.WaitICEA:
      case PeerState.IOpen:
      case PeerState.Closing:
        this.lastError = reason;
        this.stateTransition(PeerState.Closed, reason);
        return;
    }
  }

  /** R-Peer-Disc. */
  private onRDisc(conn: DiameterConnection, reason: string): void {
    if (conn !== this.rConn) return;
    this.rConn = undefined;
    switch (this.currentState) {
      case PeerState.WaitConnAckElect:
        this.stateTransition(PeerState.WaitConnAck, 'R-Peer-Disc');
        return;
      case PeerState.WaitReturns:
        this.stateTransition(PeerState.WaitICEA, 'R-Peer-Disc');
        return;
      case PeerState.ROpen:
      case PeerState.Closing:
        this.lastError = reason;
        this.stateTransition(PeerState.Closed, reason);
        return;
    }
  }

  private onTimeout(): void {
    this.lastError = `timeout in ${this.currentState}`;
    this.stateTransition(PeerState.Closed, this.lastError);
  }

  private onMessage(conn: DiameterConnection, msg: DiameterMessage): void {
    switch (this.currentState) {
      case PeerState.WaitICEA:
      case PeerState.WaitReturns:
        if (conn !== this.iConn) return;
        if (!msg.flags.request && msg.commandCode === CER) this.onICea(msg);
        else {
          this.lastError = 'I-Rcv-Non-CEA';
          this.stateTransition(PeerState.Closed, this.lastError);
        }
        return;
      case PeerState.ROpen:
      case PeerState.IOpen:
      case PeerState.Closing:
        if (conn !== this.activeConnection) return;
        this.watchdogReceived(msg);
        if (msg.flags.request) this.onRequest(conn, msg);
        else this.onAnswer(msg);
        return;
    }
  }

  /** I-Rcv-CEA: Process-CEA. */
  private onICea(cea: DiameterMessage): void {
    const rc = cea.resultCode();
    const apps = commonApplications(this.ctx.capabilities, cea);
    if (!isSuccess(rc) || apps.length === 0) {
      this.lastError = !isSuccess(rc) ? `CEA Result-Code ${rc}` : 'no common application';
      this.stateTransition(PeerState.Closed, this.lastError);
      return;
    }
    this.applications = apps;
    this.originHost = String(cea.get('Origin-Host'));
    this.originRealm = String(cea.get('Origin-Realm'));
    if (this.currentState === PeerState.WaitReturns) {
      // I-Rcv-CEA in Wait-Returns: R-Disc, I-Open (we lost the election).
      const r = this.rConn;
      this.rConn = undefined;
      r?.close('election lost');
    }
    this.stateTransition(PeerState.IOpen, 'I-Rcv-CEA');
  }

  /** Elect: the responder-side election of §5.6.4. */
  private elect(): void {
    if (this.currentState !== PeerState.WaitReturns || !this.rCer) return;
    const remote = String(this.rCer.get('Origin-Host'));
    if (winsElection(this.ctx.capabilities.originHost, remote)) {
      // Win-Election: I-Disc, R-Snd-CEA -> R-Open.
      const i = this.iConn;
      this.iConn = undefined;
      i?.close('election won');
      this.rSndCea();
      this.stateTransition(PeerState.ROpen, 'Win-Election');
    }
  }

  private iSndCer(): void {
    const conn = this.iConn!;
    const cer = buildCer(this.withLocalAddress(conn));
    cer.hopByHop = this.hopByHop.next();
    conn.send(cer);
  }

  private rSndCea(): void {
    const conn = this.rConn!;
    this.applications = this.rApplications;
    conn.send(buildCea(this.rCer!, this.withLocalAddress(conn), ResultCode.SUCCESS));
  }

  /** Host-IP-Address defaults to the local address of the connection (RFC 6733 §5.3.5). */
  private withLocalAddress(conn: DiameterConnection): LocalCapabilities {
    const caps = this.ctx.capabilities;
    if (caps.hostIpAddresses.length) return caps;
    const local = conn.socket.localAddress?.replace(/^::ffff:/, '') || '127.0.0.1';
    return { ...caps, hostIpAddresses: [local] };
  }

  private onRequest(conn: DiameterConnection, req: DiameterMessage): void {
    const local = this.ctx.capabilities;
    const base = (extra: ReturnType<typeof avp>[] = []) =>
      createAnswer(req, [
        avp('Result-Code', ResultCode.SUCCESS),
        avp('Origin-Host', local.originHost),
        avp('Origin-Realm', local.originRealm),
        ...extra,
      ]);
    switch (req.commandCode) {
      case DWR: // Process-DWR, Snd-DWA (RFC 6733 §5.5)
        conn.send(base([avp('Origin-State-Id', local.originStateId)]));
        return;
      case DPR: {
        // Rcv-DPR: Snd-DPA, Closing; "the receiver of the DPA closes the connection" (§5.4).
        const cause = req.get('Disconnect-Cause');
        this.disconnectCauseReceived =
          typeof cause === 'number' ? cause : DisconnectCause.REBOOTING;
        conn.send(base());
        if (this.currentState !== PeerState.Closing)
          this.stateTransition(PeerState.Closing, 'Rcv-DPR');
        return;
      }
      case CER:
        conn.send(
          createErrorAnswer(req, ResultCode.UNABLE_TO_COMPLY, undefined, {
            originHost: local.originHost,
            originRealm: local.originRealm,
            errorMessage: 'capabilities already exchanged',
          }),
        );
        return;
    }
    if (this.currentState === PeerState.Closing) return;
    this.ctx.handleRequest(req, this).then(
      (answer) => conn.send(answer),
      () => undefined,
    );
  }

  private onAnswer(ans: DiameterMessage): void {
    if (ans.commandCode === DPR && this.currentState === PeerState.Closing) {
      // Rcv-DPA: Disc -> Closed.
      this.disconnectAll('DPA received');
      this.stateTransition(PeerState.Closed, 'Rcv-DPA');
      return;
    }
    const p = this.pending.get(ans.hopByHop);
    if (!p) return; // RFC 6733 §6.2: unknown Hop-by-Hop Identifier: discard
    this.pending.delete(ans.hopByHop);
    this.ctx.timers.clearTimeout(p.timer);
    p.resolve(ans);
  }

  /** A message that failed to decode: answer a request with the error; fail a pending request. */
  private onDecodeError(conn: DiameterConnection, err: DiameterDecodeError): void {
    const h = err.header;
    if (!h) return;
    if (this.currentState === PeerState.WaitICEA || this.currentState === PeerState.WaitReturns) {
      if (conn === this.iConn) {
        this.lastError = `undecodable CEA: ${err.message}`;
        this.stateTransition(PeerState.Closed, this.lastError);
      }
      return;
    }
    if (h.flags & FLAG_REQUEST) {
      const stub = new DiameterMessage({
        flags: { request: true, proxiable: (h.flags & FLAG_PROXIABLE) !== 0 },
        commandCode: h.commandCode,
        applicationId: h.applicationId,
        hopByHop: h.hopByHop,
        endToEnd: h.endToEnd,
      });
      const local = this.ctx.capabilities;
      conn.send(
        createErrorAnswer(stub, err.resultCode, err.failedAvp, {
          originHost: local.originHost,
          originRealm: local.originRealm,
          errorMessage: err.message,
        }),
      );
      return;
    }
    const p = this.pending.get(h.hopByHop);
    if (p) {
      this.pending.delete(h.hopByHop);
      this.ctx.timers.clearTimeout(p.timer);
      p.reject(err);
    }
  }

  // ---- RFC 3539 watchdog -----------------------------------------------------------------

  private startWatchdog(): void {
    this.watchdogState = WatchdogState.OKAY;
    this.watchdogPending = false;
    this.setWatchdog();
  }

  /**
   * SetWatchdog(): "Tw = Twinit + random(-2, 2) seconds" (RFC 3539 §3.4.1); the jitter is
   * bounded by a tenth of Tw so that short test intervals keep their order.
   *
   * Every received message resets Tw (§3.4.1 "the watchdog timer is reset"). Re-arming a
   * system timer per message cost a clearTimeout + setTimeout on every Cx request, so a
   * message only records when it arrived (`noteTraffic`): when the timer fires early it is
   * set again for the rest of Tw after the last message, and the watchdog acts at the same
   * moment as with a reset per message.
   */
  private setWatchdog(): void {
    const tw = this.ctx.watchdogIntervalMs;
    const jitter = Math.min(2000, tw / 10) * (this.ctx.timers.random() * 2 - 1);
    this.watchdogTw = Math.max(1, Math.round(tw + jitter));
    this.watchdogLastTraffic = this.ctx.timers.now();
    this.watchdogTimer.set(this.watchdogTw, this.watchdogFired);
  }

  /** A received message resets Tw (see setWatchdog). */
  private noteTraffic(): void {
    this.watchdogLastTraffic = this.ctx.timers.now();
    if (!this.watchdogTimer.active) this.setWatchdog();
  }

  private readonly watchdogFired = (): void => {
    const left = this.watchdogLastTraffic + this.watchdogTw - this.ctx.timers.now();
    if (left > 0) this.watchdogTimer.set(left, this.watchdogFired);
    else this.onWatchdogTimeout();
  };

  private onWatchdogTimeout(): void {
    if (!this.isOpen) return;
    if (this.watchdogState === WatchdogState.OKAY) {
      if (!this.watchdogPending) {
        // SendWatchdog()
        const dwr = createRequest('Device-Watchdog-Request', 'Base', [
          avp('Origin-Host', this.ctx.capabilities.originHost),
          avp('Origin-Realm', this.ctx.capabilities.originRealm),
          avp('Origin-State-Id', this.ctx.capabilities.originStateId),
        ]);
        dwr.hopByHop = this.hopByHop.next();
        this.activeConnection?.send(dwr);
        this.watchdogPending = true;
      } else {
        // Failover()
        this.watchdogState = WatchdogState.SUSPECT;
        this.emit('suspect');
      }
      this.setWatchdog();
    } else if (this.watchdogState === WatchdogState.SUSPECT) {
      // CloseConnection() -> DOWN; the peer reconnects (REOPEN) through CER/CEA.
      this.watchdogState = WatchdogState.DOWN;
      this.lastError = 'watchdog: no answer to DWR';
      this.stateTransition(PeerState.Closed, this.lastError);
    }
  }

  private watchdogReceived(msg: DiameterMessage): void {
    if (this.watchdogState === WatchdogState.DOWN) return;
    const isDwa = !msg.flags.request && msg.commandCode === DWR;
    if (isDwa) this.watchdogPending = false;
    if (this.watchdogState === WatchdogState.SUSPECT) {
      this.watchdogState = WatchdogState.OKAY;
      this.emit('failback');
    }
    this.noteTraffic();
    if (isDwa) this.emit('watchdog', msg);
  }

  // ---- Closed ----------------------------------------------------------------------------

  private disconnectAll(reason: string): void {
    const i = this.iConn;
    const r = this.rConn;
    this.iConn = undefined;
    this.rConn = undefined;
    i?.close(reason);
    r?.close(reason);
  }

  private cleanup(reason: string): void {
    this.watchdogTimer.clear();
    this.watchdogState = WatchdogState.DOWN;
    this.watchdogPending = false;
    this.disconnectAll(reason);
    this.rCer = undefined;
    this.failoverPending(`peer ${this.originHost ?? ''} down: ${reason}`);
  }

  /**
   * Reconnection of an initiating peer with exponential backoff (initialMs · 2^n, at most
   * maxMs). After a DPR, RFC 6733 §5.4.3 Disconnect-Cause decides: REBOOTING reconnects at
   * once (initial delay), BUSY waits the longest delay, DO_NOT_WANT_TO_TALK_TO_YOU stops.
   */
  private scheduleReconnect(): void {
    if (!this.remote || this.stopped) return;
    const cause = this.disconnectCauseReceived;
    this.disconnectCauseReceived = undefined;
    if (cause === DisconnectCause.DO_NOT_WANT_TO_TALK_TO_YOU) {
      this.stopped = true;
      return;
    }
    const { initialMs, maxMs } = this.ctx.reconnect;
    if (cause === DisconnectCause.REBOOTING) this.reconnectAttempt = 0;
    const delay =
      cause === DisconnectCause.BUSY
        ? maxMs
        : Math.min(maxMs, initialMs * 2 ** Math.min(this.reconnectAttempt, 30));
    this.reconnectAttempt++;
    this.reconnectTimer.set(delay, () => this.start());
  }

  /** The delay the next reconnection would wait (for logs and tests). */
  get reconnectScheduled(): boolean {
    return this.reconnectTimer.active;
  }
}
