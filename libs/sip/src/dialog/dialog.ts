import { randomInt } from 'node:crypto';
import {
  createRequest,
  generateBranch,
  parseNameAddr,
  SipUri,
  type SipRequest,
  type SipResponse,
} from '../transport/message-api';

/**
 * RFC 3261 §12: "A dialog represents a peer-to-peer SIP relationship between two user agents
 * that persists for some time." A dialog created by a provisional response is Early; a 2xx
 * (or, at the UAS, sending one) confirms it.
 */
export type DialogState = 'Early' | 'Confirmed' | 'Terminated';

/**
 * RFC 3261 §12: "A dialog is identified at each UA with a dialog ID, which consists of a
 * Call-ID value, a local tag and a remote tag."
 */
export interface DialogId {
  callId: string;
  localTag: string;
  remoteTag: string;
}

/** A dialog id as one string, for maps. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/**
 * The id of the dialog an incoming request belongs to, seen by its recipient (RFC 3261
 * §12.2.2: the local tag is the To tag, the remote tag the From tag). Undefined for a request
 * without To tag, which is outside any dialog.
 */
export function dialogIdOfRequest(request: SipRequest): DialogId | undefined {
  const localTag = request.to().tag;
  if (localTag === undefined) return undefined;
  return { callId: request.callId(), localTag, remoteTag: request.from().tag ?? '' };
}

/**
 * The id of the dialog a response establishes or belongs to, seen by the UAC that sent the
 * request (RFC 3261 §12.1.2: local tag = From tag, remote tag = To tag). Undefined without
 * To tag.
 */
export function dialogIdOfResponse(response: SipResponse): DialogId | undefined {
  const remoteTag = response.to().tag;
  if (remoteTag === undefined) return undefined;
  return { callId: response.callId(), localTag: response.from().tag ?? '', remoteTag };
}

/** Thrown when a message cannot create the dialog asked for (no tag, wrong status). */
export class DialogError extends Error {
  override name = 'DialogError';
}

/**
 * Requests that refresh the remote target: RFC 3261 §12.2 (re-INVITE, "Target refresh
 * requests only update the dialog's remote target URI"), RFC 3311 §5.1 (UPDATE), RFC 6665
 * §4.1.2.2 / §4.2.1 (SUBSCRIBE and NOTIFY are target refresh requests).
 */
export const TARGET_REFRESH_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'UPDATE',
  'SUBSCRIBE',
  'NOTIFY',
]);

/**
 * Requests that carry the sender's Contact in a dialog: the target refresh requests and
 * REFER (RFC 3515 §2.4.1 "A REFER request MUST contain exactly one Contact header field").
 */
const CONTACT_METHODS: ReadonlySet<string> = new Set([...TARGET_REFRESH_METHODS, 'REFER']);

/** What a recipient does with an in-dialog request after §12.2.2 processing. */
export type DialogRequestCheck =
  { accepted: true } | { accepted: false; status: number; reason: string };

export interface DialogRequestOptions {
  /** Extra headers, appended after the dialog's own. */
  headers?: [string, string][];
  body?: string | Buffer;
  /** Content-Type of the body; required with a body. */
  contentType?: string;
}

interface DialogInit {
  state: DialogState;
  callId: string;
  localTag: string;
  remoteTag: string;
  localParty: string;
  remoteParty: string;
  localSeq?: number;
  remoteSeq?: number;
  remoteTarget: string;
  routeSet: string[];
  localTarget?: string;
  role: 'UAC' | 'UAS';
  secure: boolean;
  initialSeq: number;
}

/**
 * The dialog state of RFC 3261 §12.1: "the dialog ID, a local sequence number (used to order
 * requests from the UA to its peer), a remote sequence number (used to order requests from
 * its peer to the UA), a local URI, a remote URI, remote target, a boolean flag called
 * 'secure', and a route set, which is an ordered list of URIs."
 *
 * Created as UAC from a response with a To tag ({@link Dialog.createAsUac}) or as UAS from the
 * request ({@link Dialog.createAsUas}); builds in-dialog requests (§12.2.1.1) and the ACK for a
 * 2xx (§13.2.2.4); checks and records requests and responses in the dialog (§12.2.2,
 * §12.2.1.2). Plain state, no I/O: the element sends what it builds.
 *
 * The local and remote URIs are kept as the whole From/To values with their tags
 * (`localParty`, `remoteParty`), so the requests carry them byte for byte; route set entries
 * are the Record-Route values as received.
 */
export class Dialog {
  state: DialogState;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** The local URI with the local tag: the From of requests this UA sends in the dialog. */
  readonly localParty: string;
  /** The remote URI with the remote tag: the To of requests this UA sends in the dialog. */
  readonly remoteParty: string;
  /** CSeq number of the last request sent in the dialog; undefined until one is sent. */
  localSeq?: number;
  /** CSeq number of the last request received in the dialog; undefined until one came. */
  remoteSeq?: number;
  /** RFC 3261 §12.1: the URI from the peer's Contact; the Request-URI of what we send. */
  remoteTarget: string;
  /** Route set, in the order of the Route headers this UA sends (name-addr values). */
  routeSet: string[];
  /** This UA's Contact URI, sent in target refresh requests; undefined: none sent. */
  localTarget?: string;
  /** Which side created the dialog. */
  readonly role: 'UAC' | 'UAS';
  /**
   * RFC 3261 §12.1.1 / §12.1.2: true when the request was sent over TLS with a sips
   * Request-URI. Recorded, not enforced (the stack has no TLS).
   */
  readonly secure: boolean;
  /** CSeq number of the request that created the dialog (the initial INVITE, SUBSCRIBE...). */
  readonly initialSeq: number;

  private constructor(init: DialogInit) {
    this.state = init.state;
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localParty = init.localParty;
    this.remoteParty = init.remoteParty;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localTarget = init.localTarget;
    this.role = init.role;
    this.secure = init.secure;
    this.initialSeq = init.initialSeq;
  }

  /**
   * The UAC side, RFC 3261 §12.1.2, from a 101-199 with a To tag (Early) or a 2xx
   * (Confirmed) to `request`: "The route set MUST be set to the list of URIs in the
   * Record-Route header field from the response, taken in reverse order [...]. The remote
   * target MUST be set to the URI from the Contact header field of the response. The local
   * sequence number MUST be set to the value of the sequence number in the CSeq header field
   * of the request. The remote sequence number MUST be empty [...]. The call identifier
   * component of the dialog ID MUST be set to the value of the Call-ID in the request. The
   * local tag component of the dialog ID MUST be set to the tag in the From field in the
   * request, and the remote tag component of the dialog ID MUST be set to the tag in the To
   * field of the response."
   */
  static createAsUac(request: SipRequest, response: SipResponse): Dialog {
    if (response.status <= 100 || response.status >= 300)
      throw new DialogError(
        `a ${response.status} response creates no dialog (RFC 3261 §12.1: 101-299 only)`,
      );
    const remoteTag = response.to().tag;
    if (remoteTag === undefined)
      throw new DialogError('a response without To tag creates no dialog (RFC 3261 §12.1)');
    const localTag = request.from().tag;
    if (localTag === undefined)
      throw new DialogError('a request without From tag cannot start a dialog (RFC 3261 §8.1.1.3)');
    return new Dialog({
      state: response.status < 200 ? 'Early' : 'Confirmed',
      callId: request.callId(),
      localTag,
      remoteTag,
      localParty: request.get('From')!,
      remoteParty: response.get('To')!,
      localSeq: request.cseq().seq,
      remoteTarget: response.contacts()[0]?.uri ?? request.uri,
      routeSet: response.getAll('Record-Route').reverse(),
      localTarget: request.contacts()[0]?.uri,
      role: 'UAC',
      secure: isSips(request.uri),
      initialSeq: request.cseq().seq,
    });
  }

  /**
   * The UAS side, RFC 3261 §12.1.1, for `request` answered with a 1xx or 2xx carrying
   * `localTag` in its To: "The route set MUST be set to the list of URIs in the Record-Route
   * header field from the request, taken in order and preserving all URI parameters. [...]
   * The remote target MUST be set to the URI from the Contact header field of the request.
   * The remote sequence number MUST be set to the value of the sequence number in the CSeq
   * header field of the request. The local sequence number MUST be empty. [...] The local tag
   * component of the dialog ID MUST be set to the tag in the To field in the response to the
   * request (which always includes a tag), and the remote tag component of the dialog ID MUST
   * be set to the tag from the From field in the request."
   *
   * Early until {@link confirm} (the UAS sends its 2xx). `localTarget` is this UA's Contact.
   */
  static createAsUas(
    request: SipRequest,
    localTag: string,
    opts: { localTarget?: string; confirmed?: boolean } = {},
  ): Dialog {
    const to = request.get('To');
    if (to === undefined) throw new DialogError('a request without To creates no dialog');
    const toTag = request.to().tag;
    if (toTag !== undefined && toTag !== localTag)
      throw new DialogError('the request is already in a dialog with another local tag');
    return new Dialog({
      state: opts.confirmed ? 'Confirmed' : 'Early',
      callId: request.callId(),
      localTag,
      remoteTag: request.from().tag ?? '',
      localParty: toTag === undefined ? `${to};tag=${localTag}` : to,
      remoteParty: request.get('From')!,
      remoteSeq: request.cseq().seq,
      remoteTarget: request.contacts()[0]?.uri ?? fromUri(request),
      routeSet: request.getAll('Record-Route'),
      localTarget: opts.localTarget,
      role: 'UAS',
      secure: isSips(request.uri),
      initialSeq: request.cseq().seq,
    });
  }

  get id(): DialogId {
    return { callId: this.callId, localTag: this.localTag, remoteTag: this.remoteTag };
  }

  /** {@link dialogKey} of this dialog. */
  get key(): string {
    return dialogKey(this.id);
  }

  /** Whether a received request (To tag local) or response (From tag local) is in this dialog. */
  matches(message: SipRequest | SipResponse): boolean {
    const id = message.isRequest() ? dialogIdOfRequest(message) : dialogIdOfResponse(message);
    return (
      id !== undefined &&
      id.callId === this.callId &&
      id.localTag === this.localTag &&
      id.remoteTag === this.remoteTag
    );
  }

  /** The UAS sent its 2xx (or the UAC got one): the dialog is confirmed (§12.1). */
  confirm(): void {
    if (this.state === 'Early') this.state = 'Confirmed';
  }

  /** Ends the dialog (BYE sent or received, §15; a 481/408 to a request in it, §12.2.1.2). */
  terminate(): void {
    this.state = 'Terminated';
  }

  /**
   * The Request-URI and Route values of a request in this dialog, RFC 3261 §12.2.1.1: "If the
   * route set is empty, the UAC MUST place the remote target URI into the Request-URI. [...]
   * If the route set is not empty, and the first URI in the route set contains the lr
   * parameter [...], the UAC MUST place the remote target URI into the Request-URI and MUST
   * include a Route header field containing the route set values in order, including all
   * parameters. If the route set is not empty, and its first URI does not contain the lr
   * parameter, the UAC MUST place the first URI from the route set into the Request-URI,
   * stripping any parameters that are not allowed in a Request-URI. The UAC MUST add a Route
   * header field containing the remainder of the route set values in order, including all
   * parameters. The UAC MUST then place the remote target URI into the Route header field as
   * the last value."
   */
  routing(): { uri: string; routes: string[] } {
    if (this.routeSet.length === 0) return { uri: this.remoteTarget, routes: [] };
    const first = parseNameAddr(this.routeSet[0], 'Route');
    const parsed = first.parsedUri();
    if (parsed instanceof SipUri && parsed.lr)
      return { uri: this.remoteTarget, routes: [...this.routeSet] };
    return {
      uri: requestUriForm(first.uri),
      routes: [...this.routeSet.slice(1), `<${this.remoteTarget}>`],
    };
  }

  /**
   * A request within the dialog, RFC 3261 §12.2.1.1: To = remote URI and tag, From = local
   * URI and tag, Call-ID of the dialog, CSeq = the local sequence number "incremented by one"
   * (chosen per §8.1.1.5 when empty), Request-URI and Route per {@link routing}. Target
   * refresh requests and REFER carry the local target as Contact. No Via: the transaction
   * layer adds one with a new branch. ACK and CANCEL are not built here: see
   * {@link createAck}; "a CANCEL [...] is not in-dialog" (§9.1, `buildCancel`).
   */
  createRequest(method: string, opts: DialogRequestOptions = {}): SipRequest {
    if (method === 'ACK')
      throw new DialogError('the ACK for a 2xx is built with createAck (RFC 3261 §13.2.2.4)');
    if (method === 'CANCEL')
      throw new DialogError('CANCEL is built from the request it cancels (RFC 3261 §9.1)');
    if (this.state === 'Terminated')
      throw new DialogError(`no ${method} in a terminated dialog (RFC 3261 §12.3)`);
    this.localSeq = this.localSeq === undefined ? initialCSeq() : this.localSeq + 1;
    return this.build(method, this.localSeq, opts, CONTACT_METHODS.has(method));
  }

  /**
   * The ACK for a 2xx to the INVITE with CSeq number `inviteSeq` (or that INVITE), RFC 3261
   * §13.2.2.4: "The header fields of the ACK are constructed in the same way as for any
   * request sent within a dialog (see Section 12) with the exception of the CSeq and the
   * header fields related to authentication. The sequence number of the CSeq header field
   * MUST be the same as the INVITE being acknowledged, but the CSeq method MUST be ACK." It
   * gets its own Via branch (it is a transaction of its own) and is sent outside any
   * transaction (`SipStack.sendStateless`). Does not change the local sequence number.
   */
  createAck(inviteSeq: number | SipRequest, opts: DialogRequestOptions = {}): SipRequest {
    const seq = typeof inviteSeq === 'number' ? inviteSeq : inviteSeq.cseq().seq;
    const ack = this.build('ACK', seq, opts, false);
    ack.prepend('Via', `SIP/2.0/UDP 0.0.0.0;branch=${generateBranch()};rport`);
    return ack;
  }

  /**
   * UAS processing of a request in this dialog, RFC 3261 §12.2.2: "If the remote sequence
   * number is empty, it MUST be set to the value of the sequence number in the CSeq header
   * field value in the request. If the remote sequence number was not empty, but the sequence
   * number of the request is lower than the remote sequence number, the request is out of
   * order and MUST be rejected with a 500 (Server Internal Error) response." A target refresh
   * request with a Contact replaces the remote target ("When a UAS receives a target refresh
   * request, it MUST replace the dialog's remote target URI with the URI from the Contact
   * header field in that request, if present"). ACK (which carries the INVITE's number) and
   * CANCEL leave the sequence number alone. A request in a terminated dialog gets 481 (§12.2.2
   * "If the UAS wishes to reject the request because it does not wish to recreate the
   * dialog, it MUST respond to the request with a 481").
   */
  receiveRequest(request: SipRequest): DialogRequestCheck {
    if (request.method === 'ACK' || request.method === 'CANCEL') return { accepted: true };
    if (this.state === 'Terminated')
      return { accepted: false, status: 481, reason: 'Call/Transaction Does Not Exist' };
    const seq = request.cseq().seq;
    if (this.remoteSeq !== undefined && seq < this.remoteSeq)
      return {
        accepted: false,
        status: 500,
        reason: `CSeq ${seq} is lower than ${this.remoteSeq} (out of order, RFC 3261 §12.2.2)`,
      };
    this.remoteSeq = seq;
    if (TARGET_REFRESH_METHODS.has(request.method)) {
      const contact = request.contacts()[0];
      if (contact && !contact.star) this.remoteTarget = contact.uri;
    }
    return { accepted: true };
  }

  /**
   * UAC processing of a response to `request` sent in (or creating) this dialog:
   *
   * - a 2xx to the INVITE that created an early dialog confirms it and recomputes the route
   *   set from that 2xx (RFC 3261 §13.2.2.4: "the dialog MUST be transitioned to the
   *   'confirmed' state, and the route set for the dialog MUST be recomputed based on the 2xx
   *   response using the procedures of Section 12.2.1.2");
   * - a 2xx to a target refresh request updates the remote target (§12.2.1.2: "When a UAC
   *   receives a 2xx response to a target refresh request, it MUST replace the dialog's
   *   remote target URI with the URI from the Contact header field in that response, if
   *   present"), the route set stays (§12.2: "the route set [...] cannot be changed");
   * - 481 or 408 ends the dialog (§12.2.1.2: "the UAC SHOULD terminate the dialog"), except
   *   a 481 to PRACK, which RFC 3262 §3 uses for "does not match any unacknowledged reliable
   *   provisional response" (the dialog lives on).
   */
  receiveResponse(request: SipRequest, response: SipResponse): void {
    const { status } = response;
    if (status === 481 || status === 408) {
      if (request.method === 'CANCEL' || (status === 481 && request.method === 'PRACK')) return;
      this.terminate();
      return;
    }
    if (status < 200 || status >= 300) return;
    const creating =
      this.role === 'UAC' && request.method === 'INVITE' && request.cseq().seq === this.initialSeq;
    if (creating && this.state === 'Early') {
      this.state = 'Confirmed';
      this.routeSet = response.getAll('Record-Route').reverse();
    }
    if (TARGET_REFRESH_METHODS.has(request.method)) {
      const contact = response.contacts()[0];
      if (contact && !contact.star) this.remoteTarget = contact.uri;
    }
  }

  private build(
    method: string,
    seq: number,
    opts: DialogRequestOptions,
    withContact: boolean,
  ): SipRequest {
    const { uri, routes } = this.routing();
    const headers: [string, string][] = [
      ['Max-Forwards', '70'],
      ...routes.map((r): [string, string] => ['Route', r]),
      ['From', this.localParty],
      ['To', this.remoteParty],
      ['Call-ID', this.callId],
      ['CSeq', `${seq} ${method}`],
    ];
    if (withContact && this.localTarget !== undefined)
      headers.push(['Contact', `<${this.localTarget}>`]);
    headers.push(...(opts.headers ?? []));
    if (opts.body !== undefined && opts.body.length > 0) {
      if (opts.contentType === undefined)
        throw new DialogError(`a ${method} with a body needs a Content-Type (RFC 3261 §7.4.1)`);
      headers.push(['Content-Type', opts.contentType]);
    }
    return createRequest({ method, uri, headers, body: opts.body });
  }
}

/**
 * RFC 3261 §8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned
 * integer and MUST be less than 2**31." Leaves room to count up.
 */
function initialCSeq(): number {
  return randomInt(1, 2 ** 30);
}

function isSips(uri: string): boolean {
  return /^sips:/i.test(uri);
}

function fromUri(request: SipRequest): string {
  return request.from().uri;
}

/**
 * A route URI as Request-URI (§12.2.1.1 strict routing): RFC 3261 §19.1.1 table, the `method`
 * parameter and headers are "not allowed" in a Request-URI.
 */
function requestUriForm(uri: string): string {
  let out = uri;
  const q = out.indexOf('?');
  if (q >= 0) out = out.slice(0, q);
  return out.replace(/;method=[^;?]*/gi, '');
}
