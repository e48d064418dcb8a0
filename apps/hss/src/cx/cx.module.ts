import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { hssConfig, HssConfig } from '../config';
import { EventsModule } from '../events';
import { CX_HEALTH } from '../health/cx-health';
import { AttemptRecorder } from './attempt-recorder.service';
import { AttemptsController } from './attempts.controller';
import { AuthVectorService } from './auth-vector.service';
import { CxCacheInvalidator } from './cx-cache.invalidator';
import { CxHealth, CxListenState } from './cx-health.service';
import { CxServer } from './cx-server.service';
import { CX_SETTINGS, cxSettingsFrom } from './cx-settings';
import { CxStore } from './cx-store';
import { diameterNodeProvider } from './diameter-node.provider';
import { LirHandler } from './lir.handler';
import { MarHandler } from './mar.handler';
import { PprSender } from './ppr.sender';
import { RtrSender } from './rtr.sender';
import { SarHandler } from './sar.handler';
import { UarHandler } from './uar.handler';
import { UserDataService } from './user-data.service';

/**
 * Cx Diameter interface of the HSS (TS 29.228 / TS 29.229): serves UAR, MAR, SAR and LIR,
 * sends RTR and PPR on provisioning events, records the registration trace and exposes it
 * at `GET /subscribers/:imsi/attempts`. Provides CX_HEALTH for `/health`.
 */
@Module({
  imports: [EventsModule],
  controllers: [AttemptsController],
  providers: [
    {
      provide: CX_SETTINGS,
      inject: [hssConfig.KEY],
      useFactory: (config: HssConfig) => cxSettingsFrom(config),
    },
    diameterNodeProvider,
    CxStore,
    AttemptRecorder,
    AuthVectorService,
    UserDataService,
    UarHandler,
    MarHandler,
    SarHandler,
    LirHandler,
    RtrSender,
    PprSender,
    CxListenState,
    CxServer,
    CxHealth,
    { provide: CX_HEALTH, useExisting: CxHealth },
    // Every REST change clears the Cx identity cache (CxIdentityCache's correctness rules).
    { provide: APP_INTERCEPTOR, useClass: CxCacheInvalidator },
  ],
  exports: [CX_HEALTH, RtrSender, PprSender, AttemptRecorder],
})
export class CxModule {}
