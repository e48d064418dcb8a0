import { ConsoleLogger, type INestApplicationContext, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadPcscfConfig, type PcscfConfig } from './config';
import type { PcscfRuntime } from './pcscf-runtime';
import { PcscfModule } from './pcscf.module';
import { PcscfService } from './pcscf.service';

/** A running P-CSCF, as returned by createPcscfApp. */
export interface PcscfApp {
  app: INestApplicationContext;
  /** The SIP port actually bound (UDP and TCP; ephemeral when PCSCF_SIP_PORT is 0). */
  sipPort: number;
  config: PcscfConfig;
  close(): Promise<void>;
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Starts a P-CSCF in-process: configuration from `overrides` > environment > defaults (a
 * bad value throws a ConfigError naming the variable), SIP listening on UDP and TCP.
 */
export async function createPcscfApp(
  overrides: Partial<PcscfConfig> = {},
  runtime: PcscfRuntime = {},
): Promise<PcscfApp> {
  const config = loadPcscfConfig(process.env, overrides);
  const app = await NestFactory.createApplicationContext(PcscfModule.forRoot(config, runtime), {
    logger: new ConsoleLogger('P-CSCF', {
      logLevels: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
    }),
    abortOnError: false,
  });
  await app.init();
  const service = app.get(PcscfService);
  return { app, sipPort: service.stack.port, config, close: () => app.close() };
}
