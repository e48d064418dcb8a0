import { DynamicModule, Module } from '@nestjs/common';
import { Authenticator, NonceStore } from './auth';
import { SCSCF_CONFIG, ScscfConfig } from './config';
import { CxHandlers, hssClientProvider } from './cx';
import { RegEventService } from './reg-event';
import { RegistrarService, RegistrationPersistence, RegistrationStore } from './registration';
import { failureExplainerProvider, SipDispatcher, sipStackProvider } from './sip';
import { ThirdPartyRegistrar } from './third-party';
import { SERVED_USER } from './routing';
import { DialogTracker } from '@lib/sip';

/**
 * The S-CSCF: the SIP stack and the Cx client are built by factory providers; the registrar,
 * authentication, binding store, reg event, third-party registration and Cx handlers are
 * wired here (STYLE.md "Nest apps").
 */
@Module({})
export class ScscfModule {
  static forRoot(config: ScscfConfig): DynamicModule {
    return {
      module: ScscfModule,
      providers: [
        { provide: SCSCF_CONFIG, useValue: config },
        sipStackProvider,
        hssClientProvider,
        failureExplainerProvider,
        { provide: RegistrationStore, useFactory: () => new RegistrationStore() },
        {
          provide: NonceStore,
          inject: [SCSCF_CONFIG],
          useFactory: (c: ScscfConfig) => new NonceStore({ lifetimeMs: c.nonceLifetime * 1000 }),
        },
        // Confirmed INVITE dialogs the S-CSCF record-routes, owned by the served user(s).
        {
          provide: DialogTracker,
          useFactory: () =>
            new DialogTracker((pr) => {
              const served = pr.data.get(SERVED_USER);
              return typeof served === 'string' ? [served] : [];
            }),
        },
        Authenticator,
        RegistrarService,
        RegistrationPersistence,
        RegEventService,
        ThirdPartyRegistrar,
        CxHandlers,
        SipDispatcher,
      ],
      exports: [SCSCF_CONFIG, RegistrationStore, RegEventService, DialogTracker],
    };
  }
}
