/**
 * The UE simulator's call API (issue 5): what end-to-end tests and the issue-7 test-suite
 * runner use to place, answer and drive calls. `UeSimulator` implements {@link UeCallApi}.
 *
 * Conventions:
 * - Every promise here resolves with what happened on the wire (a final response, a
 *   request, an end reason) and never rejects because of a SIP status; the `waitFor*`
 *   helpers reject when their timeout runs out (the error names what was awaited), and a
 *   request that the call's state does not allow (BYE after the end, re-INVITE before the
 *   answer) rejects with an Error that says why. `ring`, `answer` and `reject` throw at once
 *   when a final response was already sent.
 * - Every message a call sends or receives also goes to the UE's `trace` (`UeTrace`).
 * - All requests leave through the UE's P-CSCF (its outbound proxy, `UeOptions.pcscf`);
 *   out-of-dialog requests carry the Service-Route of the last registration as Route
 *   (RFC 3608 §6, TS 24.229 §5.1.2A.1.1); in-dialog ones follow the dialog's route set
 *   (RFC 3261 §12.2.1.1).
 *
 * ```ts
 * const call = alice.call(bob.options.impu);          // INVITE with a PCMU offer
 * const incoming = await bob.waitForCall(10000);
 * incoming.ring();                                     // 180 (reliable if the INVITE requires 100rel)
 * await call.waitFor(180);
 * const ack = await incoming.answer();                 // 200 until the ACK
 * expect((await call.answered).status).toBe(200);      // the ACK went out already
 * await call.request('INFO', { body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' });
 * await call.reInvite();                               // new offer version, ACKed
 * const { finalStatus } = await call.refer('sip:carol@example.com'); // 202 + NOTIFY sipfrag
 * await call.bye();
 * expect(await incoming.ended).toBe('remote-bye');
 * ```
 *
 * Not implemented: re-INVITE glare (491, RFC 3261 §14.1/§14.2), session timers (RFC 4028),
 * placing the call a REFER asks for, media (no RTP is sent or received).
 */
import type { Dialog, SipRequest, SipResponse } from '@lib/sip';

/** Where a call is (RFC 3261 §12: early / confirmed dialog). */
export type CallState =
  /** Outgoing: INVITE sent, no dialog yet. Incoming: INVITE received, nothing sent but 100. */
  | 'calling'
  /** A 1xx with To tag created an early dialog (sent by `ring()` on the callee side). */
  | 'early'
  /** A 2xx was sent or received: the dialog is confirmed. */
  | 'confirmed'
  /** The call is over: see `Call.ended`. */
  | 'terminated';

/** Why a call ended (the value `Call.ended` resolves with). */
export type CallEndReason =
  /** This UE sent BYE (RFC 3261 §15.1.1). */
  | 'local-bye'
  /** The peer sent BYE, answered 200 (§15.1.2). */
  | 'remote-bye'
  /** Caller: the INVITE was cancelled (final 487). Callee: a CANCEL came before the answer. */
  | 'cancelled'
  /** The INVITE got a final non-2xx other than 487 (callee: sent with `reject()`). */
  | 'rejected'
  /**
   * Callee: no ACK for the 2xx within 64*T1 (RFC 3261 §13.3.1.4 "the dialog is confirmed,
   * but the session SHOULD be terminated"): a BYE was sent.
   */
  | 'no-ack'
  /** A request in the dialog got 481 or 408 (RFC 3261 §12.2.1.2: terminate the dialog). */
  | 'dialog-gone'
  /** The UE was closed while the call was up. */
  | 'closed';

/** A body and headers for a request the UE sends. */
export interface SendOptions {
  body?: string | Buffer;
  /** Content-Type of `body` (default `text/plain` for MESSAGE, required otherwise). */
  contentType?: string;
  /** Extra headers, appended after the ones the UE writes. */
  headers?: [string, string][];
}

/** How the UE answers a request received in a call's dialog (see `Call.onRequest`). */
export interface InDialogReply {
  status: number;
  reason?: string;
  headers?: [string, string][];
  body?: string;
  contentType?: string;
}

/** Result of {@link Call.refer}: the REFER's answer and the NOTIFYs of its implicit subscription. */
export interface ReferOutcome {
  /** Final response to the REFER (202 Accepted expected, RFC 3515 §2.4.2). */
  response: SipResponse;
  /** NOTIFYs with `Event: refer` received in the dialog for this REFER, oldest first. */
  notifications: SipRequest[];
  /**
   * The status code of the last message/sipfrag body (RFC 3515 §2.4.5, e.g. 200 from
   * "SIP/2.0 200 OK"); undefined when no NOTIFY with a final sipfrag came in time.
   */
  finalStatus?: number;
}

/**
 * One call (INVITE dialog) of a UE, either direction.
 *
 * By default requests the peer sends in the dialog are answered by the UE (RFC 3261 §12.2.2
 * checks first: out-of-order CSeq -> 500): BYE -> 200 and the call ends ('remote-bye');
 * re-INVITE -> 200 with an SDP answer, retransmitted until ACK (§13.3.1.4); UPDATE -> 200
 * (with an SDP answer when it had an offer, RFC 3311); INFO, MESSAGE, OPTIONS, NOTIFY -> 200;
 * PRACK -> 200 (callee: when its RAck names a reliable provisional still unacknowledged,
 * else 481, RFC 3262 §3); other methods -> 501; REFER -> 202, then a NOTIFY with `Event: refer`,
 * `Subscription-State: terminated;reason=noresource` and the message/sipfrag body
 * "SIP/2.0 200 OK" (RFC 3515 §2.4.4, §2.4.5; the referred call itself is not placed).
 * `onRequest` overrides this per method.
 */
export interface Call {
  readonly direction: 'outgoing' | 'incoming';
  /** The initial INVITE (as sent for outgoing calls, as received for incoming ones). */
  readonly invite: SipRequest;
  readonly callId: string;
  readonly state: CallState;
  /**
   * The dialog (libs/sip `Dialog`): undefined until a 1xx with To tag or a 2xx (outgoing) /
   * until `ring()` or `answer()` (incoming). With forking, the dialog of the answering (or
   * last ringing) branch.
   */
  readonly dialog: Dialog | undefined;
  /** The last SDP this UE sent (offer or answer) and the last SDP it received. */
  readonly localSdp: string | undefined;
  readonly remoteSdp: string | undefined;
  /** Requests received in the dialog (ACK, BYE, INFO, re-INVITE...), oldest first. */
  readonly requests: SipRequest[];
  /** Resolves once the call is over, with the reason. */
  readonly ended: Promise<CallEndReason>;

  /**
   * Sends a request in the dialog (RFC 3261 §12.2.1.1: INFO, UPDATE, MESSAGE, OPTIONS,
   * NOTIFY, PRACK, SUBSCRIBE...) and resolves with its final response (a locally made 408 or
   * 503 on timeout or transport error). For INVITE use `reInvite`, for BYE `bye`.
   */
  request(method: string, opts?: SendOptions): Promise<SipResponse>;
  /**
   * Re-INVITE (RFC 3261 §14.1) with `sdp` as offer (default: a new version of this UE's
   * offer); a 2xx is ACKed automatically. Resolves with the final response.
   */
  reInvite(sdp?: string, opts?: SendOptions): Promise<SipResponse>;
  /**
   * REFER (RFC 3515) with `Refer-To: <target>`; resolves after the final response and, on a
   * 2xx, once a NOTIFY with a final sipfrag arrived (or `timeoutMs`, default 5000, passed).
   */
  refer(target: string, opts?: SendOptions & { timeoutMs?: number }): Promise<ReferOutcome>;
  /** BYE (RFC 3261 §15.1.1); the call ends ('local-bye'). Resolves with the BYE's response. */
  bye(opts?: SendOptions): Promise<SipResponse>;
  /**
   * The first request received in the dialog whose method is `method` (or that matches the
   * predicate), including ones already received; rejects after `timeoutMs` (default 5000).
   */
  waitForRequest(
    method: string | ((request: SipRequest) => boolean),
    timeoutMs?: number,
  ): Promise<SipRequest>;
  /**
   * Overrides how requests of `method` received in the dialog are answered: the handler's
   * reply is sent; returning undefined falls back to the default. Not for ACK or CANCEL.
   */
  onRequest(method: string, handler: (request: SipRequest) => InDialogReply | undefined): void;
}

/** A call this UE placed with `UeCallApi.call`. */
export interface OutgoingCall extends Call {
  readonly direction: 'outgoing';
  /** Provisional responses received (100, 180, 183...), oldest first. */
  readonly provisionals: SipResponse[];
  /**
   * The first response (provisional or final, already received or not) with this status or
   * matching the predicate; rejects after `timeoutMs` (default 5000).
   */
  waitFor(
    status: number | ((response: SipResponse) => boolean),
    timeoutMs?: number,
  ): Promise<SipResponse>;
  /**
   * The INVITE's final response: a 2xx (then the ACK has been sent, RFC 3261 §13.2.2.4,
   * and is re-sent for each retransmitted 2xx), or the failure (486, 487, 603, 404, a local
   * 408 on timeout...). Never rejects.
   */
  readonly answered: Promise<SipResponse>;
  /** The ACK sent for the 2xx, once sent. */
  readonly ack: SipRequest | undefined;
  /**
   * CANCEL (RFC 3261 §9.1), sent once a provisional response came (§9.1: "a CANCEL [...]
   * SHOULD NOT be sent" before). Resolves with the INVITE's final response (487 expected;
   * a 2xx when the answer crossed the CANCEL, then the call is up and the caller may BYE).
   */
  cancel(opts?: { headers?: [string, string][] }): Promise<SipResponse>;
  /** The final response to the CANCEL itself, once one came. */
  readonly cancelResponse: SipResponse | undefined;
  /**
   * Final responses to the PRACKs this UE sent: a provisional with `Require: 100rel` is
   * PRACKed automatically (RFC 3262 §4), once per RSeq.
   */
  readonly prackResponses: readonly SipResponse[];
}

/** A call this UE received (see `UeCallApi.waitForCall`). */
export interface IncomingCall extends Call {
  readonly direction: 'incoming';
  /**
   * Sends a provisional response with a To tag (180 Ringing by default, 183 with SDP...).
   * `reliable` (default: when the INVITE had `Require: 100rel`) sends it per RFC 3262 with
   * `Require: 100rel` and `RSeq`, retransmitted until the caller's PRACK (no PRACK within
   * 64*T1: the INVITE is rejected with 500); throws when the INVITE offered no 100rel.
   */
  ring(
    status?: number,
    opts?: { sdp?: string; headers?: [string, string][]; reliable?: boolean },
  ): void;
  /**
   * Answers 200 with an SDP answer to the INVITE's offer (or an offer when the INVITE had
   * none; `sdp` replaces the generated one, `null` sends no body) and retransmits it until
   * the ACK (RFC 3261 §13.3.1.4). Resolves with the ACK, or undefined when none came within
   * 64*T1 (the UE then sends BYE and the call ends 'no-ack').
   */
  answer(
    sdp?: string | null,
    opts?: { headers?: [string, string][] },
  ): Promise<SipRequest | undefined>;
  /** Sends a final non-2xx (486 Busy Here, 603 Decline...); the call ends 'rejected'. */
  reject(status: number, opts?: { reason?: string; headers?: [string, string][] }): void;
  /**
   * True once a CANCEL for the INVITE arrived before the answer (the UE answered it 200 and
   * the INVITE 487, RFC 3261 §9.2); false when the call was answered or rejected first.
   */
  readonly cancelled: Promise<boolean>;
}

/** Options of `UeCallApi.call`. */
export interface CallOptions {
  /**
   * The SDP offer in the INVITE. Default: {@link createSdpOffer} for the UE's address (PCMU);
   * `null`: an INVITE without offer (the offer comes in the 2xx, the answer in the ACK).
   */
  sdp?: string | null;
  /** Extra headers of the INVITE (e.g. `P-Preferred-Identity`, `Accept-Contact`). */
  headers?: [string, string][];
  /** Request-URI when it differs from the To URI (rare). */
  requestUri?: string;
  /**
   * `Require: 100rel` in the INVITE (RFC 3262 §4), so the callee must send its provisionals
   * reliably. `Supported: 100rel` is always sent.
   */
  require100rel?: boolean;
  /**
   * Seconds the invitation is valid (`Expires` in the INVITE, RFC 3261 §13.2.1): without a
   * final response by then the UE sends CANCEL; if no final response follows within 64*T1 it
   * ends the INVITE itself with a local 487 (§9.1). Unset: no limit (a proxy's timer C ends a
   * ringing call, §16.8).
   */
  expires?: number;
}

/**
 * How a UE answers incoming calls by itself (`UeOptions.autoAnswer`): for load and for
 * simple callees. Unset or false: calls wait for `waitForCall()`.
 */
export interface AutoAnswer {
  /** Provisional response sent first (default 180); 0 sends none. */
  ringStatus?: number;
  /** Time between the provisional and the final response, ms (default 0). */
  ringMs?: number;
  /** Final status (default 200; e.g. 486 for a busy callee). */
  status?: number;
  /** SDP of the 200 (default: the generated answer). */
  sdp?: string;
}

/** The call part of the UE simulator (implemented by `UeSimulator`). */
export interface UeCallApi {
  /**
   * Places a call: INVITE to `target` (a SIP or tel URI) through the P-CSCF with
   * Route = the Service-Route of the registration. Returns at once; follow it with
   * `answered`, `waitFor`, `provisionals`.
   */
  call(target: string, opts?: CallOptions): OutgoingCall;
  /**
   * The next incoming call (INVITE outside a dialog) not yet taken, including one that
   * already arrived; rejects after `timeoutMs` (default 5000).
   */
  waitForCall(timeoutMs?: number): Promise<IncomingCall>;
  /** MESSAGE in page mode (RFC 3428), `text/plain` by default; resolves with the final response. */
  message(target: string, text: string, opts?: SendOptions): Promise<SipResponse>;
  /**
   * OPTIONS (RFC 3261 §11) to `target`; resolves with the final response. (Not `options`:
   * `UeSimulator.options` is the UE's configuration.)
   */
  sendOptions(target: string, opts?: SendOptions): Promise<SipResponse>;
  /**
   * SUBSCRIBE (RFC 6665 §4.1.2) to `event` at `target` outside any dialog, routed like a
   * call; resolves with the final response and, after a 2xx, the first NOTIFY of the new
   * subscription (same Call-ID) or undefined when none came within `timeoutMs` (default
   * 5000). `expires: 0` is a fetch. As notifier, a UE answers any SUBSCRIBE with 200 and an
   * immediate NOTIFY (see `UeNotifier`).
   */
  subscribe(
    target: string,
    event: string,
    opts?: SendOptions & { expires?: number; timeoutMs?: number },
  ): Promise<SubscribeOutcome>;
  /** Every call of this UE, both directions, oldest first. */
  readonly calls: readonly Call[];
}

/** Result of `UeCallApi.subscribe`. */
export interface SubscribeOutcome {
  response: SipResponse;
  /** The first NOTIFY of the subscription (RFC 6665 §4.1.2.4: it may overtake the 200). */
  notify?: SipRequest;
}
