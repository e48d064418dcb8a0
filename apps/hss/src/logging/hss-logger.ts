import { StructuredLogger } from '@lib/ims';
import type { HssConfig } from '../config';

/**
 * The HSS logger: the StructuredLogger every role uses (role `hss`): one JSON object per line
 * (HSS_LOG_FORMAT=json, the default: time, level, role, context, msg and fields) or one
 * readable line per entry (text).
 */
export function createHssLogger(
  config: Pick<HssConfig, 'logFormat' | 'logLevel'>,
  write?: (line: string) => void,
): StructuredLogger {
  return new StructuredLogger({
    role: 'hss',
    format: config.logFormat,
    level: config.logLevel,
    write,
  });
}
