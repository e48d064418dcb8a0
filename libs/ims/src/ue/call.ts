import { randomBytes, randomInt } from 'node:crypto';
import {
  buildCancel,
  createRequest,
  createResponse,
  Destination,
  Dialog,
  generateTag,
  ServerTransaction,
  SipRequest,
  SipResponse,
  SipStack,
  type ClientTransaction,
  type TimerFacility,
} from '@lib/sip';
import type {
  Call,
  CallEndReason,
  CallOptions,
  CallState,
  IncomingCall,
  InDialogReply,
  OutgoingCall,
  ReferOutcome,
  SendOptions,
} from './call-api';
import { createSdpAnswer, createSdpOffer } from './sdp';
import type { UeTrace } from './ue-trace';

/**
 * What a call needs from the UE that owns it (internal to libs/ims/src/ue).
 * @internal
 */
export interface CallHost {
  readonly stack: SipStack;
  readonly trace: UeTrace;
  /** The outbound proxy (P-CSCF): every request leaves towards it. */
  readonly outbound: Destination;
  readonly contactUri: string;
  readonly impu: string;
  /** Route values of out-of-dialog requests (the Service-Route, RFC 3608). */
  readonly serviceRoutes: string[];
  /** In-dialog requests and stray 2xx reach a call through this registry. */
  bindDialog(dialog: Dialog, call: CallBase): void;
  unbindDialog(dialog: Dialog): void;
}

const SDP = 'application/sdp';
const DEFAULT_WAIT_MS = 5000;

/** Methods answered 200 by default when received in a call's dialog. */
const ANSWERED_200 = new Set(['INFO', 'MESSAGE', 'OPTIONS', 'NOTIFY']);

/** RFC 3262 §7.1: a message that requires (or supports) the 100rel extension. */
function has100rel(message: SipRequest | SipResponse, how: 'Require' | 'Supported'): boolean {
  return message.getAll(how).some((t) => t.trim().toLowerCase() === '100rel');
}

/** The SDP body of a message, if it has one. */
function sdpOf(message: SipRequest | SipResponse): string | undefined {
  if (message.body.length === 0) return undefined;
  const type = message.contentType()?.split(';')[0].trim().toLowerCase();
  return type === SDP ? message.body.toString('utf8') : undefined;
}

/** The status code in a message/sipfrag body (RFC 3420), e.g. 200 from "SIP/2.0 200 OK". */
export function sipfragStatus(notify: SipRequest): number | undefined {
  const m = /^SIP\/2\.0 (\d{3})/.exec(notify.body.toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

/**
 * Sends a non-INVITE request in a client transaction towards the UE's outbound proxy,
 * tracing it and its responses; resolves with the final response (a local 408 or 503 on
 * timeout or transport error, RFC 3261 §8.1.3.1 / §8.1.3.3; 503 too when the UE is closed).
 */
export function sendThroughOutbound(
  host: Pick<CallHost, 'stack' | 'trace' | 'outbound'>,
  request: SipRequest,
): Promise<SipResponse> {
  return new Promise((resolve) => {
    try {
      const tx = host.stack.sendRequest(request, host.outbound, {
        receiveResponse: (r) => {
          host.trace.in(r);
          if (r.status >= 200) resolve(r);
        },
        onRequestTimeout: () => resolve(createResponse(request, 408)),
        onTransportError: () => resolve(createResponse(request, 503)),
      });
      host.trace.out(tx.request);
    } catch {
      resolve(createResponse(request, 503));
    }
  });
}

interface Waiter<T> {
  pred: (item: T) => boolean;
  resolve: (item: T) => void;
}

/** A list that promises can wait on: `waitFor` sees items already there and ones to come. */
class Watched<T> {
  readonly items: T[] = [];
  private waiters: Waiter<T>[] = [];

  constructor(private readonly clock: TimerFacility) {}

  push(item: T): void {
    this.items.push(item);
    for (const w of [...this.waiters]) {
      if (w.pred(item)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(item);
      }
    }
  }

  waitFor(pred: (item: T) => boolean, timeoutMs: number, what: string, from = 0): Promise<T> {
    const seen = this.items.slice(from).find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        pred,
        resolve: (item) => {
          this.clock.clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = this.clock.setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${what}: nothing within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

/** Options of a response a call builds. */
interface ResponseParts {
  reason?: string;
  headers?: [string, string][];
  body?: string;
  contentType?: string;
  toTag?: string;
  recordRoute?: boolean;
  contact?: boolean;
}

/** What both directions share: the dialog, sending and answering requests in it, the end. */
export abstract class CallBase implements Call {
  abstract readonly direction: 'outgoing' | 'incoming';
  abstract readonly invite: SipRequest;
  abstract readonly dialog: Dialog | undefined;
  localSdp: string | undefined;
  remoteSdp: string | undefined;
  readonly ended: Promise<CallEndReason>;
  protected _state: CallState = 'calling';
  protected endReason?: CallEndReason;
  protected readonly received: Watched<SipRequest>;
  private resolveEnded!: (reason: CallEndReason) => void;
  private readonly handlers = new Map<string, (r: SipRequest) => InDialogReply | undefined>();
  private readonly sdpSession = String(randomBytes(4).readUInt32BE(0));
  private sdpVersion = 0;
  /** The ACK of each 2xx this UE got to an INVITE it sent, by CSeq: re-sent on retransmissions. */
  private readonly acks = new Map<number, SipRequest>();
  /** An SDP offer this UE put in a 2xx, whose answer comes in the ACK. */
  private answerInAck = false;
  /** The client transaction of the last INVITE this call sent (destroyed after a CANCEL, §9.1). */
  protected inviteTx?: ClientTransaction;

  protected constructor(
    protected readonly host: CallHost,
    /** RTP port announced in this call's SDP. */
    private readonly mediaPort: number,
  ) {
    this.received = new Watched(host.stack.clock);
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  get callId(): string {
    return this.invite.callId();
  }

  get state(): CallState {
    return this._state;
  }

  get requests(): SipRequest[] {
    return this.received.items;
  }

  onRequest(method: string, handler: (request: SipRequest) => InDialogReply | undefined): void {
    if (method === 'ACK' || method === 'CANCEL')
      throw new Error(`${method} is not answered (RFC 3261 §17.1.1.3, §9.2)`);
    this.handlers.set(method.toUpperCase(), handler);
  }

  waitForRequest(
    method: string | ((request: SipRequest) => boolean),
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<SipRequest> {
    const pred = typeof method === 'string' ? (r: SipRequest) => r.method === method : method;
    const what = typeof method === 'string' ? method : 'a matching request';
    return this.received.waitFor(pred, timeoutMs, `call ${this.callId}: ${what}`);
  }

  async request(method: string, opts: SendOptions = {}): Promise<SipResponse> {
    const m = method.toUpperCase();
    if (m === 'INVITE') return this.reInvite(undefined, opts);
    if (m === 'BYE') return this.bye(opts);
    if (m === 'ACK' || m === 'CANCEL')
      throw new Error(`${m} is sent by the call itself (RFC 3261 §13.2.2.4, §9.1)`);
    const dialog = this.usableDialog(m);
    return this.sendInDialog(dialog, dialog.createRequest(m, opts));
  }

  /**
   * Re-INVITE, RFC 3261 §14.1; every 2xx (retransmissions too) is ACKed with the same ACK
   * (§13.2.2.4).
   */
  async reInvite(sdp?: string, opts: SendOptions = {}): Promise<SipResponse> {
    const dialog = this.usableDialog('INVITE');
    if (dialog.state !== 'Confirmed')
      throw new Error('a re-INVITE needs a confirmed dialog (RFC 3261 §14.1)');
    const offer = sdp ?? this.newOffer();
    const req = dialog.createRequest('INVITE', { ...opts, body: offer, contentType: SDP });
    this.localSdp = offer;
    return this.sendInvite(dialog, req, () => undefined);
  }

  /** REFER (RFC 3515 §2.4.1) and the NOTIFYs of the subscription it creates (§2.4.4). */
  async refer(
    target: string,
    opts: SendOptions & { timeoutMs?: number } = {},
  ): Promise<ReferOutcome> {
    const dialog = this.usableDialog('REFER');
    const from = this.received.items.length;
    const req = dialog.createRequest('REFER', {
      ...opts,
      headers: [
        ['Refer-To', `<${target}>`],
        ['Referred-By', `<${this.host.impu}>`],
        ...(opts.headers ?? []),
      ],
    });
    const seq = req.cseq().seq;
    const mine = (r: SipRequest) => {
      if (r.method !== 'NOTIFY') return false;
      const [event, ...params] = (r.get('Event') ?? '').split(';').map((s) => s.trim());
      if (event.toLowerCase() !== 'refer') return false;
      const id = params.find((p) => p.toLowerCase().startsWith('id='))?.slice(3);
      return id === undefined || Number(id) === seq;
    };
    const response = await this.sendInDialog(dialog, req);
    const outcome: ReferOutcome = { response, notifications: [] };
    if (response.status >= 300) return outcome;
    const final = (r: SipRequest) =>
      mine(r) &&
      ((sipfragStatus(r) ?? 0) >= 200 || /^terminated/i.test(r.get('Subscription-State') ?? ''));
    try {
      await this.received.waitFor(final, opts.timeoutMs ?? DEFAULT_WAIT_MS, 'NOTIFY', from);
    } catch {
      // reported as no finalStatus
    }
    outcome.notifications = this.received.items.slice(from).filter(mine);
    const statuses = outcome.notifications.map(sipfragStatus).filter((s) => s !== undefined);
    const last = statuses[statuses.length - 1];
    if (last !== undefined && last >= 200) outcome.finalStatus = last;
    return outcome;
  }

  /**
   * BYE, RFC 3261 §15.1.1: "the UAC MUST consider the session terminated (and therefore stop
   * sending or listening for media) as soon as the BYE request is passed to the client
   * transaction".
   */
  async bye(opts: SendOptions = {}): Promise<SipResponse> {
    const dialog = this.usableDialog('BYE');
    const req = dialog.createRequest('BYE', opts);
    const response = this.sendInDialog(dialog, req);
    this.end('local-bye');
    return response;
  }

  /** A request received in one of this call's dialogs (the UE found it by dialog id). */
  handleRequest(request: SipRequest, tx: ServerTransaction | undefined, dialog: Dialog): void {
    this.received.push(request);
    if (request.method === 'ACK') {
      const sdp = sdpOf(request);
      if (sdp !== undefined && this.answerInAck) {
        this.remoteSdp = sdp;
        this.answerInAck = false;
      }
      return;
    }
    if (!tx) return;
    const check = dialog.receiveRequest(request);
    if (!check.accepted) {
      this.respond(tx, check.status, { reason: check.reason });
      return;
    }
    const custom = this.handlers.get(request.method)?.(request);
    if (custom) {
      this.respond(tx, custom.status, custom);
      if (request.method === 'BYE' && custom.status < 300) this.end('remote-bye');
      return;
    }
    switch (request.method) {
      case 'BYE':
        // RFC 3261 §15.1.2: "the UAS MUST [...] generate a 2xx response to the BYE".
        this.respond(tx, 200);
        this.end('remote-bye');
        return;
      case 'INVITE':
        this.answerReInvite(request, tx);
        return;
      case 'UPDATE':
        this.answerUpdate(request, tx);
        return;
      case 'PRACK':
        this.answerPrack(request, tx);
        return;
      case 'REFER':
        this.answerRefer(request, tx, dialog);
        return;
      default:
        this.respond(tx, ANSWERED_200.has(request.method) ? 200 : 501);
    }
  }

  /** A 2xx to an INVITE of this call that no transaction took (retransmission after Timer M). */
  handleStray2xx(response: SipResponse): void {
    const ack = this.acks.get(response.cseq().seq);
    this.host.trace.in(response);
    if (ack) this.sendAck(ack);
  }

  /** The UE is closing. */
  close(): void {
    this.end('closed');
  }

  // ----- helpers for both directions ------------------------------------------------------

  protected end(reason: CallEndReason): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    this._state = 'terminated';
    for (const d of this.dialogs()) {
      d.terminate();
      this.host.unbindDialog(d);
    }
    this.resolveEnded(reason);
  }

  /** Every dialog this call holds (forks included). */
  protected abstract dialogs(): Dialog[];

  protected usableDialog(method: string): Dialog {
    const dialog = this.dialog;
    if (this.endReason !== undefined || !dialog || dialog.state === 'Terminated')
      throw new Error(
        `call ${this.callId}: no ${method} without a live dialog (state ${this._state}${this.endReason ? `, ended ${this.endReason}` : ''})`,
      );
    return dialog;
  }

  protected newOffer(): string {
    this.sdpVersion++;
    return createSdpOffer({
      address: this.host.stack.host,
      port: this.mediaPort,
      sessionId: this.sdpSession,
      version: this.sdpVersion,
    });
  }

  /** RFC 3264 answer to `offer`; throws when the offer is not SDP. */
  protected answerTo(offer: string): string {
    const answer = createSdpAnswer(offer, {
      address: this.host.stack.host,
      port: this.mediaPort,
      sessionId: this.sdpSession,
      version: this.sdpVersion + 1,
    });
    this.sdpVersion++;
    return answer;
  }

  /** The body of a 2xx to an INVITE: the answer to its offer, or an offer answered in the ACK. */
  protected sdpFor2xx(invite: SipRequest): string {
    const offer = sdpOf(invite);
    if (offer === undefined) {
      this.answerInAck = true;
      return this.newOffer();
    }
    this.remoteSdp = offer;
    return this.answerTo(offer);
  }

  protected makeResponse(
    request: SipRequest,
    status: number,
    parts: ResponseParts = {},
  ): SipResponse {
    const res = createResponse(request, status, parts.reason, {
      toTag: parts.toTag,
      recordRoute: parts.recordRoute,
    });
    if (parts.contact) res.append('Contact', `<${this.host.contactUri}>`);
    for (const [name, value] of parts.headers ?? []) res.append(name, value);
    if (parts.body !== undefined && parts.body.length > 0) {
      res.append('Content-Type', parts.contentType ?? SDP);
      res.body = Buffer.from(parts.body, 'utf8');
    }
    return res;
  }

  /** Sends a response in `tx` and traces it. */
  protected respond(tx: ServerTransaction, status: number, parts: ResponseParts = {}): SipResponse {
    const res = this.makeResponse(tx.request, status, parts);
    this.host.trace.out(res);
    tx.respond(res);
    return res;
  }

  /** Sends a 2xx to an INVITE until the ACK (RFC 3261 §13.3.1.4); no ACK: BYE, 'no-ack'. */
  protected respond2xx(tx: ServerTransaction, res: SipResponse): Promise<SipRequest | undefined> {
    this.host.trace.out(res);
    return this.host.stack.respond2xxReliably(tx, res).then((ack) => {
      if (!ack && this.endReason === undefined) {
        const dialog = this.dialog;
        if (dialog && dialog.state !== 'Terminated')
          void this.sendInDialog(dialog, dialog.createRequest('BYE'));
        this.end('no-ack');
      }
      return ack;
    });
  }

  /** A non-INVITE request in a client transaction through the outbound proxy. */
  protected send(request: SipRequest): Promise<SipResponse> {
    return sendThroughOutbound(this.host, request);
  }

  protected sendInDialog(dialog: Dialog, request: SipRequest): Promise<SipResponse> {
    return this.send(request).then((res) => {
      this.afterInDialogResponse(dialog, request, res);
      return res;
    });
  }

  /**
   * Sends an INVITE (re-INVITE) and ACKs each 2xx (RFC 3261 §13.2.2.4); `onResponse` sees
   * every response first. Resolves with the final response.
   */
  protected sendInvite(
    dialog: Dialog | undefined,
    request: SipRequest,
    onResponse: (r: SipResponse) => 'handled' | undefined,
  ): Promise<SipResponse> {
    return new Promise((resolve) => {
      const failed = (status: number) => {
        const r = createResponse(request, status);
        onResponse(r);
        if (dialog && status === 408) this.afterInDialogResponse(dialog, request, r);
        resolve(r);
      };
      let tx: ClientTransaction;
      try {
        tx = this.host.stack.sendRequest(request, this.host.outbound, {
          receiveResponse: (r) => {
            this.host.trace.in(r);
            if (onResponse(r) === 'handled') return;
            if (r.status < 200) return;
            if (dialog && r.status < 300) {
              let ack = this.acks.get(r.cseq().seq);
              if (!ack) {
                const sdp = sdpOf(r);
                if (sdp !== undefined) this.remoteSdp = sdp;
                dialog.receiveResponse(request, r);
                ack = dialog.createAck(request);
                this.acks.set(r.cseq().seq, ack);
              }
              this.sendAck(ack);
            } else if (dialog) this.afterInDialogResponse(dialog, request, r);
            resolve(r);
          },
          onRequestTimeout: () => failed(408),
          onTransportError: () => failed(503),
        });
      } catch {
        failed(503); // not even handed to a transaction (the UE is closed)
        return;
      }
      this.inviteTx = tx;
      this.host.trace.out(tx.request);
    });
  }

  protected sendAck(ack: SipRequest): void {
    // The ACK for a 2xx is a transaction of its own, sent outside any (RFC 3261 §17.1.1.3).
    const sent = this.host.stack.sendStateless(ack, this.host.outbound);
    this.host.trace.out(ack);
    sent.catch(() => undefined);
  }

  private afterInDialogResponse(dialog: Dialog, request: SipRequest, res: SipResponse): void {
    dialog.receiveResponse(request, res);
    if (request.method === 'UPDATE' && res.status < 300) {
      const sdp = sdpOf(res);
      if (sdp !== undefined) this.remoteSdp = sdp;
    }
    // RFC 3261 §12.2.1.2: 481 or 408 "the UAC SHOULD terminate the dialog".
    if (dialog.state === 'Terminated' && dialog === this.dialog) this.end('dialog-gone');
  }

  /** RFC 3261 §14.2: a re-INVITE is answered like an INVITE, 200 with the SDP answer. */
  private answerReInvite(request: SipRequest, tx: ServerTransaction): void {
    let body: string;
    try {
      body = this.sdpFor2xx(request);
    } catch (err) {
      // RFC 3261 §13.3.1.3: a session description the UAS cannot accept gets 488.
      this.respond(tx, 488, { headers: [['Warning', `399 ue "${(err as Error).message}"`]] });
      return;
    }
    this.localSdp = body;
    const res = this.makeResponse(request, 200, { contact: true, body });
    void this.respond2xx(tx, res);
  }

  /** PRACK (RFC 3262): 200; the callee side first matches it to a reliable provisional. */
  protected answerPrack(_request: SipRequest, tx: ServerTransaction): void {
    this.respond(tx, 200);
  }

  /** RFC 3311 §5.2: UPDATE answered 200, with an SDP answer when it carried an offer. */
  private answerUpdate(request: SipRequest, tx: ServerTransaction): void {
    const offer = sdpOf(request);
    let body: string | undefined;
    if (offer !== undefined) {
      try {
        body = this.answerTo(offer);
      } catch (err) {
        this.respond(tx, 488, { headers: [['Warning', `399 ue "${(err as Error).message}"`]] });
        return;
      }
      this.remoteSdp = offer;
      this.localSdp = body;
    }
    // §5.2: "The UAS MUST include a Contact header field in the 2xx response".
    this.respond(tx, 200, { contact: true, body });
  }

  /**
   * RFC 3515: REFER accepted with 202 (§2.4.2), then the implicit subscription's NOTIFY
   * (§2.4.4) with `Event: refer;id=<REFER CSeq>` (§2.4.6) and the message/sipfrag result
   * (§2.4.5); the referred request itself is not sent, the result reported is "200 OK" and the
   * subscription ends at once (`terminated;reason=noresource`, RFC 6665 §4.2.2).
   */
  private answerRefer(request: SipRequest, tx: ServerTransaction, dialog: Dialog): void {
    if (!request.has('Refer-To')) {
      // RFC 3515 §2.4.1: "A REFER request MUST contain exactly one Refer-To header field".
      this.respond(tx, 400, { reason: 'Missing Refer-To' });
      return;
    }
    this.respond(tx, 202, { contact: true });
    const notify = dialog.createRequest('NOTIFY', {
      headers: [
        ['Event', `refer;id=${request.cseq().seq}`],
        ['Subscription-State', 'terminated;reason=noresource'],
      ],
      body: 'SIP/2.0 200 OK\r\n',
      contentType: 'message/sipfrag;version=2.0',
    });
    void this.sendInDialog(dialog, notify);
  }
}

/** A call placed by the UE (UAC). */
export class UeOutgoingCall extends CallBase implements OutgoingCall {
  readonly direction = 'outgoing' as const;
  readonly invite: SipRequest;
  readonly provisionals: SipResponse[] = [];
  readonly answered: Promise<SipResponse>;
  ack: SipRequest | undefined;
  cancelResponse: SipResponse | undefined;
  readonly prackResponses: SipResponse[] = [];
  private readonly responses: Watched<SipResponse>;
  /** Early and confirmed dialogs by remote (To) tag: a forked INVITE may create several. */
  private readonly forks = new Map<string, Dialog>();
  private current?: Dialog;
  /** The ACK sent for each fork's 2xx, by To tag: re-sent on each retransmission. */
  private readonly forkAcks = new Map<string, SipRequest>();
  private final?: SipResponse;
  private resolveAnswered!: (r: SipResponse) => void;
  private cancelling?: Promise<SipResponse>;

  constructor(host: CallHost, target: string, opts: CallOptions, mediaPort: number) {
    super(host, mediaPort);
    this.responses = new Watched(host.stack.clock);
    this.answered = new Promise((resolve) => (this.resolveAnswered = resolve));
    const offer = opts.sdp === null ? undefined : (opts.sdp ?? this.newOffer());
    this.localSdp = offer;
    const headers: [string, string][] = [
      ['Max-Forwards', '70'],
      ...host.serviceRoutes.map((r): [string, string] => ['Route', r]),
      ['From', `<${host.impu}>;tag=${generateTag()}`],
      ['To', `<${target}>`],
      ['Call-ID', `${randomBytes(10).toString('hex')}@ue`],
      ['CSeq', '1 INVITE'],
      ['Contact', `<${host.contactUri}>`],
      ['Allow', 'INVITE, ACK, CANCEL, BYE, UPDATE, INFO, REFER, NOTIFY, MESSAGE, OPTIONS, PRACK'],
      // RFC 3262 §4: the UAC that supports reliable provisionals says so.
      ['Supported', '100rel'],
      ...(opts.require100rel ? ([['Require', '100rel']] as [string, string][]) : []),
      ...(opts.expires !== undefined
        ? ([['Expires', String(opts.expires)]] as [string, string][])
        : []),
      ...(opts.headers ?? []),
    ];
    if (offer !== undefined) headers.push(['Content-Type', SDP]);
    this.invite = createRequest({
      method: 'INVITE',
      uri: opts.requestUri ?? target,
      headers,
      body: offer,
    });
    void this.sendInvite(undefined, this.invite, (r) => this.onInviteResponse(r));
    if (opts.expires !== undefined) {
      // RFC 3261 §13.2.1: "If the time indicated in the Expires header field is reached and
      // no final answer for the INVITE has been received, the UAC core SHOULD generate a
      // CANCEL request for the INVITE, as per Section 9."
      const { clock } = host.stack;
      const timer = clock.setTimeout(() => {
        if (this.final === undefined && this.endReason === undefined) void this.cancel();
      }, opts.expires * 1000);
      void this.answered.then(() => clock.clearTimeout(timer));
    }
  }

  /**
   * A BYE in an early dialog before any final response: the callee answered, its 2xx never
   * got here, and it gave up after 64*T1 without ACK (RFC 3261 §13.3.1.4: "the session SHOULD
   * be terminated" with a BYE). The BYE is answered 200 and ends the call ('remote-bye'); the
   * INVITE, still waiting in Proceeding where no timer runs (§17.1.1.2), is cancelled (§9.1)
   * so that `answered` settles and the client transactions on the path end.
   */
  protected override end(reason: CallEndReason): void {
    const unanswered = this.final === undefined && this.endReason === undefined;
    super.end(reason);
    if (unanswered && reason === 'remote-bye') void this.cancel();
  }

  get dialog(): Dialog | undefined {
    return this.current;
  }

  protected dialogs(): Dialog[] {
    return [...this.forks.values()];
  }

  waitFor(
    status: number | ((response: SipResponse) => boolean),
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<SipResponse> {
    const pred = typeof status === 'number' ? (r: SipResponse) => r.status === status : status;
    const what = typeof status === 'number' ? `a ${status}` : 'a matching response';
    return this.responses.waitFor(pred, timeoutMs, `call ${this.callId}: ${what}`);
  }

  /**
   * CANCEL, RFC 3261 §9.1: "a CANCEL [...] SHOULD NOT be sent" before a provisional response,
   * so it waits for one. "If there is no final response for the original request in 64*T1
   * seconds [...], the client SHOULD then consider the original transaction cancelled": the
   * call then ends with a locally made 487.
   */
  cancel(opts: { headers?: [string, string][] } = {}): Promise<SipResponse> {
    if (this.final) return Promise.resolve(this.final);
    this.cancelling ??= this.sendCancel(opts);
    return this.cancelling;
  }

  private async sendCancel(opts: { headers?: [string, string][] }): Promise<SipResponse> {
    await Promise.race([
      this.responses.waitFor(() => true, 64 * this.host.stack.transactions.settings.T1, 'any'),
      this.answered,
    ]).catch(() => undefined);
    if (this.final) return this.final;
    const cancel = buildCancel(this.invite);
    for (const [name, value] of opts.headers ?? []) cancel.append(name, value);
    const { clock } = this.host.stack;
    const tx = this.inviteTx;
    const guard = clock.setTimeout(() => {
      // §9.1: "the client SHOULD then consider the original transaction cancelled and SHOULD
      // destroy the client transaction handling the original request" (it would otherwise
      // wait in Proceeding for ever: no timer runs there, §17.1.1.2).
      tx?.dispose();
      this.concludeFailure(createResponse(this.invite, 487));
    }, 64 * this.host.stack.transactions.settings.T1);
    this.cancelResponse = await this.send(cancel);
    const final = await this.answered;
    clock.clearTimeout(guard);
    return final;
  }

  /** Every response to the INVITE; the 2xx are then ACKed by `sendInvite` when 'handled' is not returned. */
  private onInviteResponse(r: SipResponse): 'handled' | undefined {
    this.responses.push(r);
    const tag = r.to().tag;
    if (r.status < 200) {
      this.provisionals.push(r);
      if (r.status > 100 && tag !== undefined && this.final === undefined) {
        // RFC 3261 §12.1.2 / §13.2.2.4: a 1xx with To tag creates an early dialog.
        let d = this.forks.get(tag);
        if (!d) {
          d = Dialog.createAsUac(this.invite, r);
          this.forks.set(tag, d);
          this.host.bindDialog(d, this);
        }
        this.current = d;
        if (this._state === 'calling') this._state = 'early';
        if (has100rel(r, 'Require')) this.prack(d, r);
      }
      const sdp = sdpOf(r);
      if (sdp !== undefined) this.remoteSdp = sdp;
      return 'handled';
    }
    if (r.status >= 300) {
      this.concludeFailure(r);
      return 'handled';
    }
    try {
      this.on2xx(r, tag);
    } catch {
      // A 2xx that makes no usable dialog (a malformed Contact or Record-Route): nothing can
      // be ACKed in a dialog; the call reports the 2xx and ends.
      this.concludeFailure(r, 'dialog-gone');
    }
    return 'handled';
  }

  private on2xx(r: SipResponse, tag: string | undefined): void {
    if (tag === undefined) {
      // A 2xx without To tag violates RFC 3261 §8.2.6.2 and cannot be ACKed in a dialog.
      this.concludeFailure(r, 'dialog-gone');
      return;
    }
    const prior = this.forkAcks.get(tag);
    if (prior) {
      // A retransmission of a 2xx already ACKed (even if that dialog is over): "the UAC core
      // MUST [...] pass the ACK to the transport layer for each retransmission of the 2xx"
      // (§13.2.2.4).
      this.sendAck(prior);
      return;
    }
    let d = this.forks.get(tag);
    if (d && d.state !== 'Terminated') d.receiveResponse(this.invite, r);
    else {
      // A new fork, or an early dialog already ended: the 2xx makes a dialog to ACK (and to
      // hang up below if the call is over).
      d = Dialog.createAsUac(this.invite, r);
      this.forks.set(tag, d);
      this.host.bindDialog(d, this);
    }
    const offerIn2xx = this.localSdp === undefined ? sdpOf(r) : undefined;
    let answer: string | undefined;
    if (offerIn2xx !== undefined) {
      try {
        answer = this.answerTo(offerIn2xx);
      } catch {
        answer = undefined; // not SDP: ACK without answer, then hang up below
      }
    }
    const ack = d.createAck(this.invite, answer ? { body: answer, contentType: SDP } : {});
    this.forkAcks.set(tag, ack);
    this.sendAck(ack);
    if (this.final === undefined && this.endReason === undefined) {
      this.current = d;
      this.ack = ack;
      this.final = r;
      this._state = 'confirmed';
      const sdp = sdpOf(r);
      if (sdp !== undefined) this.remoteSdp = sdp;
      if (answer) this.localSdp = answer;
      // Early dialogs of other forks end with the 2xx (§13.2.2.4 allows them to linger; a UA
      // that wants one call drops them).
      for (const [t, other] of this.forks)
        if (other !== d && other.state === 'Early') {
          other.terminate();
          this.host.unbindDialog(other);
          this.forks.delete(t);
        }
      this.resolveAnswered(r);
      return;
    }
    // §13.2.2.4: "If the UAC does not want to continue with that dialog, then the UAC MUST
    // terminate the dialog by sending a BYE request as described in Section 15" (a second
    // fork answered, or the call already ended).
    if (this.final === undefined) {
      this.final = r;
      this.resolveAnswered(r);
    }
    const bye = d.createRequest('BYE');
    void this.send(bye);
    d.terminate();
    this.host.unbindDialog(d);
    this.forks.delete(tag);
  }

  override handleStray2xx(response: SipResponse): void {
    const tag = response.to().tag;
    const seq = response.cseq().seq;
    if (seq === this.invite.cseq().seq && tag !== undefined && this.forkAcks.has(tag)) {
      this.host.trace.in(response);
      this.sendAck(this.forkAcks.get(tag)!);
      return;
    }
    super.handleStray2xx(response);
  }

  /** RSeq of the last reliable provisional PRACKed, per fork (To tag). */
  private readonly lastRSeq = new Map<string, number>();

  /**
   * RFC 3262 §4: "If a provisional response is received for an initial request, and that
   * response contains a Require header field containing the option tag 100rel, the response
   * is to be sent reliably. [...] the UAC core [...] MUST send a PRACK" with "RAck: <RSeq of
   * the response> <CSeq number> <CSeq method>". A retransmission, or an RSeq "not one
   * higher" than the last one, is not PRACKed.
   */
  private prack(d: Dialog, r: SipResponse): void {
    const rseq = Number(r.get('RSeq'));
    if (!Number.isInteger(rseq) || rseq < 1) return; // §7.1: RSeq is 1*DIGIT; none: no PRACK
    const last = this.lastRSeq.get(d.remoteTag);
    if (last !== undefined && rseq !== last + 1) return;
    this.lastRSeq.set(d.remoteTag, rseq);
    const seq = this.invite.cseq().seq;
    const prack = d.createRequest('PRACK', { headers: [['RAck', `${rseq} ${seq} INVITE`]] });
    void this.sendInDialog(d, prack).then((res) => this.prackResponses.push(res));
  }

  private concludeFailure(r: SipResponse, reason?: CallEndReason): void {
    if (this.final !== undefined) return;
    this.final = r;
    this.end(reason ?? (r.status === 487 ? 'cancelled' : 'rejected'));
    this.resolveAnswered(r);
  }
}

/** A call the UE received (UAS). */
export class UeIncomingCall extends CallBase implements IncomingCall {
  readonly direction = 'incoming' as const;
  readonly cancelled: Promise<boolean>;
  private readonly localTag = generateTag();
  /** RFC 3262 §3: the first RSeq "MUST be between 1 and 2**31 - 1". */
  private nextRSeq = randomInt(1, 2 ** 30);
  /** Reliable provisionals awaiting PRACK, by RSeq: stops their retransmission. */
  private readonly unacknowledged = new Map<number, () => void>();
  private own?: Dialog;
  private finalSent = false;
  private ackPending?: Promise<SipRequest | undefined>;
  private resolveCancelled!: (v: boolean) => void;

  constructor(
    host: CallHost,
    readonly invite: SipRequest,
    private readonly tx: ServerTransaction,
    mediaPort: number,
  ) {
    super(host, mediaPort);
    this.cancelled = new Promise((resolve) => (this.resolveCancelled = resolve));
    this.remoteSdp = sdpOf(invite);
  }

  get dialog(): Dialog | undefined {
    return this.own;
  }

  /** The INVITE's server transaction (CANCEL matching, RFC 3261 §9.2). */
  get transaction(): ServerTransaction {
    return this.tx;
  }

  protected dialogs(): Dialog[] {
    return this.own ? [this.own] : [];
  }

  ring(
    status = 180,
    opts: { sdp?: string; headers?: [string, string][]; reliable?: boolean } = {},
  ): void {
    if (status <= 100 || status >= 200)
      throw new Error(`ring(${status}): a provisional response with a dialog is 101-199`);
    this.assertNoFinal('ring');
    // RFC 3262 §3: with "Require: 100rel" in the INVITE the provisionals are sent reliably.
    const reliable = opts.reliable ?? has100rel(this.invite, 'Require');
    if (reliable && !has100rel(this.invite, 'Require') && !has100rel(this.invite, 'Supported'))
      // RFC 3262 §3: "the UAS MUST NOT attempt to send a 100rel response if the request did
      // not include either a Supported or Require header field with the value 100rel".
      throw new Error('ring(reliable): the INVITE offered no 100rel (RFC 3262 §3)');
    this.ensureDialog();
    this._state = 'early';
    if (opts.sdp !== undefined) this.localSdp = opts.sdp;
    const headers = [...(opts.headers ?? [])];
    const rseq = this.nextRSeq;
    if (reliable) {
      this.nextRSeq++;
      headers.push(['Require', '100rel'], ['RSeq', String(rseq)]);
    }
    // §12.1.1: a response that creates a dialog carries the Record-Route and a Contact.
    const res = this.respond(this.tx, status, {
      toTag: this.localTag,
      recordRoute: true,
      contact: true,
      headers,
      body: opts.sdp,
    });
    if (reliable) this.retransmitReliably(rseq, res);
  }

  /**
   * RFC 3262 §3: "The reliable provisional response is passed to the transaction layer
   * periodically with an interval that starts at T1 seconds and doubles for each
   * retransmission. [...] Once passed to the client, the retransmissions cease when a
   * matching PRACK is received. [...] If a reliable provisional response is retransmitted
   * for 64*T1 seconds without reception of a corresponding PRACK, the UAS SHOULD reject the
   * original request with a 5xx response."
   */
  private retransmitReliably(rseq: number, res: SipResponse): void {
    const { clock } = this.host.stack;
    const { T1 } = this.host.stack.transactions.settings;
    let interval = T1;
    let timer: unknown;
    const giveUp = clock.setTimeout(() => {
      stop();
      if (!this.finalSent) this.reject(500, { reason: 'Reliable Provisional Not Acknowledged' });
    }, 64 * T1);
    const stop = () => {
      clock.clearTimeout(giveUp);
      if (timer !== undefined) clock.clearTimeout(timer);
      this.unacknowledged.delete(rseq);
    };
    const again = () => {
      if (this.finalSent) return stop();
      this.tx.respond(res);
      interval *= 2;
      timer = clock.setTimeout(again, interval);
    };
    timer = clock.setTimeout(again, interval);
    this.unacknowledged.set(rseq, stop);
  }

  /**
   * RFC 3262 §3: a PRACK whose RAck names an unacknowledged reliable provisional stops its
   * retransmission and gets 200; "If the PRACK does not match any unacknowledged reliable
   * provisional response, the UAS MUST respond to the PRACK with a 481".
   */
  protected override answerPrack(request: SipRequest, tx: ServerTransaction): void {
    const [rseq, cseq, method] = (request.get('RAck') ?? '').trim().split(/\s+/);
    const stop =
      Number(cseq) === this.invite.cseq().seq && method === this.invite.method
        ? this.unacknowledged.get(Number(rseq))
        : undefined;
    if (!stop) {
      this.respond(tx, 481, { reason: 'No Matching Reliable Provisional' });
      return;
    }
    stop();
    this.respond(tx, 200);
  }

  answer(
    sdp?: string | null,
    opts: { headers?: [string, string][] } = {},
  ): Promise<SipRequest | undefined> {
    this.assertNoFinal('answer');
    let body: string | undefined;
    if (sdp === null) body = undefined;
    else if (sdp !== undefined) body = sdp;
    else {
      try {
        body = this.sdpFor2xx(this.invite);
      } catch (err) {
        // RFC 3261 §13.3.1.3: an offer the UAS cannot accept: 488.
        this.reject(488, { headers: [['Warning', `399 ue "${(err as Error).message}"`]] });
        return Promise.resolve(undefined);
      }
    }
    this.finalSent = true;
    this.localSdp = body ?? this.localSdp;
    this.ensureDialog().confirm();
    this._state = 'confirmed';
    this.resolveCancelled(false);
    const res = this.makeResponse(this.invite, 200, {
      toTag: this.localTag,
      recordRoute: true,
      contact: true,
      headers: opts.headers,
      body,
    });
    this.ackPending = this.respond2xx(this.tx, res);
    return this.ackPending;
  }

  reject(status: number, opts: { reason?: string; headers?: [string, string][] } = {}): void {
    if (status < 300 || status > 699) throw new Error(`reject(${status}): a failure is 300-699`);
    this.assertNoFinal('reject');
    this.finalSent = true;
    this.respond(this.tx, status, { toTag: this.localTag, ...opts });
    this.resolveCancelled(false);
    this.end('rejected');
  }

  /**
   * RFC 3261 §9.2: the CANCEL is answered 200; "if the original request was an INVITE, the
   * UAS SHOULD immediately respond to the INVITE with a 487 (Request Terminated)" unless a
   * final response was already sent ("the CANCEL request has no effect").
   */
  handleCancel(cancel: SipRequest, cancelTx: ServerTransaction): void {
    this.received.push(cancel);
    this.respond(cancelTx, 200);
    if (this.finalSent) return;
    this.finalSent = true;
    this.respond(this.tx, 487, { toTag: this.localTag });
    this.resolveCancelled(true);
    this.end('cancelled');
  }

  /**
   * §15: "The callee's UA MUST NOT send a BYE on a confirmed dialog until it has received an
   * ACK for its 2xx response or until the server transaction times out."
   */
  override async bye(opts: SendOptions = {}): Promise<SipResponse> {
    if (this.ackPending) await this.ackPending;
    return super.bye(opts);
  }

  protected override end(reason: CallEndReason): void {
    for (const stop of [...this.unacknowledged.values()]) stop();
    super.end(reason);
    this.resolveCancelled(false);
  }

  private assertNoFinal(what: string): void {
    if (this.finalSent || this.endReason !== undefined)
      throw new Error(
        `call ${this.callId}: cannot ${what}, a final response was already sent (${this.endReason ?? this._state})`,
      );
  }

  private ensureDialog(): Dialog {
    if (!this.own) {
      this.own = Dialog.createAsUas(this.invite, this.localTag, {
        localTarget: this.host.contactUri,
      });
      this.host.bindDialog(this.own, this);
    }
    return this.own;
  }
}
