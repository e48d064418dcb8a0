import { DynamicModule, Module } from '@nestjs/common';
import { Authenticator, NonceStore } from './auth';
import { SCSCF_CONFIG, ScscfConfig } from './config';
import { CxHandlers, hssClientProvider } from './cx';
import { RegEventService } from './reg-event';
import { RegistrarService, RegistrationStore } from './registration';
import {
  CALL_ROUTER,
  failureExplainerProvider,
  NotImplementedRouter,
  SipDispatcher,
  sipStackProvider,
} from './sip';
import { ThirdPartyRegistrar } from './third-party';

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
        { provide: CALL_ROUTER, useClass: NotImplementedRouter },
        Authenticator,
        RegistrarService,
        RegEventService,
        ThirdPartyRegistrar,
        CxHandlers,
        SipDispatcher,
      ],
      exports: [SCSCF_CONFIG, RegistrationStore, RegEventService],
    };
  }
}
