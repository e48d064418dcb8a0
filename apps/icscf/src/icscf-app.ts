import { ConsoleLogger, type INestApplicationContext, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadIcscfConfig, type IcscfConfig } from './config';
import type { IcscfRuntime } from './icscf-runtime';
import { IcscfModule } from './icscf.module';
import { IcscfService } from './icscf.service';

/** A running I-CSCF, as returned by createIcscfApp. */
export interface IcscfApp {
  app: INestApplicationContext;
  /** The SIP port actually bound (UDP and TCP; ephemeral when ICSCF_SIP_PORT is 0). */
  sipPort: number;
  config: IcscfConfig;
  close(): Promise<void>;
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Starts an I-CSCF in-process: configuration from `overrides` > environment > defaults (a
 * bad value throws a ConfigError naming the variable), SIP listening on UDP and TCP, Cx
 * client connecting to the HSS (requests fail fast with 480 while it is not connected).
 */
export async function createIcscfApp(
  overrides: Partial<IcscfConfig> = {},
  runtime: IcscfRuntime = {},
): Promise<IcscfApp> {
  const config = loadIcscfConfig(process.env, overrides);
  const app = await NestFactory.createApplicationContext(IcscfModule.forRoot(config, runtime), {
    logger: new ConsoleLogger('I-CSCF', {
      logLevels: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
    }),
    abortOnError: false,
  });
  await app.init();
  const service = app.get(IcscfService);
  return { app, sipPort: service.stack.port, config, close: () => app.close() };
}
