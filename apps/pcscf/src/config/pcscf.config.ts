import {
  cscfDbPathVar,
  ConfigSpec,
  CscfCommonConfig,
  cscfCommonSpec,
  cscfLogLevelVar,
  CscfLogLevel,
  loadConfig,
  parse,
} from '@lib/ims';

/** The P-CSCF configuration: every value from one environment variable, validated at boot. */
export interface PcscfConfig extends CscfCommonConfig {
  /** Host name used in Path, Record-Route, Via and Warning (resolvable through IMS_HOSTS). */
  name: string;
  /** Home domain -> its I-CSCF (`host:port`), the entry point of REGISTER (TS 24.229 §5.2.2.1). */
  icscfs: Map<string, { host: string; port: number }>;
  /** P-Visited-Network-ID added to REGISTER (RFC 3455 §4.3, TS 24.229 §5.2.2.1). */
  visitedNetworkId: string;
  /** Subscribe to the reg event of each registered user (TS 24.229 §5.2.3). */
  subscribeRegEvent: boolean;
  /** Expires of that SUBSCRIBE (TS 24.229 §5.2.3: 600 000 s). */
  regEventExpires: number;
  logLevel: CscfLogLevel;
  /** SQLite file of the registrations (`off` / `:memory:`: not persisted), docs/reliability.md. */
  dbPath: string;
  /**
   * How long a flow (RFC 5626 flow token) or Contact no registration uses any more stays
   * known, for the dialogs and the last NOTIFY that still reach the UE over it (ms).
   */
  flowGraceMs: number;
}

export const pcscfConfigSpec: ConfigSpec<PcscfConfig> = {
  ...cscfCommonSpec('PCSCF', 5060),
  name: {
    env: 'PCSCF_NAME',
    doc: 'P-CSCF host name (Path, Record-Route, Via, Warning)',
    default: (r) => `pcscf.${String(r.domain)}`,
    parse: parse.host,
  },
  icscfs: {
    env: 'PCSCF_ICSCF',
    doc: 'home domain -> I-CSCF host:port map, e.g. <domain>=127.0.0.1:4060',
    default: (r) => new Map([[String(r.domain).toLowerCase(), { host: '127.0.0.1', port: 4060 }]]),
    parse: parse.map(parse.hostPort),
  },
  visitedNetworkId: {
    env: 'PCSCF_VISITED_NETWORK_ID',
    doc: 'P-Visited-Network-ID value',
    default: (r) => String(r.domain),
    parse: parse.str,
  },
  subscribeRegEvent: {
    env: 'PCSCF_SUBSCRIBE_REG_EVENT',
    doc: 'subscribe to the reg event of registered users',
    default: true,
    parse: parse.bool,
  },
  regEventExpires: {
    env: 'PCSCF_REG_EVENT_EXPIRES',
    doc: 'Expires of the reg-event SUBSCRIBE (s)',
    default: 600000,
    parse: parse.int({ min: 1, max: 0xffffffff }),
  },
  logLevel: cscfLogLevelVar('PCSCF'),
  dbPath: cscfDbPathVar('PCSCF'),
  flowGraceMs: {
    env: 'PCSCF_FLOW_GRACE_MS',
    doc: 'how long a flow or Contact no registration uses any more stays known (ms)',
    default: 1_800_000,
    parse: parse.int({ min: 0, max: 0x7fffffff }),
  },
};

/** overrides > environment > defaults; a bad value throws a ConfigError naming the variable. */
export function loadPcscfConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<PcscfConfig> = {},
): PcscfConfig {
  return loadConfig(pcscfConfigSpec, env, overrides);
}
