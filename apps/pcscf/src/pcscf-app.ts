import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startCscfObservability, type CscfObservability, StructuredLogger } from '@lib/ims';
import { loadPcscfConfig, type PcscfConfig } from './config';
import type { PcscfRuntime } from './pcscf-runtime';
import { PcscfModule } from './pcscf.module';
import { PcscfService } from './pcscf.service';

/** A running P-CSCF, as returned by createPcscfApp. */
export interface PcscfApp {
  app: INestApplicationContext;
  /** The SIP port actually bound (UDP and TCP; ephemeral when PCSCF_SIP_PORT is 0). */
  sipPort: number;
  /** The port of GET /health and GET /metrics (ephemeral when PCSCF_HTTP_PORT is 0). */
  httpPort: number;
  config: PcscfConfig;
  /** Metrics registry, health server (docs/observability.md). */
  observability: CscfObservability;
  close(): Promise<void>;
}

/**
 * Starts a P-CSCF in-process: configuration from `overrides` > environment > defaults (a
 * bad value throws a ConfigError naming the variable), SIP listening on UDP and TCP, HTTP
 * /health and /metrics, logs through the StructuredLogger (PCSCF_LOG_FORMAT).
 */
export async function createPcscfApp(
  overrides: Partial<PcscfConfig> = {},
  runtime: PcscfRuntime = {},
): Promise<PcscfApp> {
  const config = loadPcscfConfig(process.env, overrides);
  const logger = new StructuredLogger({
    role: 'pcscf',
    format: config.logFormat,
    level: config.logLevel,
  });
  const app = await NestFactory.createApplicationContext(PcscfModule.forRoot(config, runtime), {
    logger,
    abortOnError: false,
  });
  await app.init();
  const service = app.get(PcscfService);
  const { observability, close } = await startCscfObservability(app, {
    role: 'pcscf',
    httpHost: config.httpHost,
    httpPort: config.httpPort,
    stack: service.stack,
    registrations: () => ({ registrations: service.registrations.all().length }),
    dialogs: () => service.dialogs.count,
    logger,
  });
  return {
    app,
    sipPort: service.stack.port,
    httpPort: observability.httpPort,
    config,
    observability,
    close,
  };
}
