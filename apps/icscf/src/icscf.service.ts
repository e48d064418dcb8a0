import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { FailureExplainer, HssClient, ImsHosts, installSipTrace } from '@lib/ims';
import { ProxyCore, SipStack } from '@lib/sip';
import type { IcscfConfig } from './config';
import { LocationQueryProcessor } from './location';
import { RegisterProcessor } from './registration';
import { SerialForwarder } from './routing';
import { ICSCF_CONFIG } from './icscf.tokens';

/**
 * The I-CSCF (TS 24.229 §5.3): a stateful SIP proxy (RFC 3261 §16) whose processors query
 * the HSS over Cx. Starts the Cx client and the SIP stack in onModuleInit, stops both in
 * onApplicationShutdown.
 */
@Injectable()
export class IcscfService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('I-CSCF');
  readonly proxy: ProxyCore;

  constructor(
    @Inject(ICSCF_CONFIG) readonly config: IcscfConfig,
    readonly stack: SipStack,
    readonly hss: HssClient,
    readonly hosts: ImsHosts,
  ) {
    const explainer = new FailureExplainer(config.name, config.explainFailures);
    this.proxy = new ProxyCore(stack, {
      recordRoute: false,
      isOwnUri: (uri) =>
        uri.host.toLowerCase() === config.name.toLowerCase() &&
        (uri.port ?? 5060) === (config.sipPort || stack.port),
      processors: [
        new RegisterProcessor({
          hss,
          hosts,
          explainer,
          forwarder: new SerialForwarder(stack),
          scscfs: config.scscfs,
          coreTransport: config.coreTransport,
          domain: config.domain,
          retryAfter: config.retryAfter,
          logger: this.logger,
        }),
        new LocationQueryProcessor({
          hss,
          hosts,
          explainer,
          scscfs: config.scscfs,
          coreTransport: config.coreTransport,
          domain: config.domain,
          retryAfter: config.retryAfter,
          logger: this.logger,
        }),
      ],
      onError: (err, req) =>
        this.logger.error(`${req?.method ?? 'message'} processing failed: ${err.message}`),
    });
    this.hss.on('warning', (m) => this.logger.warn(m));
    this.hss.on('up', (host) => this.logger.log(`Cx connection to the HSS up (${host ?? '?'})`));
    this.hss.on('down', (reason) => this.logger.warn(`Cx connection to the HSS down: ${reason}`));
  }

  async onModuleInit(): Promise<void> {
    if (this.config.sipTrace) installSipTrace(this.stack, this.logger);
    this.proxy.attach();
    await this.stack.start();
    this.hss.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.hss.close().catch(() => undefined);
    await this.stack.stop();
  }
}
