import {
  createResponse,
  SipUri,
  Via,
  type SipRequest,
  type SipResponse,
} from '../transport/message-api';
import { SipResolveError } from '../transport/resolve-target';
import {
  formatHost,
  stripBrackets,
  type Destination,
  type TransportProtocol,
} from '../transport/transport';
import type { IncomingContext } from '../transport/transport-layer';
import { buildCancel } from '../transaction/build-cancel';
import type { ClientTransaction } from '../transaction/client-transaction';
import type { ServerTransaction } from '../transaction/server-transaction';
import { TransactionState } from '../transaction/transaction-state';
import type { SipStack } from '../stack/sip-stack';
import { loopHash, proxyBranch } from './loop-detection';
import {
  ProxyRequest,
  type FailedBranch,
  type ForwardTarget,
  type ProcessorResult,
  type ProxyProcessor,
  type ResponseProcessor,
} from './proxy-request';
import { validateRequest } from './request-validation';
import { aggregateChallenges, selectBestResponse } from './response-selection';
import { postprocessStrictRoute, preprocessRouteInformation } from './route-preprocessing';

export interface ProxyCoreOptions {
  /** Request processors, run in order after validation and route preprocessing. */
  processors?: ProxyProcessor[];
  /** Response processors, run on each response forwarded upstream. */
  responseProcessors?: ResponseProcessor[];
  /** Insert Record-Route in forwarded requests other than REGISTER. Default true. */
  recordRoute?: boolean;
  /** Other URIs this proxy answers to (a domain name, an alias); its own address always counts. */
  isOwnUri?(uri: SipUri): boolean;
  /** URI schemes accepted in the Request-URI. Default sip, sips, tel. */
  schemes?: string[];
  /** Option tags accepted in Proxy-Require. Default none. */
  supported?: string[];
  /** Reports exceptions thrown by processors (the request gets a 500). */
  onError?(error: Error, request: SipRequest): void;
}

/** A forwarded copy and its client transaction (one branch of the response context). */
interface ProxyBranch {
  target: ForwardTarget;
  request: SipRequest;
  destination?: Destination;
  tx?: ClientTransaction;
  final?: SipResponse;
  provisional: boolean;
  cancelRequested: boolean;
  cancelSent: boolean;
  timerC?: unknown;
  /** Runs 64*T1 after the CANCEL: no final response by then ends the branch (§9.1). */
  cancelTimer?: unknown;
  /** ForwardTarget.noAnswer timer, cleared by any response. */
  noAnswerTimer?: unknown;
  /** Already shown to an onBranchesFailed hook. */
  reported?: boolean;
}

/** RFC 3261 §16.7 response context of one proxied request. */
interface ResponseContext {
  request: ProxyRequest;
  transaction: ServerTransaction;
  branches: ProxyBranch[];
  responses: SipResponse[];
  finalForwarded: boolean;
  /**
   * Serialises upstream forwarding so async response processors keep the order: the work
   * still pending, or undefined when none is (a response then goes out at once).
   */
  queue?: Promise<void>;
  /** Branches are being created: a synchronously failing one must not end the context. */
  adding: boolean;
  /** An onBranchesFailed hook is running. */
  recursing: boolean;
}

/**
 * A stateful proxy (RFC 3261 §16) on a `SipStack`: each request's server transaction is paired
 * with one client transaction per target. Processing is a pipeline:
 *
 * 1. §16.3 request validation (416, 483, 482, 420), 100 Trying for INVITE (§16.2);
 * 2. §16.4 route information preprocessing (strict-route fix-up, pop our own Route);
 * 3. the configured processors (answer locally, rewrite, await async work, add targets);
 * 4. §16.5/§16.6 forwarding to each target (Request-URI, Max-Forwards, Record-Route,
 *    strict-route postprocessing, next hop, Via with a loop-detecting branch, timer C);
 * 5. §16.7 response processing (Via pop, 100 absorbed, 2xx forwarded at once, best final
 *    response when all branches finished, 401/407 challenges aggregated, 503 -> 500).
 *
 * CANCEL (§16.10) cancels the pending branches of the matching INVITE; an ACK to a 2xx and
 * stray 2xx retransmissions are forwarded statelessly.
 *
 * ```ts
 * const stack = new SipStack({ host: '127.0.0.1', port: 5060 });
 * const proxy = new ProxyCore(stack, {
 *   supported: ['path'],
 *   processors: [
 *     { name: 'registrar', process: async (pr) => {          // answer locally
 *         if (pr.method !== 'REGISTER') return 'continue';
 *         pr.respond(401, undefined, [['WWW-Authenticate', challenge]]);
 *         return 'stop';
 *     } },
 *     { name: 'icscf-lir', process: async (pr) => {          // await Diameter, then route
 *         const scscf = await cx.locationInfo(pr.request.to().uri);
 *         pr.request.prepend('P-Charging-Vector', icid);
 *         pr.addTarget(undefined, stack.resolve(scscf));
 *         return 'continue';
 *     } },
 *   ],
 *   responseProcessors: [(res, pr) => { if (res.status === 200) res.append('P-Associated-URI', uri); }],
 * }).attach();
 * await stack.start();
 * ```
 */
export class ProxyCore {
  private readonly processors: ProxyProcessor[];
  private readonly responseProcessors: ResponseProcessor[];
  private readonly contexts = new Map<ServerTransaction, ResponseContext>();

  constructor(
    readonly stack: SipStack,
    private readonly options: ProxyCoreOptions = {},
  ) {
    this.processors = options.processors ?? [];
    this.responseProcessors = options.responseProcessors ?? [];
  }

  /** Makes this proxy the stack's transaction user. */
  attach(): this {
    this.stack.setHandler({
      onRequest: (request, tx, ctx) => void this.onRequest(request, tx, ctx),
      onStrayResponse: (response) => this.onStrayResponse(response),
    });
    return this;
  }

  /** Live response contexts (INVITE and non-INVITE requests being proxied). */
  get pendingCount(): number {
    return this.contexts.size;
  }

  /** True when the URI names this proxy (its own address or a configured alias). */
  isOwnUri(uri: SipUri): boolean {
    if (this.stack.transportLayer.isLocalAddress(uri.host, uri.port)) return true;
    return this.options.isOwnUri?.(uri) ?? false;
  }

  /** True when the Request-URI (after §16.4 preprocessing) names this proxy. */
  private addressesThisProxy(request: SipRequest): boolean {
    try {
      const uri = request.requestUri();
      return uri instanceof SipUri && this.isOwnUri(uri);
    } catch {
      return false;
    }
  }

  /**
   * Entry point for each new request (or ACK to a 2xx, without transaction). Runs
   * synchronously as far as the processors do: a promise is returned only once one of them
   * returned a promise (async work such as a Diameter query), so a request that needs none
   * costs no microtask hop per processor.
   */
  onRequest(
    received: SipRequest,
    tx: ServerTransaction | undefined,
    context: IncomingContext,
  ): void | Promise<void> {
    try {
      if (received.method === 'CANCEL' && tx) {
        this.onCancel(received, tx);
        return;
      }
      const pending = this.process(received, tx, context);
      if (pending !== undefined)
        return pending.catch((err: unknown) => this.failed(err, received, tx));
    } catch (err) {
      this.failed(err, received, tx);
    }
  }

  /** A processor (or the core) threw: report it and answer 500 if nothing was sent yet. */
  private failed(err: unknown, received: SipRequest, tx: ServerTransaction | undefined): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.options.onError?.(error, received);
    if (tx && !tx.hasFinalResponse && tx.state !== TransactionState.Terminated) {
      tx.respond(createResponse(received, 500, 'Server Internal Error'));
    }
  }

  private process(
    received: SipRequest,
    tx: ServerTransaction | undefined,
    context: IncomingContext,
  ): void | Promise<void> {
    const pr = new ProxyRequest(
      received.clone(),
      received,
      tx,
      context,
      (this.options.recordRoute ?? true) && received.method !== 'REGISTER',
    );
    // RFC 3261 §16.3 request validation.
    const rejection = validateRequest(received, {
      schemes: this.options.schemes ?? ['sip', 'sips', 'tel'],
      supported: this.options.supported ?? [],
      isOwnSentBy: (host, port) => this.stack.transportLayer.isLocalAddress(host, port),
    });
    if (rejection) {
      pr.respond(rejection.status, rejection.reason, rejection.headers);
      return;
    }
    // RFC 3261 §16.2: "If the request is an INVITE, [...] a stateful proxy SHOULD generate a
    // 100 (Trying) response" (to quench retransmissions while targets are being found).
    if (tx && received.method === 'INVITE') tx.respond(pr.createResponse(100));
    pr.loopHash = loopHash(received, received.getAll('Via')[0] ?? '');
    preprocessRouteInformation(pr.request, (uri) => this.isOwnUri(uri));

    let rc: ResponseContext | undefined;
    if (tx) {
      rc = {
        request: pr,
        transaction: tx,
        branches: [],
        responses: [],
        finalForwarded: false,
        queue: undefined,
        adding: false,
        recursing: false,
      };
      this.contexts.set(tx, rc);
      const previous = tx.user;
      const context = rc;
      tx.user = {
        ...previous,
        // A non-INVITE's context is done once its final response went upstream: the server
        // transaction then only re-sends that response for 32 s (Timer J over UDP), and
        // holding the context (the working copy, every branch's request and response) that
        // long made each CSCF keep 200-300 MB of finished requests at 200 registrations/s.
        onCompleted: () => {
          tx.user = previous;
          previous.onCompleted?.();
          this.release(context);
        },
        onTerminated: () => {
          previous.onTerminated?.();
          this.release(context);
        },
      };
      if (tx.state === TransactionState.Terminated) this.release(rc);
    }

    return this.runProcessors(pr, rc, 0);
  }

  /**
   * Runs the processors from `index` on, synchronously while they return their result
   * directly; at the first that returns a promise the rest continues after it settles.
   */
  private runProcessors(
    pr: ProxyRequest,
    rc: ResponseContext | undefined,
    index: number,
  ): void | Promise<void> {
    for (let i = index; i < this.processors.length; i++) {
      const result = this.processors[i].process(pr);
      if (typeof result !== 'string') return this.resumeProcessors(result, pr, rc, i + 1);
      if (this.processorsDone(pr, result)) return;
    }
    return this.route(pr, rc);
  }

  private async resumeProcessors(
    pending: Promise<ProcessorResult>,
    pr: ProxyRequest,
    rc: ResponseContext | undefined,
    next: number,
  ): Promise<void> {
    const result = await pending;
    if (this.processorsDone(pr, result)) return;
    await this.runProcessors(pr, rc, next);
  }

  /** After one processor: true when processing ends here (answered, stopped or cancelled). */
  private processorsDone(pr: ProxyRequest, result: ProcessorResult): boolean {
    if (pr.responded || result === 'stop') return true;
    if (pr.cancelled) {
      // §16.10: no branch exists yet; answer the INVITE ourselves.
      pr.respond(487);
      return true;
    }
    return false;
  }

  /** The processors let the request through: §16.5 target set, then forwarding. */
  private route(pr: ProxyRequest, rc: ResponseContext | undefined): void | Promise<void> {
    // RFC 3261 §16.5: "If the Request-URI of the request contains a value this proxy is not
    // responsible for, the proxy MUST place the Request-URI into the target set as the only
    // target element." A Request-URI naming this proxy that no processor resolved leaves the
    // target set empty: "the proxy MUST return an error response, which SHOULD be the 480
    // (Temporarily Unavailable) response". An OPTIONS addressed to the proxy itself is
    // answered 200 (§11: the proxy acts as the UAS for it, e.g. keep-alive pings).
    if (pr.targets.length === 0 && this.addressesThisProxy(pr.request)) {
      if (pr.method === 'OPTIONS') pr.respond(200);
      else pr.respond(480);
      return;
    }
    const targets: ForwardTarget[] = pr.targets.length > 0 ? pr.targets : [{}];
    if (!rc) return this.forwardStateless(pr, targets[0]);
    this.forkTo(rc, targets);
  }

  /** Forwards to each target as a new branch (RFC 3261 §16.6), numbering copies on. */
  private forkTo(rc: ResponseContext, targets: ForwardTarget[]): void {
    const base = rc.branches.length;
    rc.adding = true;
    try {
      targets.forEach((target, i) => this.forwardBranch(rc, target, base + i));
    } finally {
      rc.adding = false;
    }
    this.checkComplete(rc);
  }

  /** Builds the forwarded copy for one target, RFC 3261 §16.6 steps 1–8. */
  private buildCopy(
    pr: ProxyRequest,
    target: ForwardTarget,
    copyNumber: number,
  ): { copy: SipRequest; destination: Destination } {
    // 1. "Make a copy of the received request"
    const copy = pr.request.clone();
    // 2. "Update the Request-URI"
    if (target.uri && target.uri !== copy.uri) copy.setUri(target.uri);
    // A route set pre-loaded for this target only (Path of a contact, ISC Routes), on top.
    for (const route of [...(target.routes ?? [])].reverse()) copy.prepend('Route', route);
    // 3. "Update the Max-Forwards header field": decrement, or add one with 70.
    const maxForwards = copy.maxForwards();
    copy.set('Max-Forwards', String(maxForwards === undefined ? 70 : maxForwards - 1));
    const self = this.stack.transportLayer.sentBy('UDP');
    // 6. "Postprocess routing information" (strict router next).
    const strict = postprocessStrictRoute(copy);
    // 7. "Determine the next-hop address, port, and transport": "If the proxy has
    // reformatted the request to send to a strict-routing element as described in step 6
    // above, the proxy MUST apply those procedures to the Request-URI of the request."
    const destination =
      target.nextHop ?? (strict ? this.stack.resolve(copy.uri) : this.stack.nextHop(copy));
    // 4. "Optionally add a Record-route header field value" (after step 7: which transport
    // the copy leaves on decides whether it takes one value or two, RFC 5658).
    if (pr.recordRoute) {
      for (const rr of recordRouteValues(self, pr.context.source.transport, destination.transport))
        copy.prepend('Record-Route', rr);
    }
    // 8. "Add a Via header field value" with a branch that allows loop detection.
    copy.pushVia(
      new Via({
        transport: destination.transport,
        host: self.host,
        port: self.port,
        params: new Map([['branch', proxyBranch(pr.loopHash, copyNumber)]]),
      }),
    );
    return { copy, destination };
  }

  private forwardBranch(rc: ResponseContext, target: ForwardTarget, index: number): void {
    const branch: ProxyBranch = {
      target,
      request: rc.request.request,
      provisional: false,
      cancelRequested: false,
      cancelSent: false,
    };
    rc.branches.push(branch);
    let built: { copy: SipRequest; destination: Destination };
    try {
      built = this.buildCopy(rc.request, target, index);
    } catch (err) {
      // §16.9 / §16.5: no usable next hop -> as if the branch got an error response.
      const status = err instanceof SipResolveError ? err.statusCode : 503;
      this.onBranchResponse(rc, branch, createResponse(rc.request.received, status), true);
      return;
    }
    branch.request = built.copy;
    branch.destination = built.destination;
    branch.tx = this.stack.sendRequest(built.copy, built.destination, {
      receiveResponse: (response) => this.onBranchResponse(rc, branch, response, false),
      // §16.7 step... : a transaction timeout counts as a 408 from that branch.
      onRequestTimeout: () =>
        this.onBranchResponse(rc, branch, createResponse(built.copy, 408), false),
      // §16.9: "the proxy MUST behave as if the forwarded request received a 503".
      onTransportError: () =>
        this.onBranchResponse(rc, branch, createResponse(built.copy, 503), false),
    });
    if (built.copy.method === 'INVITE') this.startTimerC(rc, branch);
    if (target.noAnswer) this.startNoAnswerTimer(rc, branch, target.noAnswer);
  }

  /** ForwardTarget.noAnswer: no response at all in time -> drop the branch as a 408. */
  private startNoAnswerTimer(
    rc: ResponseContext,
    branch: ProxyBranch,
    noAnswer: NonNullable<ForwardTarget['noAnswer']>,
  ): void {
    branch.noAnswerTimer = this.stack.clock.setTimeout(() => {
      branch.noAnswerTimer = undefined;
      if (branch.final || branch.provisional || noAnswer.answered?.()) return;
      branch.tx?.dispose();
      this.stopTimerC(branch);
      this.onBranchResponse(rc, branch, createResponse(branch.request, 408), false);
    }, noAnswer.timeoutMs);
  }

  private stopNoAnswerTimer(branch: ProxyBranch): void {
    if (branch.noAnswerTimer !== undefined) this.stack.clock.clearTimeout(branch.noAnswerTimer);
    branch.noAnswerTimer = undefined;
  }

  /**
   * Timer C, RFC 3261 §16.6 step 11 / §16.8: "If timer C should fire, the proxy MUST either
   * reset the timer with any value it chooses, or terminate the client transaction. If the
   * client transaction has received a provisional response, the proxy MUST generate a CANCEL
   * request matching that transaction. If the client transaction has not received a
   * provisional response, the proxy MUST behave as if the transaction received a 408".
   */
  private startTimerC(rc: ResponseContext, branch: ProxyBranch): void {
    if (branch.timerC !== undefined) this.stack.clock.clearTimeout(branch.timerC);
    branch.timerC = this.stack.clock.setTimeout(() => {
      branch.timerC = undefined;
      if (branch.final) return;
      try {
        if (branch.provisional) {
          this.cancelBranch(rc, branch);
        } else {
          branch.tx?.dispose();
          this.onBranchResponse(rc, branch, createResponse(branch.request, 408), false);
        }
      } catch (err) {
        this.options.onError?.(
          err instanceof Error ? err : new Error(String(err)),
          rc.request.received,
        );
      }
    }, this.stack.transactions.settings.timerC);
  }

  private stopTimerC(branch: ProxyBranch): void {
    if (branch.timerC !== undefined) this.stack.clock.clearTimeout(branch.timerC);
    branch.timerC = undefined;
  }

  /** RFC 3261 §16.7: processing one response of one branch. */
  private onBranchResponse(
    rc: ResponseContext,
    branch: ProxyBranch,
    response: SipResponse,
    local: boolean,
  ): void {
    const status = response.status;
    this.stopNoAnswerTimer(branch);
    if (branch.final) {
      // A retransmitted (or further) 2xx passed up by the client transaction in Accepted
      // (RFC 6026): forward it too, the UAC ACKs end to end.
      if (status >= 200 && status < 300 && branch.final.status < 300)
        this.forwardUpstream(rc, response, local);
      return;
    }
    if (status < 200) {
      branch.provisional = true;
      // "the proxy MUST reset timer C [...] on receipt of a provisional response (101-199)"
      if (status > 100 && branch.request.method === 'INVITE') this.startTimerC(rc, branch);
      if (branch.cancelRequested && !branch.cancelSent) this.sendCancel(rc, branch);
      // Step 5: "any provisional response other than 100 (Trying) [...] MUST be forwarded".
      if (status > 100 && !rc.finalForwarded) this.forwardUpstream(rc, response, local);
      return;
    }
    branch.final = response;
    this.stopTimerC(branch);
    this.stopCancelTimer(branch);
    if (status < 300) {
      // Step 5: "any 2xx response to an INVITE request [...] MUST be forwarded immediately".
      this.forwardUpstream(rc, response, local);
      rc.finalForwarded = true;
      // §16.7 step 10: "If a final response has been sent [...] the proxy [...] SHOULD
      // generate CANCEL requests for all pending client transactions" (INVITE only).
      if (branch.request.method === 'INVITE') this.cancelPending(rc);
      return;
    }
    rc.responses.push(response);
    // "If a 6xx response is received, it is not immediately forwarded, but the stateful
    // proxy SHOULD cancel all client pending transactions".
    if (status >= 600 && branch.request.method === 'INVITE') this.cancelPending(rc);
    this.checkComplete(rc);
  }

  /**
   * Every branch has a final response and none was a 2xx: consult the processors'
   * onBranchesFailed hooks (RFC 3261 §16.7 step 4, targets added after branches failed),
   * else step 6, the best response goes upstream.
   */
  private checkComplete(rc: ResponseContext): void {
    if (rc.finalForwarded || rc.adding || rc.recursing) return;
    if (!rc.branches.every((b) => b.final)) return;
    const pr = rc.request;
    if (pr.branchesFailedHooks.length === 0 || pr.cancelled || pr.responded) {
      this.sendBestResponse(rc);
      return;
    }
    void this.recurse(rc);
  }

  private async recurse(rc: ResponseContext): Promise<void> {
    const pr = rc.request;
    const best = selectBestResponse(rc.responses);
    const failed: FailedBranch[] = [];
    for (const b of rc.branches) {
      if (b.reported || !b.final) continue;
      b.reported = true;
      failed.push({ target: b.target, response: b.final, provisional: b.provisional });
    }
    let targets: ForwardTarget[] = [];
    rc.recursing = true;
    try {
      if (best) {
        for (const hook of pr.branchesFailedHooks) {
          const next = await hook(best, failed);
          if (pr.responded) break;
          if (next && next.length > 0) {
            targets = next;
            break;
          }
        }
      }
    } catch (err) {
      this.options.onError?.(err instanceof Error ? err : new Error(String(err)), pr.received);
      targets = [];
    } finally {
      rc.recursing = false;
    }
    if (pr.responded) {
      rc.finalForwarded = true;
      return;
    }
    if (
      targets.length === 0 ||
      pr.cancelled ||
      rc.transaction.hasFinalResponse ||
      rc.transaction.state === TransactionState.Terminated
    ) {
      this.sendBestResponse(rc);
      return;
    }
    this.forkTo(rc, targets);
  }

  /** Step 6–7: choose, aggregate challenges, and forward the best final response. */
  private sendBestResponse(rc: ResponseContext): void {
    const best = selectBestResponse(rc.responses);
    if (!best) return;
    rc.finalForwarded = true;
    let chosen = aggregateChallenges(best, rc.responses);
    if (chosen.status === 503) {
      // §16.7 step 6: "If the selected response is a 503 [...] the proxy [...] SHOULD
      // generate a 500 (Server Internal Error) response" (503 would mean the proxy itself
      // is unavailable).
      chosen = createResponse(rc.request.received, 500, 'Server Internal Error');
      this.respondUpstream(rc, chosen);
      return;
    }
    this.forwardUpstream(rc, chosen, false);
  }

  /** §16.7 step 3: "The proxy removes the topmost Via header field value from the response." */
  private forwardUpstream(rc: ResponseContext, response: SipResponse, local: boolean): void {
    const upstream = response.clone();
    if (!local) {
      upstream.removeFirst('Via');
      if (!upstream.has('Via')) return; // the response was for this element itself
    }
    this.respondUpstream(rc, upstream);
  }

  /**
   * Passes a response upstream through the response processors, in the order responses
   * arrive: at once (synchronously, while the processors return no promise) when nothing is
   * queued, else after what is queued.
   */
  private respondUpstream(rc: ResponseContext, response: SipResponse): void {
    let pending: void | Promise<void>;
    if (rc.queue === undefined) {
      try {
        pending = this.deliverUpstream(rc, response, 0);
      } catch (err) {
        this.options.onError?.(err as Error, rc.request.received);
        return;
      }
      if (pending === undefined) return;
    } else {
      pending = rc.queue.then(() => this.deliverUpstream(rc, response, 0));
    }
    const queued: Promise<void> = pending
      .catch((err: Error) => this.options.onError?.(err, rc.request.received))
      .then(() => {
        if (rc.queue === queued) rc.queue = undefined;
      });
    rc.queue = queued;
  }

  /** Response processors from `index` on, then the send; a promise only if one is async. */
  private deliverUpstream(
    rc: ResponseContext,
    response: SipResponse,
    index: number,
  ): void | Promise<void> {
    for (let i = index; i < this.responseProcessors.length; i++) {
      const done = this.responseProcessors[i](response, rc.request) as Promise<void> | undefined;
      if (done !== undefined && typeof done.then === 'function')
        return done.then(() => this.deliverUpstream(rc, response, i + 1));
    }
    const tx = rc.transaction;
    const is2xx = response.status >= 200 && response.status < 300;
    if (tx.state === TransactionState.Terminated) {
      // The server transaction is gone: a 2xx still goes upstream by its Via.
      if (is2xx) return this.stack.transportLayer.sendResponseByVia(response);
    } else {
      tx.respond(response); // the transaction ignores what its state does not allow
    }
  }

  /** Cancels every branch still waiting for a final response. */
  private cancelPending(rc: ResponseContext): void {
    for (const b of rc.branches) if (!b.final) this.cancelBranch(rc, b);
  }

  /**
   * RFC 3261 §9.1: "If no provisional response has been received, the CANCEL request MUST NOT
   * be sent; rather, the client MUST wait for the arrival of a provisional response before
   * sending the request."
   */
  private cancelBranch(rc: ResponseContext, branch: ProxyBranch): void {
    if (branch.request.method !== 'INVITE' || branch.final || !branch.tx) return;
    branch.cancelRequested = true;
    if (branch.provisional && !branch.cancelSent) this.sendCancel(rc, branch);
  }

  /**
   * Sends the CANCEL of a branch. RFC 3261 §9.1: "If there is no final response for the
   * original request in 64*T1 seconds [...], the client SHOULD then consider the original
   * transaction cancelled and SHOULD destroy the client transaction handling the original
   * request." A downstream element that already sent its 2xx (lost on the way, RFC 3261
   * §13.3.1.4 retransmissions included) answers the CANCEL but never the INVITE again: without
   * this the branch, its response context and both transactions would wait forever (timer C
   * only sends the CANCEL, §16.8) and the caller would get no final response. The branch
   * then counts as a 487 when the request was cancelled from upstream, else as a 408.
   */
  private sendCancel(rc: ResponseContext, branch: ProxyBranch): void {
    if (!branch.tx || branch.final) return;
    branch.cancelSent = true;
    const cancel = buildCancel(branch.tx.request);
    this.stack.sendRequest(cancel, branch.tx.sent?.destination ?? branch.destination!, {});
    this.stopCancelTimer(branch);
    branch.cancelTimer = this.stack.clock.setTimeout(() => {
      branch.cancelTimer = undefined;
      if (branch.final) return;
      branch.tx?.dispose();
      this.stopTimerC(branch);
      const status = rc.request.cancelled ? 487 : 408;
      this.onBranchResponse(rc, branch, createResponse(branch.request, status), false);
    }, 64 * this.stack.transactions.settings.T1);
  }

  private stopCancelTimer(branch: ProxyBranch): void {
    if (branch.cancelTimer !== undefined) this.stack.clock.clearTimeout(branch.cancelTimer);
    branch.cancelTimer = undefined;
  }

  /**
   * CANCEL, RFC 3261 §16.10: "If a matching response context is found, the element MUST
   * immediately return a 200 (OK) response to the CANCEL request. [...] the element MUST
   * generate CANCEL requests for all pending client transactions in the context".
   * Without a matching INVITE this element answers 481 (it does not forward the CANCEL
   * statelessly as §16.10 allows).
   */
  private onCancel(cancel: SipRequest, tx: ServerTransaction): void {
    const invite = this.stack.transactions.findInviteServerTransactionForCancel(cancel);
    const rc = invite ? this.contexts.get(invite) : undefined;
    if (!invite || !rc) {
      tx.respond(
        createResponse(cancel, 481, undefined, { toTag: cancel.to().tag ? undefined : 'cancel' }),
      );
      return;
    }
    tx.respond(createResponse(cancel, 200, undefined, { toTag: invite.lastResponse?.to().tag }));
    rc.request.cancelled = true;
    this.cancelPending(rc);
  }

  /** ACK to a 2xx (no transaction): forwarded statelessly (RFC 3261 §16.11 branch rules). */
  private async forwardStateless(pr: ProxyRequest, target: ForwardTarget): Promise<void> {
    const { copy, destination } = this.buildCopy(pr, target, 0);
    await this.stack.transportLayer.sendRequest(copy, destination);
  }

  /**
   * A response without client transaction (a retransmitted 2xx after the INVITE client
   * transaction ended): pop our Via and forward by the next one (RFC 3261 §16.7, §18.2.2).
   */
  private onStrayResponse(response: SipResponse): void {
    const via = response.topVia();
    if (!this.stack.transportLayer.isLocalAddress(stripBrackets(via.host), via.port)) return;
    if (response.status < 200 || response.status >= 300 || response.cseq().method !== 'INVITE')
      return;
    const upstream = response.clone();
    upstream.removeFirst('Via');
    if (!upstream.has('Via')) return;
    this.stack.transportLayer
      .sendResponseByVia(upstream)
      .catch((err: Error) => this.options.onError?.(err, undefined as never));
  }

  private release(rc: ResponseContext): void {
    if (this.contexts.get(rc.transaction) === rc) this.contexts.delete(rc.transaction);
    // A branch's cancel timer keeps running: it still has to destroy a client transaction
    // that never gets its final response (§9.1), e.g. a branch cancelled because another
    // one answered, after the server transaction's Timer L ended the context.
    for (const b of rc.branches) {
      this.stopTimerC(b);
      this.stopNoAnswerTimer(b);
    }
  }
}

/**
 * This proxy's Record-Route values for a request that arrived over `inbound` and leaves over
 * `outbound`, in the order to prepend them. A TCP side carries `transport=tcp` (a bare IP
 * URI means UDP, RFC 3263 §4.1), so in-dialog requests from either side reach this proxy
 * over the transport that side uses. When the two sides differ, two values (RFC 5658
 * "double Record-Routing"): the inbound side's first, then the outbound side's on top, the
 * one the next hop reads first; route preprocessing removes both (`preprocessRouteInformation`).
 */
export function recordRouteValues(
  self: { host: string; port: number },
  inbound: TransportProtocol,
  outbound: TransportProtocol,
): string[] {
  const value = (transport: TransportProtocol): string =>
    `<sip:${formatHost(self.host)}:${self.port}${transport === 'TCP' ? ';transport=tcp' : ''};lr>`;
  return inbound === outbound ? [value(outbound)] : [value(inbound), value(outbound)];
}
