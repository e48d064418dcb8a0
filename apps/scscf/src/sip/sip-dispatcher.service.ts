import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  FailureCause,
  FailureExplainer,
  HssClient,
  ImsHosts,
  installSipTrace,
  LogLimiter,
} from '@lib/ims';
import {
  DialogTracker,
  generateTag,
  parseUri,
  ProxyCore,
  SipStack,
  SipUri,
  type ProcessorResult,
  type ProxyProcessor,
  type ProxyRequest,
} from '@lib/sip';
import { SCSCF_CONFIG, ScscfConfig } from '../config';
import { HSS_CLIENT } from '../cx/hss-client.provider';
import { RegEventService } from '../reg-event/reg-event.service';
import { RegistrarService } from '../registration/registrar.service';
import { RegistrationStore } from '../registration/registration-store';
import { impuKey } from '../registration/user-profile';
import { SessionRouter } from '../routing/session-router';
import { FAILURES, scscfHost } from './failure-explainer.provider';
import { SipRequestHandler } from './sip-request-handler';
import { SIP_STACK } from './sip-stack.provider';
import { TrustedPeers } from './trusted-peers';

/** Option tags the registrar and the reg event notifier understand in Require (RFC 3261 §8.2.2.3). */
const SUPPORTED_OPTIONS = new Set(['path']);

/**
 * The S-CSCF's SIP front: a stateful proxy (RFC 3261 §16, ProxyCore) on the S-CSCF's stack.
 * REGISTER goes to the registrar and reg-event SUBSCRIBE to the reg event package (the S-CSCF
 * is their UAS); every other request (INVITE, MESSAGE, BYE, ACK, CANCEL, ...) is proxied by
 * the session router (TS 24.229 §5.4.3) with Record-Route, and the confirmed INVITE dialogs
 * are tracked (DialogTracker) until BYE or the served user's registration ends.
 */
@Injectable()
export class SipDispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SipDispatcher');
  /** Refused REGISTERs logged per source address: the first, then one a minute with a count. */
  private readonly refusals = new LogLimiter();
  readonly proxy: ProxyCore;
  readonly router: SessionRouter;
  /** Who may hand us a REGISTER (SCSCF_TRUSTED_PEERS, TS 24.229 §5.4.1.1). */
  readonly trustedPeers: TrustedPeers;

  constructor(
    @Inject(SIP_STACK) private readonly stack: SipStack,
    @Inject(SCSCF_CONFIG) private readonly config: ScscfConfig,
    @Inject(FAILURES) private readonly failures: FailureExplainer,
    @Inject(HSS_CLIENT) hss: HssClient,
    private readonly store: RegistrationStore,
    private readonly dialogs: DialogTracker,
    registrar: RegistrarService,
    regEvent: RegEventService,
  ) {
    const host = scscfHost(config).toLowerCase();
    this.trustedPeers = new TrustedPeers(
      config.trustedPeers,
      new ImsHosts(config.domain, config.hosts),
    );
    const named = parseUri(config.name);
    const namePort = named instanceof SipUri ? named.port : undefined;
    // Our Routes name SCSCF_NAME's host (Service-Route, ODI, the I-CSCF's Route from the
    // Server-Name); the proxy core adds its own addresses.
    const isOwnUri = (uri: SipUri) =>
      uri.host.toLowerCase() === host &&
      (uri.port === undefined || uri.port === stack.port || uri.port === namePort);
    this.router = new SessionRouter({
      config,
      stack,
      hss,
      failures,
      store,
      logger: new Logger('SessionRouter'),
      isOwnUri: (uri) => this.proxy.isOwnUri(uri),
    });
    this.proxy = new ProxyCore(stack, {
      isOwnUri,
      processors: [this.localRequests(registrar, regEvent), this.router],
      responseProcessors: [dialogs.responseProcessor],
      onError: (err, req) =>
        this.logger.error(`${req?.method ?? 'message'} ${req?.uri ?? ''}: ${err.stack}`),
    });
  }

  async onModuleInit(): Promise<void> {
    if (this.config.sipTrace) installSipTrace(this.stack, this.logger);
    // TS 24.229 §5.4.5.1: the sessions of a user whose registration ended are released here.
    this.store.on('changed', (change) => {
      if (!change.terminated) return;
      const r = change.record;
      for (const impu of [r.registeredImpu, ...r.implicitSet])
        this.dialogs.removeOwner(impuKey(impu));
    });
    this.dialogs.onChange((event, d, count) =>
      this.logger.debug(`dialog ${event} Call-ID ${d.callId} (${count} open)`),
    );
    this.proxy.attach();
    await this.stack.start();
    this.logger.log(
      `SIP listening on ${this.stack.host}:${this.stack.port} (UDP, TCP) as ${this.config.name}; ` +
        `REGISTER accepted from ${this.trustedPeers.toString()}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.router.odis.clear();
    await this.stack.stop();
  }

  /**
   * The requests the S-CSCF answers as a UAS: REGISTER (registrar) and SUBSCRIBE to the reg
   * event package addressed to a user here (RFC 3680; nothing left in the Route set).
   */
  private localRequests(registrar: RegistrarService, regEvent: RegEventService): ProxyProcessor {
    return {
      name: 'scscf-local',
      process: async (pr: ProxyRequest): Promise<ProcessorResult> => {
        let handler: SipRequestHandler | undefined;
        if (pr.method === 'REGISTER') handler = registrar;
        else if (pr.method === 'SUBSCRIBE' && isRegEvent(pr) && pr.request.routes().length === 0)
          handler = regEvent;
        if (!handler || !pr.transaction) return 'continue';
        if (handler === registrar && this.refuseUntrusted(pr)) return 'stop';
        if (this.refuseExtensions(pr)) return 'stop';
        await handler.handle(pr.received, pr.transaction, pr.context);
        return 'stop';
      },
    };
  }

  /**
   * TS 24.229 §5.4.1.1 / TS 33.210: a REGISTER reaches the S-CSCF through the home I-CSCF
   * (or a P-CSCF) of its security domain; from any other hop -> 403 before any Cx request.
   */
  private refuseUntrusted(pr: ProxyRequest): boolean {
    const why = this.trustedPeers.refusal(pr.received, pr.context);
    if (why === undefined) return false;
    // Warn: a misconfigured SCSCF_TRUSTED_PEERS refuses every registration, and the log is
    // where an operator looks (rate-limited, since anybody can send such a REGISTER).
    const more = this.refusals.take(pr.context.source.host);
    if (more !== undefined) this.logger.warn(`403 to ${why}${more}`);
    pr.respondWith(
      this.failures.reject(pr.received, FailureCause.UntrustedPeer, {
        detail: why,
        toTag: generateTag(),
      }),
    );
    return true;
  }

  /**
   * RFC 3261 §8.2.2.3: a Require option this UAS does not understand -> 420 (Bad Extension)
   * listing it in Unsupported. The registrar understands `path` (RFC 3327).
   */
  private refuseExtensions(pr: ProxyRequest): boolean {
    let required: string[];
    try {
      required = pr.received.require();
    } catch {
      required = [];
    }
    const unsupported = required.filter((o) => !SUPPORTED_OPTIONS.has(o.toLowerCase()));
    if (unsupported.length === 0) return false;
    const res = this.failures.reject(pr.received, FailureCause.BadRequest, {
      status: 420,
      detail: `option(s) ${unsupported.join(', ')} not supported by this S-CSCF`,
      toTag: generateTag(),
    });
    res.set('Unsupported', unsupported.join(', '));
    pr.respondWith(res);
    return true;
  }
}

function isRegEvent(pr: ProxyRequest): boolean {
  const event = (pr.request.get('Event') ?? '').split(';')[0].trim().toLowerCase();
  return event === 'reg';
}
