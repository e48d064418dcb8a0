import {
  ConfigSpec,
  CscfCommonConfig,
  cscfCommonSpec,
  cscfLogLevelVar,
  CscfLogLevel,
  loadConfig,
  parse,
} from '@lib/ims';
import { ConfiguredScscf, parseScscfSet } from '../scscf-selection';

/** The I-CSCF configuration: every value from one environment variable, validated at boot. */
export interface IcscfConfig extends CscfCommonConfig {
  /** Host name used in Via and in Warning headers. */
  name: string;
  /** The HSS's Cx address. */
  hss: { host: string; port: number };
  /** Our Diameter Origin-Host (RFC 6733 §6.3). */
  diameterOriginHost: string;
  /** The S-CSCFs this I-CSCF selects from, with their capabilities. */
  scscfs: ConfiguredScscf[];
  /** How long a Cx request waits for its answer. */
  hssTimeoutMs: number;
  /** Retry-After (seconds) on the 480 sent when the HSS is unreachable. */
  retryAfter: number;
  logLevel: CscfLogLevel;
}

export const icscfConfigSpec: ConfigSpec<IcscfConfig> = {
  ...cscfCommonSpec('ICSCF', 4060),
  name: {
    env: 'ICSCF_NAME',
    doc: 'I-CSCF host name (Via, Warning)',
    default: (r) => `icscf.${String(r.domain)}`,
    parse: parse.host,
  },
  hss: {
    env: 'ICSCF_HSS',
    doc: 'HSS Cx address host:port',
    default: { host: '127.0.0.1', port: 3868 },
    parse: parse.hostPort,
  },
  diameterOriginHost: {
    env: 'ICSCF_DIAMETER_ORIGIN_HOST',
    doc: 'Diameter Origin-Host of the I-CSCF',
    default: (r) => `icscf.${String(r.domain)}`,
    parse: parse.host,
  },
  scscfs: {
    env: 'ICSCF_SCSCFS',
    doc: 'S-CSCFs to select from, comma list of uri|cap1;cap2',
    default: (r) => [{ uri: `sip:scscf.${String(r.domain)}:6060`, capabilities: [] }],
    parse: parseScscfSet,
  },
  hssTimeoutMs: {
    env: 'ICSCF_HSS_TIMEOUT_MS',
    doc: 'Cx request timeout in ms',
    default: 3000,
    parse: parse.int({ min: 1, max: 60000 }),
  },
  retryAfter: {
    env: 'ICSCF_RETRY_AFTER',
    doc: 'Retry-After seconds on 480 when the HSS is unreachable',
    default: 30,
    parse: parse.int({ min: 0, max: 86400 }),
  },
  logLevel: cscfLogLevelVar('ICSCF'),
};

/** overrides > environment > defaults; a bad value throws a ConfigError naming the variable. */
export function loadIcscfConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<IcscfConfig> = {},
): IcscfConfig {
  return loadConfig(icscfConfigSpec, env, overrides);
}
