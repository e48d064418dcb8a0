import { Module, type DynamicModule } from '@nestjs/common';
import { cscfOverload, HssClient, ImsHosts } from '@lib/ims';
import { SipStack } from '@lib/sip';
import type { IcscfConfig } from './config';
import type { IcscfRuntime } from './icscf-runtime';
import { IcscfService } from './icscf.service';
import { ICSCF_CONFIG, ICSCF_RUNTIME } from './icscf.tokens';

/** The I-CSCF's providers: SIP stack, Cx client and host map built in useFactory providers. */
@Module({})
export class IcscfModule {
  static forRoot(config: IcscfConfig, runtime: IcscfRuntime = {}): DynamicModule {
    return {
      module: IcscfModule,
      providers: [
        { provide: ICSCF_CONFIG, useValue: config },
        { provide: ICSCF_RUNTIME, useValue: runtime },
        {
          provide: ImsHosts,
          useFactory: (c: IcscfConfig) => new ImsHosts(c.domain, c.hosts),
          inject: [ICSCF_CONFIG],
        },
        {
          provide: SipStack,
          useFactory: (c: IcscfConfig, hosts: ImsHosts, r: IcscfRuntime) =>
            new SipStack({
              host: c.sipHost,
              port: c.sipPort,
              transports: ['UDP', 'TCP'],
              hostMap: hosts.toStackHostMap(),
              timers: r.timers,
              clock: r.clock,
              overload: cscfOverload(c), // load shedding, docs/reliability.md
            }),
          inject: [ICSCF_CONFIG, ImsHosts, ICSCF_RUNTIME],
        },
        {
          provide: HssClient,
          useFactory: (c: IcscfConfig) =>
            new HssClient({
              hssHost: c.hss.host,
              hssPort: c.hss.port,
              originHost: c.diameterOriginHost,
              originRealm: c.domain,
              requestTimeoutMs: c.hssTimeoutMs,
              productName: 'ims-testbed-icscf',
            }),
          inject: [ICSCF_CONFIG],
        },
        IcscfService,
      ],
      exports: [IcscfService],
    };
  }
}
