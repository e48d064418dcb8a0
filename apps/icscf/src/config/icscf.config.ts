import {
  ConfigSpec,
  CscfCommonConfig,
  cscfCommonSpec,
  CscfCxConfig,
  cscfCxSpec,
  cscfLogLevelVar,
  CscfLogLevel,
  loadConfig,
  parse,
} from '@lib/ims';
import { ConfiguredScscf, parseScscfSet } from '../scscf-selection';

/** The I-CSCF configuration: every value from one environment variable, validated at boot. */
export interface IcscfConfig extends CscfCommonConfig, CscfCxConfig {
  /** Host name used in Via and in Warning headers. */
  name: string;
  /** The S-CSCFs this I-CSCF selects from, with their capabilities. */
  scscfs: ConfiguredScscf[];
  logLevel: CscfLogLevel;
}

const cx = cscfCxSpec('ICSCF');

export const icscfConfigSpec: ConfigSpec<IcscfConfig> = {
  ...cscfCommonSpec('ICSCF', 4060),
  name: {
    env: 'ICSCF_NAME',
    doc: 'I-CSCF host name (Via, Warning)',
    default: (r) => `icscf.${String(r.domain)}`,
    parse: parse.host,
  },
  hss: cx.hss,
  diameterOriginHost: cx.diameterOriginHost,
  scscfs: {
    env: 'ICSCF_SCSCFS',
    doc: 'S-CSCFs to select from, comma list of uri|cap1;cap2',
    default: (r) => [{ uri: `sip:scscf.${String(r.domain)}:6060`, capabilities: [] }],
    parse: parseScscfSet,
  },
  hssTimeoutMs: cx.hssTimeoutMs,
  retryAfter: cx.retryAfter,
  logLevel: cscfLogLevelVar('ICSCF'),
};

/** overrides > environment > defaults; a bad value throws a ConfigError naming the variable. */
export function loadIcscfConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<IcscfConfig> = {},
): IcscfConfig {
  return loadConfig(icscfConfigSpec, env, overrides);
}
