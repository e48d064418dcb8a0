import { Module, type DynamicModule } from '@nestjs/common';
import { cscfOverload, ImsHosts } from '@lib/ims';
import { SipStack } from '@lib/sip';
import type { PcscfConfig } from './config';
import type { PcscfRuntime } from './pcscf-runtime';
import { PcscfService } from './pcscf.service';
import { PCSCF_CONFIG, PCSCF_RUNTIME } from './pcscf.tokens';

/** The P-CSCF's providers: the SIP stack and the host map built in useFactory providers. */
@Module({})
export class PcscfModule {
  static forRoot(config: PcscfConfig, runtime: PcscfRuntime = {}): DynamicModule {
    return {
      module: PcscfModule,
      providers: [
        { provide: PCSCF_CONFIG, useValue: config },
        { provide: PCSCF_RUNTIME, useValue: runtime },
        {
          provide: ImsHosts,
          useFactory: (c: PcscfConfig) => new ImsHosts(c.domain, c.hosts),
          inject: [PCSCF_CONFIG],
        },
        {
          provide: SipStack,
          useFactory: (c: PcscfConfig, hosts: ImsHosts, r: PcscfRuntime) => {
            return new SipStack({
              host: c.sipHost,
              port: c.sipPort,
              transports: ['UDP', 'TCP'],
              // PCSCF_NAME is the host in Via, Record-Route and Path (resolvable by IMS_HOSTS).
              advertisedHost: c.name,
              hostMap: hosts.toStackHostMap(),
              timers: r.timers,
              clock: r.clock,
              // Requests towards the core follow RFC 3261 §18.1.1 (over 1300 bytes: TCP);
              // those for a UE stay on its flow (flowDestination marks them).
              overload: cscfOverload(c), // load shedding, docs/reliability.md
            });
          },
          inject: [PCSCF_CONFIG, ImsHosts, PCSCF_RUNTIME],
        },
        PcscfService,
      ],
      exports: [PcscfService],
    };
  }
}
