/**
 * Session routing at the S-CSCF (TS 24.229 §5.4.3, TS 23.218 §6): the S-CSCF proxies every
 * request other than REGISTER and reg-event SUBSCRIBE (RFC 3261 §16 stateful proxy):
 *
 * - originating (the received top Route is the `orig` entry of our Service-Route,
 *   TS 24.229 §5.4.3.2): served user from P-Asserted-Identity, originating iFCs, then the
 *   callee's home (its I-CSCF, ENUM translation, breakout) — see home-route.ts;
 * - terminating (a Request-URI served here, TS 24.229 §5.4.3.3): terminating iFCs
 *   (registered or unregistered), then every registered contact in parallel over its Path;
 * - ISC (TS 24.229 §5.4.3.2 step 4, §5.4.3.3 step 4): a matching iFC sends the request to its
 *   AS with a Route back to us carrying an original dialog identifier (odi-store.ts); when it
 *   comes back the next iFC runs; an AS that does not answer gets its DefaultHandling;
 * - in-dialog requests follow their Route set (we Record-Route, RFC 3261 §16.6 step 4).
 */
import type { Logger } from '@nestjs/common';
import { ServerAssignmentType } from '@lib/diameter';
import {
  coreTransportParam,
  FAILURE_CAUSES,
  FailureCause,
  HssUnavailableError,
  IfcError,
  matchIfcs,
  parseImsSubscription,
  type FailureExplainer,
  type HssClient,
  type IfcRequestView,
  type InitialFilterCriteria,
} from '@lib/ims';
import {
  formatHost,
  SipUri,
  TelUri,
  type FailedBranch,
  type ForwardTarget,
  type ProcessorResult,
  type ProxyProcessor,
  type ProxyRequest,
  type SipRequest,
  type SipStack,
  type Uri,
} from '@lib/sip';
import type { ScscfConfig } from '../config';
import { cxFailureCause, cxResultText } from '../cx/cx-failure';
import type { RegistrationStore } from '../registration/registration-store';
import { impuKey, implicitSetOf, sameImpu } from '../registration/user-profile';
import { looseRoute, routeToHome } from './home-route';
import { OdiStore, type OdiEntry, type ServiceState } from './odi-store';

/** ProxyRequest.data: the served user's IMPU key (dialog owner). */
export const SERVED_USER = 'scscf/served-user';
/** ProxyRequest.data: the default-handling hook is registered. */
const HOOKED = 'scscf/as-hook';

export interface SessionRouterDeps {
  config: ScscfConfig;
  stack: SipStack;
  hss: HssClient;
  failures: FailureExplainer;
  store: RegistrationStore;
  logger: Logger;
  /** Whether a URI names this S-CSCF (its address, its Server-Name host). */
  isOwnUri(uri: SipUri): boolean;
}

/** An ISC target's label: which original dialog identifier it carries. */
interface IscLabel {
  odi: OdiEntry;
}

export class SessionRouter implements ProxyProcessor {
  readonly name = 'scscf-session-routing';
  readonly odis = new OdiStore();

  constructor(private readonly deps: SessionRouterDeps) {}

  async process(pr: ProxyRequest): Promise<ProcessorResult> {
    const req = pr.request;
    if (req.to().tag !== undefined || pr.method === 'ACK') {
      // RFC 3261 §16.4: in-dialog requests follow the route set; both of our Record-Route
      // entries (originating and terminating legs through one S-CSCF) are ours to remove.
      this.popOwnRoutes(req);
      return 'continue';
    }
    const own = this.ownTopRoute(pr.received);
    if (own?.user === 'orig') return this.originating(pr);
    if (own?.user?.startsWith('odi-')) {
      return this.continueAfterAs(pr, this.odis.get(own.user));
    }
    // A route set pre-loaded by someone else: plain loose routing.
    if (req.routes().length > 0) return 'continue';
    return this.terminating(pr);
  }

  // ----- originating ---------------------------------------------------------------------

  /**
   * TS 24.229 §5.4.3.2: "the S-CSCF shall determine the served user [...] from the
   * P-Asserted-Identity"; it must be registered here (the request came over our
   * Service-Route).
   */
  private async originating(pr: ProxyRequest): Promise<ProcessorResult> {
    const asserted = safe(() => pr.request.pAssertedIdentities()) ?? [];
    for (const id of asserted) {
      const record = this.deps.store.find(id.uri);
      if (!record || record.bindings.length === 0) continue;
      const profile = profileOf(record.subscription, id.uri) ?? record.serviceProfile;
      pr.data.set(SERVED_USER, impuKey(id.uri));
      return this.apply(pr, {
        sessionCase: 'originating',
        servedUser: id.uri,
        profile,
        lastPriority: -Infinity,
      });
    }
    this.reject(pr, FailureCause.ServedUserNotRegistered, {
      detail:
        asserted.length === 0
          ? `${pr.method} over the Service-Route without P-Asserted-Identity`
          : asserted.map((a) => a.uri).join(', '),
    });
    return 'stop';
  }

  // ----- terminating ---------------------------------------------------------------------

  /**
   * TS 24.229 §5.4.3.3: a request for a user served here: registered (terminating-registered
   * iFCs, then the contacts) or, when the HSS sent it here for unregistered services
   * (LIR DIAMETER_UNREGISTERED_SERVICE), SAR UNREGISTERED_USER to download the profile and
   * the terminating-unregistered iFCs. Other Request-URIs are forwarded (RFC 3261 §16.5).
   */
  private async terminating(pr: ProxyRequest): Promise<ProcessorResult> {
    const req = pr.request;
    const uri = safe(() => req.requestUri());
    if (!uri) return 'continue';
    const record = this.deps.store.find(req.uri);
    if (record && record.bindings.length > 0) {
      pr.data.set(SERVED_USER, impuKey(req.uri));
      return this.apply(pr, {
        sessionCase: 'terminating-registered',
        servedUser: req.uri,
        profile: profileOf(record.subscription, req.uri) ?? record.serviceProfile,
        lastPriority: -Infinity,
        targetUri: req.uri,
      });
    }
    const impu = this.homeIdentity(uri);
    if (impu === undefined) return 'continue';
    return this.terminatingUnregistered(pr, impu);
  }

  private async terminatingUnregistered(pr: ProxyRequest, impu: string): Promise<ProcessorResult> {
    const { config, hss, logger } = this.deps;
    let saa;
    try {
      saa = await hss.sar({
        publicIdentities: [impu],
        serverName: config.name,
        serverAssignmentType: ServerAssignmentType.UNREGISTERED_USER,
        userDataAlreadyAvailable: 0,
      });
    } catch (err) {
      const down = err instanceof HssUnavailableError;
      logger.warn(`SAR UNREGISTERED_USER for ${impu}: ${(err as Error).message}`);
      this.reject(pr, down ? FailureCause.HssUnreachable : FailureCause.HssError, {
        detail: (err as Error).message,
        headers: down ? [['Retry-After', String(config.retryAfter)]] : [],
      });
      return 'stop';
    }
    const failed = cxFailureCause(saa);
    if (failed === FailureCause.UnknownUser) {
      this.reject(pr, FailureCause.UnknownUser, { status: 404, detail: impu });
      return 'stop';
    }
    if (failed === FailureCause.HssUnreachable) {
      // A transient Cx failure (DIAMETER_TOO_BUSY 3004 from a shedding HSS, RFC 6733
      // §7.1.3/§7.1.4): as for a timeout, the HSS cannot be asked now; 480 with Retry-After.
      this.reject(pr, FailureCause.HssUnreachable, {
        detail: `${impu}: SAR UNREGISTERED_USER ${cxResultText(saa)}`,
        headers: [['Retry-After', String(config.retryAfter)]],
      });
      return 'stop';
    }
    if (failed || !saa.userData) {
      this.reject(pr, FailureCause.CalleeNotReachable, {
        detail: `${impu}: SAR UNREGISTERED_USER ${cxResultText(saa)}`,
      });
      return 'stop';
    }
    let profile;
    try {
      profile = profileOf(parseImsSubscription(saa.userData), impu);
    } catch (err) {
      this.reject(pr, FailureCause.HssError, { detail: (err as Error).message });
      return 'stop';
    }
    if (!profile) {
      this.reject(pr, FailureCause.HssError, { detail: `the user data lacks ${impu}` });
      return 'stop';
    }
    pr.data.set(SERVED_USER, impuKey(impu));
    return this.apply(pr, {
      sessionCase: 'terminating-unregistered',
      servedUser: impu,
      profile,
      lastPriority: -Infinity,
      targetUri: pr.request.uri,
    });
  }

  /** A Request-URI of our home domain (a SIP URI with a user part, or a tel URI). */
  private homeIdentity(uri: Uri): string | undefined {
    if (uri instanceof TelUri) return `tel:${uri.digits}`;
    if (!(uri instanceof SipUri) || uri.user === undefined) return undefined;
    if (uri.host.toLowerCase() !== this.deps.config.domain.toLowerCase()) return undefined;
    const bare = uri.clone();
    bare.params.clear();
    bare.headers.clear();
    bare.port = undefined;
    return bare.toString();
  }

  // ----- ISC and the final route ----------------------------------------------------------

  /** Runs the service logic from `state` and adds the resulting targets to the request. */
  private async apply(pr: ProxyRequest, state: ServiceState): Promise<ProcessorResult> {
    const targets = await this.route(pr, state);
    if (!targets) return 'stop';
    for (const t of targets) pr.addForwardTarget(t);
    return 'continue';
  }

  /**
   * The next hop(s) of the request from `state`: the AS of the next matching iFC (TS 24.229
   * §5.4.3.2 step 4: "check whether the request matches the initial filter criteria [...]
   * in the order of priority"), else the final route. Undefined when the request was
   * answered instead.
   */
  private async route(pr: ProxyRequest, state: ServiceState): Promise<ForwardTarget[] | undefined> {
    let ifc: InitialFilterCriteria | undefined;
    try {
      ifc = matchIfcs(state.profile, this.view(pr.request, state)).find(
        (i) => i.priority > state.lastPriority,
      );
    } catch (err) {
      if (!(err instanceof IfcError)) throw err;
      this.reject(pr, FailureCause.ServiceProfileError, { detail: err.message });
      return undefined;
    }
    if (ifc) return [this.toApplicationServer(pr, state, ifc)];
    return this.finalRoute(pr, state);
  }

  /**
   * ISC, TS 24.229 §5.4.3.2 step 4 / §5.4.3.3 step 4: "insert the AS URI to be contacted
   * into the Route header field as the topmost entry followed by its own URI populated as
   * specified in the subclause 5.4.3.4" (the original dialog identifier). The branch has a
   * no-answer timeout (SCSCF_AS_TIMEOUT_MS) for DefaultHandling.
   */
  private toApplicationServer(
    pr: ProxyRequest,
    state: ServiceState,
    ifc: InitialFilterCriteria,
  ): ForwardTarget {
    const odi = this.odis.create(state, ifc);
    this.hookDefaultHandling(pr);
    const as = ifc.applicationServer.serverName;
    this.deps.logger.log(
      `${pr.method} ${state.sessionCase} ${state.servedUser}: iFC ${ifc.priority} -> AS ${as}`,
    );
    const label: IscLabel = { odi };
    return {
      // The ODI Route names no transport: the AS is not a CSCF (IMS_CORE_TRANSPORT is Mw's).
      routes: [looseRoute(as), `<sip:${odi.token}@${this.ownHostPort()};lr>`],
      noAnswer: { timeoutMs: this.deps.config.asTimeoutMs, answered: () => odi.returned },
      label,
    };
  }

  /**
   * TS 24.229 §5.4.3.2 / §5.4.3.3 (and TS 29.228 Annex B DefaultHandling): "If the S-CSCF
   * fails to receive any response to the request, or receives a 408 (Request Timeout)
   * response or a 5xx response before receiving any provisional response" from the AS:
   * SESSION_CONTINUED - "continue with the next iFC" (as if the AS had sent the request back);
   * SESSION_TERMINATED - the request fails upstream.
   */
  private hookDefaultHandling(pr: ProxyRequest): void {
    if (pr.data.has(HOOKED)) return;
    pr.data.set(HOOKED, true);
    pr.onBranchesFailed(async (_best, failed) => {
      const as = failed.find((f) => isIscLabel(f.target.label));
      if (!as || !this.asDidNotAnswer(as)) return undefined;
      const { odi } = as.target.label as IscLabel;
      if (odi.returned) return undefined; // the failure came from further downstream
      odi.abandoned = true;
      const server = odi.ifc.applicationServer;
      const status = as.response.status;
      if (server.defaultHandling === 'session-terminated') {
        this.deps.logger.warn(
          `AS ${server.serverName} failed (${status}) for ${odi.state.servedUser}: SESSION_TERMINATED`,
        );
        this.reject(pr, FailureCause.ApplicationServerFailed, {
          status: status === 408 ? 408 : 500,
          detail: `${server.serverName} ${status === 408 ? 'did not answer' : `answered ${status}`}`,
        });
        return undefined;
      }
      this.deps.logger.warn(
        `AS ${server.serverName} failed (${status}) for ${odi.state.servedUser}: SESSION_CONTINUED`,
      );
      return this.route(pr, odi.state);
    });
  }

  private asDidNotAnswer(f: FailedBranch): boolean {
    const s = f.response.status;
    return !f.provisional && (s === 408 || (s >= 500 && s < 600));
  }

  /** The request came back from an AS (TS 24.229 §5.4.3.2 step 3: ODI recognised). */
  private async continueAfterAs(
    pr: ProxyRequest,
    entry: OdiEntry | undefined,
  ): Promise<ProcessorResult> {
    if (!entry || entry.abandoned) {
      this.reject(pr, FailureCause.UnknownDialogIdentifier, {
        detail: entry ? 'the AS answered after its DefaultHandling applied' : undefined,
      });
      return 'stop';
    }
    entry.returned = true;
    pr.data.set(SERVED_USER, impuKey(entry.state.servedUser));
    return this.apply(pr, entry.state);
  }

  /** After the last iFC: towards the callee's home (originating) or its contacts (terminating). */
  private async finalRoute(
    pr: ProxyRequest,
    state: ServiceState,
  ): Promise<ForwardTarget[] | undefined> {
    const req = pr.request;
    // A route set the UE or an AS pre-loaded is followed as it is (RFC 3261 §16.6 step 6).
    if (req.routes().length > 0) return [{}];
    if (state.sessionCase === 'originating' || state.sessionCase === 'originating-unregistered')
      return this.towardsHome(pr);
    // TS 24.229 §5.4.3.3: an AS that changed the Request-URI retargeted the request: it is
    // routed on like an originating one (to the new target's home), without contacts.
    if (state.targetUri && !sameImpu(state.targetUri, req.uri)) return this.towardsHome(pr);
    return this.toContacts(pr, state);
  }

  /** TS 24.229 §5.4.3.2 step 10-11: to the I-CSCF of the callee's home, ENUM, breakout. */
  private towardsHome(pr: ProxyRequest): ForwardTarget[] | undefined {
    const uri = safe(() => pr.request.requestUri());
    if (!uri) {
      this.reject(pr, FailureCause.BadRequest, { status: 416, detail: 'Request-URI unreadable' });
      return undefined;
    }
    const route = routeToHome(uri, this.deps.config);
    switch (route.kind) {
      case 'icscf': {
        const { host, port } = route.icscf;
        try {
          const nextHop = this.deps.stack.resolve(
            `sip:${formatHost(host)}:${port}${coreTransportParam(this.deps.config)}`,
          );
          return [{ uri: route.uri, nextHop }];
        } catch (err) {
          this.reject(pr, FailureCause.NoRoute, {
            detail: `I-CSCF of ${route.domain} (${host}:${port}): ${(err as Error).message}`,
          });
          return undefined;
        }
      }
      case 'breakout':
        return [{ uri: route.uri, routes: [route.route] }];
      case 'forward':
        return [{ uri: route.uri }];
      case 'unknown-number':
        this.reject(pr, FailureCause.NumberNotMapped, { detail: route.number });
        return undefined;
    }
  }

  /**
   * TS 24.229 §5.4.3.3 steps 8-10: the registered contacts of the served user, forked in
   * parallel (RFC 3261 §16.5/§16.6), each with the Request-URI set to the contact and the
   * Path of its registration as Route (RFC 3327 §5.3: "the registrar [...] MUST insert the
   * Path header field values [...] as Route header field values").
   */
  private toContacts(pr: ProxyRequest, state: ServiceState): ForwardTarget[] | undefined {
    const record = this.deps.store.find(state.servedUser);
    const bindings = record?.bindings ?? [];
    if (bindings.length === 0) {
      this.reject(pr, FailureCause.CalleeNotReachable, { detail: state.servedUser });
      return undefined;
    }
    return bindings.map((b) => ({ uri: b.uri, routes: b.path }));
  }

  // ----- helpers --------------------------------------------------------------------------

  /** What iFC evaluation sees of the request (TS 29.228 Annex B.2.2 SPTs). */
  private view(req: SipRequest, state: ServiceState): IfcRequestView {
    const contentType = (req.contentType() ?? '').toLowerCase();
    return {
      method: req.method,
      requestUri: req.uri,
      headers: (name) => req.getAll(name),
      headerNames: () => [...new Set(req.headers.all().map((h) => h.name))],
      sessionCase: state.sessionCase,
      sdpLines:
        contentType.startsWith('application/sdp') && req.body.length > 0
          ? req.body.toString('utf8').split(/\r?\n/)
          : [],
    };
  }

  /** The received top Route when it names this S-CSCF. */
  private ownTopRoute(received: SipRequest): SipUri | undefined {
    const top = safe(() => received.routes()[0]?.parsedUri());
    return top instanceof SipUri && this.deps.isOwnUri(top) ? top : undefined;
  }

  private popOwnRoutes(req: SipRequest): void {
    for (;;) {
      const top = safe(() => req.routes()[0]?.parsedUri());
      if (!(top instanceof SipUri) || !this.deps.isOwnUri(top)) return;
      req.removeFirst('Route');
    }
  }

  /**
   * Host and port of the ODI Route: the address the S-CSCF Record-Routes with (an IP literal,
   * so an application server needs no host map to send the request back).
   */
  private ownHostPort(): string {
    const self = this.deps.stack.transportLayer.sentBy('UDP');
    return `${formatHost(self.host)}:${self.port}`;
  }

  /** Answers with the cause's status (or `status`) and its Warning (FailureExplainer). */
  private reject(
    pr: ProxyRequest,
    cause: FailureCause,
    opts: { status?: number; detail?: string; headers?: [string, string][] } = {},
  ): void {
    const status = opts.status ?? FAILURE_CAUSES[cause].status;
    const response = pr.createResponse(status);
    for (const [name, value] of opts.headers ?? []) response.append(name, value);
    this.deps.failures.apply(response, cause, { status, detail: opts.detail });
    pr.respondWith(response);
  }
}

function isIscLabel(label: unknown): label is IscLabel {
  return typeof label === 'object' && label !== null && 'odi' in label;
}

/** The service profile holding `impu` in the subscription, if any. */
function profileOf(
  subscription: Parameters<typeof implicitSetOf>[0],
  impu: string,
): ReturnType<typeof implicitSetOf>['serviceProfile'] | undefined {
  try {
    return implicitSetOf(subscription, impu).serviceProfile;
  } catch {
    return undefined;
  }
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
