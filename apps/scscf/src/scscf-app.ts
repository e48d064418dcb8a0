import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  startCscfObservability,
  type CscfObservability,
  StructuredLogger,
  type HssClient,
} from '@lib/ims';
import { DialogTracker, SipStack } from '@lib/sip';
import { ScscfModule } from './app.module';
import { loadScscfConfig, ScscfConfig } from './config';
import { HSS_CLIENT } from './cx';
import { RegistrationStore } from './registration';
import { SIP_STACK } from './sip';

/** A running S-CSCF, as returned by createScscfApp. */
export interface ScscfApp {
  app: INestApplicationContext;
  /** The SIP port actually bound (UDP and TCP; ephemeral when SCSCF_SIP_PORT is 0). */
  sipPort: number;
  /** The port of GET /health and GET /metrics (ephemeral when SCSCF_HTTP_PORT is 0). */
  httpPort: number;
  /** The resolved configuration. */
  config: ScscfConfig;
  /** Metrics registry, health server (docs/observability.md). */
  observability: CscfObservability;
  /** Graceful stop: HTTP closed, SIP stack closed, Cx DPR to the HSS. */
  close(): Promise<void>;
}

/**
 * Starts an S-CSCF in-process: configuration from `overrides` > environment > defaults (a
 * bad value throws a ConfigError naming the variable), SIP listening on UDP and TCP, Cx
 * connecting to the HSS, HTTP /health and /metrics, logs through the StructuredLogger
 * (SCSCF_LOG_FORMAT). Used by main.ts, the tests and the lab launcher.
 */
export async function createScscfApp(overrides: Partial<ScscfConfig> = {}): Promise<ScscfApp> {
  const config = loadScscfConfig(process.env, overrides);
  const logger = new StructuredLogger({
    role: 'scscf',
    format: config.logFormat,
    level: config.logLevel,
  });
  const app = await NestFactory.createApplicationContext(ScscfModule.forRoot(config), {
    logger,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.init();
  const stack = app.get<SipStack>(SIP_STACK);
  const store = app.get(RegistrationStore);
  const dialogs = app.get(DialogTracker);
  const { observability, close } = await startCscfObservability(app, {
    role: 'scscf',
    httpHost: config.httpHost,
    httpPort: config.httpPort,
    stack,
    diameter: app.get<HssClient>(HSS_CLIENT).node,
    diameterTrace: config.diameterTrace,
    registrations: () => {
      const records = store.records();
      return {
        registrations: records.length,
        bindings: records.reduce((n, r) => n + r.bindings.length, 0),
      };
    },
    dialogs: () => dialogs.count,
    logger,
  });
  return {
    app,
    sipPort: stack.port,
    httpPort: observability.httpPort,
    config,
    observability,
    close,
  };
}
