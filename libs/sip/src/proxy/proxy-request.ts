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
  /**
   * Route values placed on top of this copy's Route header field, in order (a route set
   * pre-loaded for this target only: a registered contact's Path, RFC 3327 §5.3, or the
   * application server and original-dialog-identifier Routes of ISC, TS 24.229 §5.4.3.2).
   */
  routes?: string[];
  /**
   * Gives up on this branch when it has received no response at all (not even 100) within
   * `timeoutMs`, unless `answered()` says the target answered by other means (e.g. an
   * application server sent the request back): the client transaction is dropped and the
   * branch counts as a 408 (as timer C does for a branch without provisional response,
   * RFC 3261 §16.8).
   */
  noAnswer?: { timeoutMs: number; answered?(): boolean };
  /** Free label for the processor that added the target (seen again in `FailedBranch`). */
  label?: unknown;
}

/** A branch that ended without 2xx, as the `onBranchesFailed` hooks see it. */
export interface FailedBranch {
  target: ForwardTarget;
  /** Its final response (408 synthesised for a timeout, 503 for a transport error). */
  response: SipResponse;
  /** Whether a provisional response (101-199) arrived before the final one. */
  provisional: boolean;
}

/**
 * Called when every branch has a final response and none was 2xx, before the best response
 * goes upstream (RFC 3261 §16.7 step 4: "If the target set for the request has not been
 * exhausted [...] the proxy MAY add targets"; like the recursion on a 3xx). Returns the
 * targets to fork to next, or nothing to let the best response go upstream. A hook may also
 * answer the request itself (`respond`), which ends the response context.
 */
export type BranchesFailedHook = (
  best: SipResponse,
  failed: FailedBranch[],
) => ForwardTarget[] | undefined | void | Promise<ForwardTarget[] | undefined | void>;

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

  /** Hooks consulted when every branch failed (see `onBranchesFailed`). */
  readonly branchesFailedHooks: BranchesFailedHook[] = [];

  /** Adds a target (RFC 3261 §16.5). */
  addTarget(uri?: string, nextHop?: Destination): void {
    this.targets.push({ uri, nextHop });
  }

  /** Adds a target with its own Route values, no-answer timeout or label (RFC 3261 §16.5). */
  addForwardTarget(target: ForwardTarget): void {
    this.targets.push(target);
  }

  /**
   * Registers a hook run when every branch has ended without 2xx (not after a CANCEL): it may
   * return further targets, which are forked as new branches of the same response context
   * (RFC 3261 §16.7 step 4). Hooks run in registration order; the first that returns targets
   * (or answers) wins.
   */
  onBranchesFailed(hook: BranchesFailedHook): void {
    this.branchesFailedHooks.push(hook);
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
