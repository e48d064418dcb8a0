import {
  ConfigError,
  ConfigSpec,
  DEFAULT_IMS_DOMAIN,
  diameterTraceVar,
  loadConfig,
  parse,
} from '@lib/ims';

/** Database back-ends the HSS runs on; the schema and migrations are the same for both. */
export type HssDbType = 'sqlite' | 'postgres';
export type HssLogFormat = 'json' | 'text';
export type HssLogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/**
 * The HSS configuration (namespace `hss`). Every value comes from one environment variable
 * (below) unless `createHssApp(overrides)` sets it: overrides > environment > defaults.
 */
export interface HssConfig {
  /** Home network domain (TS 23.003 §13.2), e.g. `ims.mnc001.mcc001.3gppnetwork.org`. */
  imsDomain: string;
  restHost: string;
  /** REST port; 0 asks the OS for an ephemeral one (tests). */
  restPort: number;
  diameterHost: string;
  /** Diameter Cx port; 0 asks the OS for an ephemeral one (tests). */
  diameterPort: number;
  /** Our Origin-Host (RFC 6733 §6.3), `hss.<IMS_DOMAIN>` by default. */
  diameterOriginHost: string;
  /** Our Origin-Realm (RFC 6733 §6.4), the home domain by default. */
  diameterRealm: string;
  /** Origin-Hosts allowed to open a Cx connection; empty = any (unknown -> CEA 3010). */
  diameterAllowedPeers: string[];
  /** Device-Watchdog interval Tw in ms (RFC 3539 §3.4.1). */
  diameterWatchdogMs: number;
  /** Visited networks allowed in UAR (TS 29.228 §6.1.1); the Cx module gives the semantics. */
  allowedVisitedNetworks: string[];
  dbType: HssDbType;
  /** sqlite file; its directory is created when missing. `:memory:` is accepted for tests. */
  dbPath: string;
  /** PostgreSQL connection URL (HSS_DB_TYPE=postgres). */
  dbUrl?: string;
  /** When set, REST writes need `Authorization: Bearer <token>`; reads stay open. */
  apiToken?: string;
  /** S-CSCFs offered in UAA/LIA when no capability set matches (SIP URIs). */
  scscfNames: string[];
  /** Seed the demo subscribers of `seed/demo-subscribers.ts` when the database is empty. */
  seedDemo: boolean;
  logFormat: HssLogFormat;
  logLevel: HssLogLevel;
  /** Log every Cx message sent and received (DIAMETER_TRACE, shared with the CSCFs). */
  diameterTrace: boolean;
  /**
   * Cx requests being served at once before new ones are answered DIAMETER_TOO_BUSY (3004,
   * RFC 6733 §7.1.3); 0: no limit.
   */
  maxPendingCx: number;
  /** Rows the registration attempt log keeps (the oldest are pruned); 0: keep all. */
  attemptsMaxRows: number;
}

function optional(raw: string): string | undefined {
  return raw === '' ? undefined : raw;
}

function postgresUrl(raw: string): string {
  if (!/^postgres(ql)?:\/\/\S+$/.test(raw)) throw new Error('must be a postgres:// URL');
  return raw;
}

/** Every variable of the `hss` namespace, in resolution order (later defaults derive from earlier values). */
export const hssConfigSpec: ConfigSpec<HssConfig> = {
  imsDomain: {
    env: 'IMS_DOMAIN',
    doc: 'home domain and Diameter realm',
    default: DEFAULT_IMS_DOMAIN,
    parse: parse.host,
  },
  restHost: {
    env: 'HSS_REST_HOST',
    doc: 'REST listen address',
    default: '127.0.0.1',
    parse: parse.host,
  },
  restPort: {
    env: 'HSS_REST_PORT',
    doc: 'REST port (0 = ephemeral)',
    default: 8080,
    parse: parse.port,
  },
  diameterHost: {
    env: 'HSS_DIAMETER_HOST',
    doc: 'Diameter Cx listen address',
    default: '127.0.0.1',
    parse: parse.host,
  },
  diameterPort: {
    env: 'HSS_DIAMETER_PORT',
    doc: 'Diameter Cx port (0 = ephemeral)',
    default: 3868,
    parse: parse.port,
  },
  diameterOriginHost: {
    env: 'HSS_DIAMETER_ORIGIN_HOST',
    doc: 'our Diameter Origin-Host',
    default: (r) => `hss.${String(r.imsDomain)}`,
    parse: parse.host,
  },
  diameterRealm: {
    env: 'HSS_DIAMETER_REALM',
    doc: 'our Diameter Origin-Realm',
    default: (r) => String(r.imsDomain),
    parse: parse.host,
  },
  diameterAllowedPeers: {
    env: 'HSS_DIAMETER_ALLOWED_PEERS',
    doc: 'comma list of Origin-Hosts allowed to connect (empty = any)',
    default: [],
    parse: parse.list(parse.host),
  },
  diameterWatchdogMs: {
    env: 'HSS_DIAMETER_WATCHDOG_MS',
    doc: 'Device-Watchdog interval Tw in milliseconds',
    default: 30000,
    parse: parse.int({ min: 100, max: 3_600_000 }),
  },
  allowedVisitedNetworks: {
    env: 'HSS_ALLOWED_VISITED_NETWORKS',
    doc: 'comma list of visited network identifiers allowed in UAR',
    default: [],
    parse: parse.list(),
  },
  dbType: {
    env: 'HSS_DB_TYPE',
    doc: 'database: sqlite or postgres',
    default: 'sqlite',
    parse: parse.oneOf('sqlite', 'postgres'),
  },
  dbPath: {
    env: 'HSS_DB_PATH',
    doc: 'sqlite file',
    default: './data/hss.sqlite',
    parse: parse.str,
  },
  dbUrl: {
    env: 'HSS_DB_URL',
    doc: 'postgres URL (HSS_DB_TYPE=postgres)',
    default: (): string | undefined => undefined,
    parse: postgresUrl,
  },
  apiToken: {
    env: 'HSS_API_TOKEN',
    doc: 'bearer token required for REST writes (unset = no auth)',
    default: (): string | undefined => undefined,
    parse: optional,
  },
  scscfNames: {
    env: 'HSS_SCSCF_NAMES',
    doc: 'S-CSCF SIP URIs offered when no capability set matches',
    default: (r) => [`sip:scscf.${String(r.imsDomain)}:6060`],
    parse: parse.list(parse.sipUri),
  },
  seedDemo: {
    env: 'HSS_SEED_DEMO',
    doc: 'seed the demo subscribers into an empty database',
    default: false,
    parse: parse.bool,
  },
  logFormat: {
    env: 'HSS_LOG_FORMAT',
    doc: 'log lines: json or text',
    default: 'json',
    parse: parse.oneOf('json', 'text'),
  },
  logLevel: {
    env: 'HSS_LOG_LEVEL',
    doc: 'lowest log level: error, warn, log, debug, verbose',
    default: 'log',
    parse: parse.oneOf('error', 'warn', 'log', 'debug', 'verbose'),
  },
  diameterTrace: diameterTraceVar,
  maxPendingCx: {
    env: 'HSS_MAX_PENDING_CX',
    doc: 'Cx requests served at once before new ones get 3004 TOO_BUSY (0: no limit)',
    default: 1000,
    parse: parse.int({ min: 0, max: 1_000_000 }),
  },
  attemptsMaxRows: {
    env: 'HSS_ATTEMPTS_MAX_ROWS',
    doc: 'rows of the Cx attempt log kept, older ones pruned (0: keep all)',
    default: 20000,
    parse: parse.int({ min: 0, max: 1_000_000_000 }),
  },
};

/**
 * Resolves and validates the HSS configuration; a bad value throws a ConfigError naming the
 * variable, which stops the app at boot.
 */
export function loadHssConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<HssConfig> = {},
): HssConfig {
  const config = loadConfig(hssConfigSpec, env, overrides);
  if (config.dbType === 'postgres' && !config.dbUrl) {
    throw new ConfigError('HSS_DB_URL', 'is required when HSS_DB_TYPE=postgres');
  }
  return config;
}
