import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { HssConfig, HssLogLevel } from '../config';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The levels at and above `lowest`, e.g. 'warn' -> fatal, error, warn. */
export function logLevelsFrom(lowest: HssLogLevel): LogLevel[] {
  return ORDER.slice(0, ORDER.indexOf(lowest) + 1);
}

/**
 * The HSS logger: one JSON object per line (HSS_LOG_FORMAT=json, the default: level,
 * timestamp, context, message) or Nest's coloured text for a terminal.
 */
export function createHssLogger(config: Pick<HssConfig, 'logFormat' | 'logLevel'>): ConsoleLogger {
  return new ConsoleLogger('HSS', {
    json: config.logFormat === 'json',
    logLevels: logLevelsFrom(config.logLevel),
    timestamp: config.logFormat !== 'json',
  });
}
