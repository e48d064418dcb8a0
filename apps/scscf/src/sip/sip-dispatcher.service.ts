import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  createResponse,
  generateTag,
  IncomingContext,
  ServerTransaction,
  SipRequest,
  SipStack,
} from '@lib/sip';
import { FailureCause, FailureExplainer, installSipTrace } from '@lib/ims';
import { SCSCF_CONFIG, ScscfConfig } from '../config';
import { RegEventService } from '../reg-event/reg-event.service';
import { RegistrarService } from '../registration/registrar.service';
import { CALL_ROUTER, SipRequestHandler } from './sip-request-handler';
import { FAILURES } from './failure-explainer.provider';
import { SIP_STACK } from './sip-stack.provider';

/** Option tags this S-CSCF understands in Require (RFC 3261 §8.2.2.3). */
const SUPPORTED_OPTIONS = new Set(['path']);

/**
 * The S-CSCF's transaction user: starts the SIP stack and hands each new request to the
 * handler of its method (REGISTER to the registrar, SUBSCRIBE to the reg event package,
 * everything else to the call router hook).
 */
@Injectable()
export class SipDispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SipDispatcher');
  private readonly handlers: Map<string, SipRequestHandler>;

  constructor(
    @Inject(SIP_STACK) private readonly stack: SipStack,
    @Inject(SCSCF_CONFIG) private readonly config: ScscfConfig,
    @Inject(CALL_ROUTER) private readonly callRouter: SipRequestHandler,
    @Inject(FAILURES) private readonly failures: FailureExplainer,
    registrar: RegistrarService,
    regEvent: RegEventService,
  ) {
    this.handlers = new Map<string, SipRequestHandler>([
      ['REGISTER', registrar],
      ['SUBSCRIBE', regEvent],
    ]);
  }

  async onModuleInit(): Promise<void> {
    if (this.config.sipTrace) installSipTrace(this.stack, this.logger);
    this.stack.setHandler({
      onRequest: (request, tx, context) => void this.dispatch(request, tx, context),
    });
    await this.stack.start();
    this.logger.log(
      `SIP listening on ${this.stack.host}:${this.stack.port} (UDP, TCP) as ${this.config.name}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stack.stop();
  }

  private async dispatch(
    request: SipRequest,
    tx: ServerTransaction | undefined,
    context: IncomingContext,
  ): Promise<void> {
    // An ACK for a 2xx has no transaction; the registrar never sends 2xx to INVITE.
    if (!tx) return;
    const handler = this.handlers.get(request.method);
    if (handler && this.refuseExtensions(request, tx)) return;
    await this.run(handler ?? this.callRouter, request, tx, context);
  }

  /**
   * RFC 3261 §8.2.2.3: a Require option this UAS does not understand -> 420 (Bad Extension)
   * listing it in Unsupported. The registrar understands `path` (RFC 3327).
   */
  private refuseExtensions(request: SipRequest, tx: ServerTransaction): boolean {
    let required: string[];
    try {
      required = request.require();
    } catch {
      required = [];
    }
    const unsupported = required.filter((o) => !SUPPORTED_OPTIONS.has(o.toLowerCase()));
    if (unsupported.length === 0) return false;
    const res = this.failures.reject(request, FailureCause.BadRequest, {
      status: 420,
      detail: `option(s) ${unsupported.join(', ')} not supported by this S-CSCF`,
      toTag: generateTag(),
    });
    res.set('Unsupported', unsupported.join(', '));
    tx.respond(res);
    return true;
  }

  private async run(
    handler: SipRequestHandler,
    request: SipRequest,
    tx: ServerTransaction,
    context: IncomingContext,
  ): Promise<void> {
    try {
      await handler.handle(request, tx, context);
    } catch (err) {
      this.logger.error(`${request.method} ${request.uri}: ${(err as Error).stack}`);
      if (!tx.hasFinalResponse) tx.respond(createResponse(request, 500));
    }
  }
}
