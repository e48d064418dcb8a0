import {
  createResponse,
  generateTag,
  type SipRequest,
  type SipResponse,
} from '../transport/message-api';
import type { Destination } from '../transport/transport';
import type { IncomingContext } from '../transport/transport-layer';
import type { ServerTransaction } from '../transaction/server-transaction';

/** One target of the target set (RFC 3261 §16.5). */
export interface ForwardTarget {
  /** The Request-URI of the forwarded copy; default: the (preprocessed) Request-URI. */
  uri?: string;
  /** Explicit next hop (host, port, transport); default: top Route, else the Request-URI. */
  nextHop?: Destination;
}

/** What a processor tells the proxy core to do next. */
export type ProcessorResult = 'continue' | 'stop';

/**
 * One step of request processing (repro `Processor.hxx`): inspect or rewrite the request,
 * answer it locally (`respond`, then return 'stop'), add targets, or await async work (a
 * Diameter query) before returning.
 *
 * Every request runs through the processors: CANCEL never does (the core answers it per
 * RFC 3261 §16.10), and an ACK to a 2xx does with `transaction` undefined (it is forwarded
 * statelessly; `respond` is a no-op for it). Throwing makes the core answer 500.
 */
export interface ProxyProcessor {
  readonly name: string;
  process(request: ProxyRequest): ProcessorResult | Promise<ProcessorResult>;
}

/** Runs on every response the proxy forwards upstream (after the Via pop), in order. */
export type ResponseProcessor = (
  response: SipResponse,
  request: ProxyRequest,
) => void | Promise<void>;

/**
 * The request as it travels through the processors: a working copy of the received request
 * (processors may add Path, P- headers, change the Request-URI), its server transaction,
 * where it came from, and the target set being built.
 */
export class ProxyRequest {
  /** Targets to forward to; empty means "the Request-URI" (RFC 3261 §16.5). */
  readonly targets: ForwardTarget[] = [];
  /** Insert Record-Route (RFC 3261 §16.6 step 4) in the forwarded copies. */
  recordRoute: boolean;
  /** Scratch space for processors (e.g. the I-CSCF's chosen S-CSCF). */
  readonly data = new Map<string, unknown>();
  /** Set when a response was sent locally. */
  responded = false;
  /** Set when a CANCEL arrived for this INVITE. */
  cancelled = false;
  /** RFC 3261 §16.6 step 8 loop hash of the request as received. */
  loopHash = '';
  private toTag?: string;

  constructor(
    /** Working copy, forwarded after the processors ran. */
    readonly request: SipRequest,
    /** The request as received. */
    readonly received: SipRequest,
    /** Undefined for an ACK to a 2xx (forwarded statelessly). */
    readonly transaction: ServerTransaction | undefined,
    readonly context: IncomingContext,
    recordRoute: boolean,
  ) {
    this.recordRoute = recordRoute;
  }

  get method(): string {
    return this.request.method;
  }

  /** Adds a target (RFC 3261 §16.5). */
  addTarget(uri?: string, nextHop?: Destination): void {
    this.targets.push({ uri, nextHop });
  }

  /**
   * Builds a response to the received request (RFC 3261 §8.2.6), with a To tag for anything
   * but 100. Add headers or a body before passing it to `respondWith`.
   */
  createResponse(status: number, reason?: string): SipResponse {
    if (status > 100 && !this.received.to().tag) this.toTag ??= generateTag();
    return createResponse(
      this.received,
      status,
      reason,
      status > 100 ? { toTag: this.toTag } : undefined,
    );
  }

  /** Answers locally (the proxy acting as UAS for this request). */
  respond(
    status: number,
    reason?: string,
    headers: [string, string][] = [],
    body?: string | Buffer,
  ): SipResponse {
    const response = this.createResponse(status, reason);
    for (const [name, value] of headers) response.append(name, value);
    if (body !== undefined) response.body = Buffer.isBuffer(body) ? body : Buffer.from(body);
    this.respondWith(response);
    return response;
  }

  respondWith(response: SipResponse): void {
    if (!this.transaction) return; // nothing to answer for an ACK
    if (response.status >= 200) this.responded = true;
    this.transaction.respond(response);
  }
}
