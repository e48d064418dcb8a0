/**
 * The Cx client of the I-CSCF and the S-CSCF (TS 29.228 §6, TS 29.229 §6.1): one DiameterNode
 * connected to the HSS (CER/CEA, watchdog and reconnect with backoff are the node's, RFC 6733
 * §5 / RFC 3539), typed UAR/MAR/SAR/LIR with a timeout, and the handlers of the requests the
 * HSS initiates: Registration-Termination-Request (§6.1.3, Cx-Deregister) and
 * Push-Profile-Request (§6.1.4, Cx-Update_Subscr_Data).
 *
 * Callers never see AVPs or Diameter errors: answers come back parsed by the Cx views of
 * libs/diameter, and "no answer" is an HssUnavailableError.
 */
import { EventEmitter } from 'node:events';
import {
  buildLir,
  buildMar,
  buildPpa,
  buildRta,
  buildSar,
  buildUar,
  CX_APPLICATION_ID,
  CxAnswerInit,
  CxRequestHeader,
  DiameterDecodeError,
  DiameterMessage,
  DiameterNode,
  DiameterPeer,
  DiameterRequestError,
  LocationInfoAnswer,
  LocationInfoRequest,
  MultimediaAuthAnswer,
  MultimediaAuthRequest,
  parseLia,
  parseMaa,
  parsePpr,
  parseRtr,
  parseSaa,
  parseUaa,
  PushProfileRequest,
  RegistrationTerminationRequest,
  ResultCode,
  ServerAssignmentAnswer,
  ServerAssignmentRequest,
  UserAuthorizationAnswer,
  UserAuthorizationRequest,
  VENDOR_3GPP,
} from '@lib/diameter';
import { HssAnswerError, HssUnavailableError } from './hss-client-error';

/** Cx command codes (TS 29.229 Table 6.1.1). */
export const CxCommandCode = {
  UAR: 300,
  SAR: 301,
  LIR: 302,
  MAR: 303,
  RTR: 304,
  PPR: 305,
} as const;

export interface HssClientOptions {
  /** Where the HSS listens for Cx (e.g. 127.0.0.1:3868). */
  hssHost: string;
  hssPort: number;
  /** This CSCF's Diameter identity (Origin-Host / Origin-Realm, RFC 6733 §6.3, §6.4). */
  originHost: string;
  originRealm: string;
  /** Destination-Realm of every request; the home realm (`originRealm`) by default. */
  destinationRealm?: string;
  /** Destination-Host, when the HSS's Diameter identity is known in advance. */
  destinationHost?: string;
  /** How long a request waits for its answer (default 3000 ms). */
  requestTimeoutMs?: number;
  /** Tw of the RFC 3539 watchdog (default: the node's, 30 s). */
  watchdogIntervalMs?: number;
  /** Reconnect backoff after the connection drops (default 200 ms doubling up to 5 s). */
  reconnect?: { initialMs: number; maxMs: number };
  /** Host-IP-Address advertised in CER (default 127.0.0.1). */
  hostIpAddress?: string;
  /** Product-Name advertised in CER. */
  productName?: string;
}

/** The fields a caller gives: the routing header (Origin/Destination) is the client's. */
type Fields<T extends CxRequestHeader> = Omit<T, keyof CxRequestHeader>;
export type UarFields = Fields<UserAuthorizationRequest>;
export type MarFields = Fields<MultimediaAuthRequest>;
export type SarFields = Fields<ServerAssignmentRequest>;
export type LirFields = Fields<LocationInfoRequest>;

/** What an RTR handler answers with (RTA, TS 29.229 §6.1.10). */
export type RtaResult = Omit<CxAnswerInit, 'originHost' | 'originRealm'> & {
  associatedIdentities?: string[];
};
/** What a PPR handler answers with (PPA, TS 29.229 §6.1.12). */
export type PpaResult = Omit<CxAnswerInit, 'originHost' | 'originRealm'>;

export type RtrHandler = (rtr: RegistrationTerminationRequest) => Promise<RtaResult> | RtaResult;
export type PprHandler = (ppr: PushProfileRequest) => Promise<PpaResult> | PpaResult;

export interface HssClientEvents {
  /** The Diameter connection to the HSS is open (after CER/CEA). */
  up: [originHost: string | undefined];
  /** It went down (the node reconnects on its own). */
  down: [reason: string];
  /** Something worth logging (a bad request from the HSS, a handler that threw). */
  warning: [message: string];
}

const DEFAULT_TIMEOUT_MS = 3000;

export class HssClient extends EventEmitter<HssClientEvents> {
  readonly node: DiameterNode;
  private readonly openPeers = new Set<DiameterPeer>();
  private peer?: DiameterPeer;
  private rtrHandler?: RtrHandler;
  private pprHandler?: PprHandler;
  private closed = false;

  constructor(private readonly opts: HssClientOptions) {
    super();
    this.node = new DiameterNode({
      originHost: opts.originHost,
      originRealm: opts.originRealm,
      hostIpAddresses: [opts.hostIpAddress ?? '127.0.0.1'],
      productName: opts.productName ?? 'ims-testbed-cscf',
      authApplications: [{ vendorId: VENDOR_3GPP, applicationId: CX_APPLICATION_ID }],
      watchdogIntervalMs: opts.watchdogIntervalMs,
      requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      reconnect: opts.reconnect ?? { initialMs: 200, maxMs: 5000 },
    });
    this.node.on('peer-up', (peer: DiameterPeer) => {
      this.openPeers.add(peer);
      this.emit('up', peer.originHost);
    });
    this.node.on('peer-down', (peer: DiameterPeer, reason?: unknown) => {
      this.openPeers.delete(peer);
      this.emit('down', String(reason ?? 'peer down'));
    });
    this.node.on('error', (err: Error) => this.emit('warning', `Diameter: ${err.message}`));
    this.node.onRequest((req) => this.dispatch(req));
  }

  /** Opens the connection to the HSS (idempotent); the node keeps reconnecting after a drop. */
  start(): void {
    if (this.peer || this.closed) return;
    this.peer = this.node.connect({ host: this.opts.hssHost, port: this.opts.hssPort });
  }

  /** True while a Diameter connection to the HSS is open. */
  get connected(): boolean {
    return this.openPeers.size > 0;
  }

  /**
   * Resolves once the connection is open; rejects with HssUnavailableError after `timeoutMs`
   * (useful at boot and in tests, never needed before a request: requests fail fast instead).
   */
  waitUntilConnected(timeoutMs = 5000): Promise<void> {
    this.start();
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onUp = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('up', onUp);
        reject(
          new HssUnavailableError(
            `no Cx connection to ${this.opts.hssHost}:${this.opts.hssPort} after ${timeoutMs} ms`,
            'timeout',
          ),
        );
      }, timeoutMs);
      this.once('up', onUp);
    });
  }

  /** Registers the handler of Registration-Termination-Request (TS 29.228 §6.1.3). */
  onRtr(handler: RtrHandler): void {
    this.rtrHandler = handler;
  }

  /** Registers the handler of Push-Profile-Request (TS 29.228 §6.1.4). */
  onPpr(handler: PprHandler): void {
    this.pprHandler = handler;
  }

  /** User-Authorization-Request (TS 29.228 §6.1.1, Cx-Query + Cx-Select-Pull). */
  async uar(f: UarFields): Promise<UserAuthorizationAnswer> {
    return this.exchange('UAA', buildUar({ ...this.header(), ...f }), parseUaa);
  }

  /** Multimedia-Auth-Request (TS 29.228 §6.3, Cx-AV-Req / Cx-AV-Req-Resp). */
  async mar(f: MarFields): Promise<MultimediaAuthAnswer> {
    return this.exchange('MAA', buildMar({ ...this.header(), ...f }), parseMaa);
  }

  /** Server-Assignment-Request (TS 29.228 §6.1.2, Cx-Put / Cx-Pull). */
  async sar(f: SarFields): Promise<ServerAssignmentAnswer> {
    return this.exchange('SAA', buildSar({ ...this.header(), ...f }), parseSaa);
  }

  /** Location-Info-Request (TS 29.228 §6.2.1, Cx-Location-Query). */
  async lir(f: LirFields): Promise<LocationInfoAnswer> {
    return this.exchange('LIA', buildLir({ ...this.header(), ...f }), parseLia);
  }

  /** DPR/DPA to the HSS and closes the connection; later requests fail with 'closed'. */
  async close(): Promise<void> {
    this.closed = true;
    await this.node.close();
    this.openPeers.clear();
  }

  private header(): Omit<CxRequestHeader, 'sessionId'> {
    return {
      originHost: this.opts.originHost,
      originRealm: this.opts.originRealm,
      destinationRealm: this.opts.destinationRealm ?? this.opts.originRealm,
      destinationHost: this.opts.destinationHost,
    };
  }

  private async exchange<A>(
    command: string,
    req: DiameterMessage,
    parse: (msg: DiameterMessage) => A,
  ): Promise<A> {
    if (this.closed) throw new HssUnavailableError('the Cx client is closed', 'closed');
    if (!this.connected) {
      throw new HssUnavailableError(
        `no open Cx connection to the HSS at ${this.opts.hssHost}:${this.opts.hssPort}`,
        'no-peer',
      );
    }
    let answer: DiameterMessage;
    try {
      answer = await this.node.sendRequest(req, {
        timeoutMs: this.opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
    } catch (err) {
      if (err instanceof DiameterRequestError) {
        throw new HssUnavailableError(
          `${req.commandName ?? 'request'}: ${err.message}`,
          err.reason,
        );
      }
      throw err;
    }
    try {
      return parse(answer);
    } catch (err) {
      if (err instanceof DiameterDecodeError) {
        throw new HssAnswerError(`invalid ${command} from the HSS: ${err.message}`, command);
      }
      throw err;
    }
  }

  /** One HSS-initiated request in, one answer out; never throws. */
  private async dispatch(req: DiameterMessage): Promise<DiameterMessage> {
    const origin = { originHost: this.opts.originHost, originRealm: this.opts.originRealm };
    switch (req.commandCode) {
      case CxCommandCode.RTR:
        return this.answer(
          req,
          'RTR',
          () => parseRtr(req),
          this.rtrHandler,
          (r) => buildRta(req, { ...r, ...origin }),
        );
      case CxCommandCode.PPR:
        return this.answer(
          req,
          'PPR',
          () => parsePpr(req),
          this.pprHandler,
          (r) => buildPpa(req, { ...r, ...origin }),
        );
      default: {
        // RFC 6733 §7.1.3: DIAMETER_COMMAND_UNSUPPORTED, a protocol error (E bit set).
        this.emit(
          'warning',
          `unsupported request ${req.commandName ?? req.commandCode} from the HSS`,
        );
        const a = buildRta(req, { resultCode: ResultCode.COMMAND_UNSUPPORTED, ...origin });
        a.flags.error = true;
        return a;
      }
    }
  }

  private async answer<R, A>(
    req: DiameterMessage,
    command: string,
    parse: () => R,
    handler: ((r: R) => Promise<A> | A) | undefined,
    build: (a: A | { resultCode: number }) => DiameterMessage,
  ): Promise<DiameterMessage> {
    let parsed: R;
    try {
      parsed = parse();
    } catch (err) {
      if (err instanceof DiameterDecodeError) {
        this.emit('warning', `invalid ${command} from the HSS: ${err.message}`);
        const a = build({ resultCode: err.resultCode });
        a.flags.error = err.resultCode >= 3000 && err.resultCode < 4000;
        return a;
      }
      throw err;
    }
    if (!handler) {
      this.emit('warning', `${command} from the HSS but no handler registered`);
      return build({ resultCode: ResultCode.UNABLE_TO_COMPLY });
    }
    try {
      return build(await handler(parsed));
    } catch (err) {
      this.emit('warning', `${command} handler failed: ${(err as Error).message}`);
      return build({ resultCode: ResultCode.UNABLE_TO_COMPLY });
    }
  }
}
