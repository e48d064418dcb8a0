import { FactoryProvider } from '@nestjs/common';
import { HssClient } from '@lib/ims';
import { SCSCF_CONFIG, ScscfConfig } from '../config';

export const HSS_CLIENT = Symbol('HSS_CLIENT');

/**
 * The Cx client towards the HSS (Origin-Host SCSCF_DIAMETER_ORIGIN_HOST, realm IMS_DOMAIN).
 * Started by CxHandlers.onModuleInit (which also registers the RTR/PPR handlers), closed
 * (DPR) in its onApplicationShutdown.
 */
export const hssClientProvider: FactoryProvider<HssClient> = {
  provide: HSS_CLIENT,
  inject: [SCSCF_CONFIG],
  useFactory: (config: ScscfConfig) =>
    new HssClient({
      hssHost: config.hss.host,
      hssPort: config.hss.port,
      originHost: config.diameterOriginHost,
      originRealm: config.domain,
      requestTimeoutMs: config.hssTimeoutMs,
      productName: 'ims-testbed-scscf',
    }),
};
