import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startCscfObservability, type CscfObservability, StructuredLogger } from '@lib/ims';
import { loadIcscfConfig, type IcscfConfig } from './config';
import type { IcscfRuntime } from './icscf-runtime';
import { IcscfModule } from './icscf.module';
import { IcscfService } from './icscf.service';

/** A running I-CSCF, as returned by createIcscfApp. */
export interface IcscfApp {
  app: INestApplicationContext;
  /** The SIP port actually bound (UDP and TCP; ephemeral when ICSCF_SIP_PORT is 0). */
  sipPort: number;
  /** The port of GET /health and GET /metrics (ephemeral when ICSCF_HTTP_PORT is 0). */
  httpPort: number;
  config: IcscfConfig;
  /** Metrics registry, health server (docs/observability.md). */
  observability: CscfObservability;
  close(): Promise<void>;
}

/**
 * Starts an I-CSCF in-process: configuration from `overrides` > environment > defaults (a
 * bad value throws a ConfigError naming the variable), SIP listening on UDP and TCP, Cx
 * client connecting to the HSS (requests fail fast with 480 while it is not connected), HTTP
 * /health and /metrics, logs through the StructuredLogger (ICSCF_LOG_FORMAT).
 */
export async function createIcscfApp(
  overrides: Partial<IcscfConfig> = {},
  runtime: IcscfRuntime = {},
): Promise<IcscfApp> {
  const config = loadIcscfConfig(process.env, overrides);
  const logger = new StructuredLogger({
    role: 'icscf',
    format: config.logFormat,
    level: config.logLevel,
  });
  const app = await NestFactory.createApplicationContext(IcscfModule.forRoot(config, runtime), {
    logger,
    abortOnError: false,
  });
  await app.init();
  const service = app.get(IcscfService);
  const { observability, close } = await startCscfObservability(app, {
    role: 'icscf',
    httpHost: config.httpHost,
    httpPort: config.httpPort,
    stack: service.stack,
    diameter: service.hss.node,
    diameterTrace: config.diameterTrace,
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
