import { FactoryProvider, Logger } from '@nestjs/common';
import { cscfOverload, ImsHosts } from '@lib/ims';
import { SipStack } from '@lib/sip';
import { SCSCF_CONFIG, ScscfConfig } from '../config';

export const SIP_STACK = Symbol('SIP_STACK');

/**
 * The S-CSCF's SIP stack (UDP and TCP on SCSCF_SIP_HOST:SCSCF_SIP_PORT, names resolved
 * through IMS_HOSTS). Built here, started by SipDispatcher.onModuleInit, stopped in
 * onApplicationShutdown (STYLE.md "Nest apps").
 */
export const sipStackProvider: FactoryProvider<SipStack> = {
  provide: SIP_STACK,
  inject: [SCSCF_CONFIG],
  useFactory: (config: ScscfConfig) => {
    const logger = new Logger('SipStack');
    return new SipStack({
      host: config.sipHost,
      port: config.sipPort,
      hostMap: new ImsHosts(config.domain, config.hosts).toStackHostMap(),
      onError: (err) => logger.warn(err.message),
      overload: cscfOverload(config), // load shedding, docs/reliability.md
    });
  },
};
