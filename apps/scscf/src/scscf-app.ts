import type { INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CscfLogLevel } from '@lib/ims';
import { SipStack } from '@lib/sip';
import { ScscfModule } from './app.module';
import { loadScscfConfig, ScscfConfig } from './config';
import { SIP_STACK } from './sip';

/** A running S-CSCF, as returned by createScscfApp. */
export interface ScscfApp {
  app: INestApplicationContext;
  /** The SIP port actually bound (UDP and TCP; ephemeral when SCSCF_SIP_PORT is 0). */
  sipPort: number;
  /** The resolved configuration. */
  config: ScscfConfig;
  /** Graceful stop: SIP stack closed, Cx DPR to the HSS. */
  close(): Promise<void>;
}

const LEVELS: CscfLogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** The log levels at and above `level` (Nest takes the list of enabled levels). */
export function logLevels(level: CscfLogLevel): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
}

/**
 * Starts an S-CSCF in-process: configuration from `overrides` > environment > defaults (a
 * bad value throws a ConfigError naming the variable), SIP listening on UDP and TCP, Cx
 * connecting to the HSS. Used by main.ts, the tests and the lab launcher.
 */
export async function createScscfApp(overrides: Partial<ScscfConfig> = {}): Promise<ScscfApp> {
  const config = loadScscfConfig(process.env, overrides);
  const app = await NestFactory.createApplicationContext(ScscfModule.forRoot(config), {
    logger: logLevels(config.logLevel),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.init();
  const sipPort = app.get<SipStack>(SIP_STACK).port;
  return { app, sipPort, config, close: () => app.close() };
}
