import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { FailureExplainer, ImsHosts, installSipTrace } from '@lib/ims';
import { ProxyCore, SipStack, SipUri, type ProxyRequest } from '@lib/sip';
import type { PcscfConfig } from './config';
import { FlowTable } from './flows';
import type { PcscfRuntime } from './pcscf-runtime';
import { PCSCF_CONFIG, PCSCF_RUNTIME } from './pcscf.tokens';
import {
  LocalRequestProcessor,
  OriginatingProcessor,
  RegisterProcessor,
  TerminatingProcessor,
  registerResponseProcessor,
  type PcscfContext,
} from './processors';
import { RegEventSubscriber } from './reg-event';
import { RegistrationStore } from './registration';

/**
 * The P-CSCF (TS 24.229 §5.2): the UE's first contact, a stateful SIP proxy (RFC 3261 §16)
 * on UDP and TCP. Processors in order: local requests (its own reg-event NOTIFYs), requests
 * towards UEs (Path flow token / registered Contact), REGISTER (Path, charging, I-CSCF), and
 * other requests from registered UEs (asserted identity, Service-Route).
 */
@Injectable()
export class PcscfService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('P-CSCF');
  readonly proxy: ProxyCore;
  readonly registrations: RegistrationStore;
  readonly subscriber: RegEventSubscriber;
  readonly originating: OriginatingProcessor;

  constructor(
    @Inject(PCSCF_CONFIG) readonly config: PcscfConfig,
    @Inject(PCSCF_RUNTIME) runtime: PcscfRuntime,
    readonly stack: SipStack,
    readonly hosts: ImsHosts,
  ) {
    const now = runtime.now ?? Date.now;
    this.registrations = new RegistrationStore(now);
    const ctx: PcscfContext = {
      config,
      stack,
      hosts,
      flows: new FlowTable(),
      registrations: this.registrations,
      explainer: new FailureExplainer(config.name, config.explainFailures),
      logger: this.logger,
    };
    this.subscriber = new RegEventSubscriber(ctx);
    this.originating = new OriginatingProcessor(ctx);
    const isOwnUri = (uri: SipUri) =>
      uri.host.toLowerCase() === config.name.toLowerCase() && (uri.port ?? 5060) === stack.port;
    this.proxy = new ProxyCore(stack, {
      isOwnUri,
      // sec-agree passes §16.3 validation so that the REGISTER processor can answer 420 with
      // a Warning that says why (RFC 3329 §2.3.1).
      supported: ['sec-agree'],
      processors: [
        new LocalRequestProcessor(this.subscriber, (pr: ProxyRequest) => {
          const uri = pr.request.requestUri();
          return uri instanceof SipUri && this.proxy.isOwnUri(uri);
        }),
        new TerminatingProcessor(ctx),
        new RegisterProcessor(ctx),
        this.originating,
      ],
      responseProcessors: [registerResponseProcessor(ctx, this.subscriber, now)],
      onError: (err, req) =>
        this.logger.error(`${req?.method ?? 'message'} processing failed: ${err.message}`),
    });
  }

  async onModuleInit(): Promise<void> {
    if (this.config.sipTrace) installSipTrace(this.stack, this.logger);
    this.proxy.attach();
    await this.stack.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stack.stop();
  }
}
