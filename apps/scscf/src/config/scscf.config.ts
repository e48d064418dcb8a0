import {
  cscfDbPathVar,
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
import { parseTrustedPeers, type TrustedPeerEntry } from '../sip/trusted-peers';

/** The S-CSCF configuration: every value from one environment variable, validated at boot. */
export interface ScscfConfig extends CscfCommonConfig, CscfCxConfig {
  /**
   * Our Server-Name on Cx (TS 29.228 §6.1.2) and the host of Service-Route, e.g.
   * `sip:scscf.<domain>:6060`.
   */
  name: string;
  /** RFC 3261 §10.3 step 7: the shortest registration accepted (423 below). */
  minExpires: number;
  /** Longer requested registrations are clamped to this. */
  maxExpires: number;
  /** Registration expiry when the REGISTER names none. */
  defaultExpires: number;
  /** How long an issued nonce may be answered, in seconds (then `stale=true`). */
  nonceLifetime: number;
  /**
   * Failed authentications (wrong response) of one IMPI within `authFailureWindow` seconds
   * that start a back-off of `authBackoff` seconds (403 without MAR); 0 turns it off.
   */
  authMaxFailures: number;
  authFailureWindow: number;
  authBackoff: number;
  /** IMPIs the failure throttle tracks at most (memory bound). */
  authThrottleEntries: number;
  /** SIP-Authentication-Scheme asked in MAR when the UE names none; empty: ask the HSS. */
  defaultAuthScheme: string;
  /** The longest reg-event subscription granted (RFC 3680 §5.1), seconds. */
  regEventExpires: number;
  /** How long a third-party REGISTER waits for the AS (ms; Timer F bounds it anyway). */
  thirdPartyTimeoutMs: number;
  /**
   * Home domain -> its I-CSCF (`host:port`): where originating requests for a user of that
   * domain go (TS 24.229 §5.4.3.2: "forward the request to the I-CSCF" of the callee's home),
   * the S-CSCF's own domain included.
   */
  icscfs: Map<string, { host: string; port: number }>;
  /**
   * The previous hops a REGISTER is accepted from (TS 24.229 §5.4.1.1, TS 33.210): by
   * default the own domain's I-CSCF (its SCSCF_ICSCFS entry) and `pcscf.<domain>:5060`.
   */
  trustedPeers: TrustedPeerEntry[];
  /**
   * ENUM-style number map (TS 24.229 §5.4.3.2: translate a tel URI "by means of [...] ENUM"):
   * E.164 prefix (`+<digits>`) -> home domain; the longest matching prefix wins.
   */
  enumMap: Map<string, string>;
  /** Where a number no ENUM entry maps goes (a BGCF/MGCF SIP URI); empty: 604. */
  breakout: string;
  /**
   * How long the S-CSCF waits for an application server to answer a request it sent over ISC
   * before applying the iFC's DefaultHandling (TS 24.229 §5.4.3.2, TS 29.228 Annex B), ms.
   */
  asTimeoutMs: number;
  logLevel: CscfLogLevel;
  /** SQLite file of the registrations (`off` / `:memory:`: not persisted), docs/reliability.md. */
  dbPath: string;
}

const seconds = parse.int({ min: 0, max: 0xffffffff });

const cx = cscfCxSpec('SCSCF');

export const scscfConfigSpec: ConfigSpec<ScscfConfig> = {
  ...cscfCommonSpec('SCSCF', 6060),
  name: {
    env: 'SCSCF_NAME',
    doc: 'S-CSCF Server-Name on Cx and host of Service-Route (a SIP URI)',
    default: (r) => `sip:scscf.${String(r.domain)}:6060`,
    parse: parse.sipUri,
  },
  hss: cx.hss,
  diameterOriginHost: cx.diameterOriginHost,
  minExpires: {
    env: 'SCSCF_MIN_EXPIRES',
    doc: 'shortest registration accepted in seconds (423 Interval Too Brief below)',
    default: 60,
    parse: seconds,
  },
  maxExpires: {
    env: 'SCSCF_MAX_EXPIRES',
    doc: 'longest registration granted in seconds (longer requests are clamped)',
    default: 600000,
    parse: seconds,
  },
  defaultExpires: {
    env: 'SCSCF_DEFAULT_EXPIRES',
    doc: 'registration expiry when the REGISTER names none, seconds',
    default: 3600,
    parse: seconds,
  },
  nonceLifetime: {
    env: 'SCSCF_NONCE_LIFETIME',
    doc: 'seconds an issued nonce may be answered (then stale=true)',
    default: 30,
    parse: parse.int({ min: 1, max: 86400 }),
  },
  authMaxFailures: {
    env: 'SCSCF_AUTH_MAX_FAILURES',
    doc: 'wrong auth responses of one IMPI within the window before its REGISTERs get 403 without MAR (0: off)',
    default: 5,
    parse: parse.int({ min: 0, max: 1000 }),
  },
  authFailureWindow: {
    env: 'SCSCF_AUTH_FAILURE_WINDOW',
    doc: 'seconds over which failed authentications of one IMPI are counted',
    default: 300,
    parse: parse.int({ min: 1, max: 86400 }),
  },
  authBackoff: {
    env: 'SCSCF_AUTH_BACKOFF',
    doc: 'seconds such an IMPI is refused (403, no MAR)',
    default: 300,
    parse: parse.int({ min: 1, max: 86400 }),
  },
  authThrottleEntries: {
    env: 'SCSCF_AUTH_THROTTLE_ENTRIES',
    doc: 'IMPIs the failure throttle tracks at most (oldest forgotten first)',
    default: 10000,
    parse: parse.int({ min: 1, max: 10_000_000 }),
  },
  defaultAuthScheme: {
    env: 'SCSCF_DEFAULT_AUTH_SCHEME',
    doc: 'SIP-Authentication-Scheme for MAR when the UE names no algorithm (empty: HSS decides)',
    default: '',
    parse: parse.oneOf('', 'Digest-AKAv1-MD5', 'Digest-AKAv2-MD5', 'SIP Digest'),
  },
  regEventExpires: {
    env: 'SCSCF_REG_EVENT_EXPIRES',
    doc: 'longest reg-event subscription granted, seconds',
    default: 600000,
    parse: seconds,
  },
  hssTimeoutMs: cx.hssTimeoutMs,
  retryAfter: cx.retryAfter,
  thirdPartyTimeoutMs: {
    env: 'SCSCF_THIRD_PARTY_TIMEOUT_MS',
    doc: 'how long a third-party REGISTER waits for the application server, ms',
    default: 4000,
    parse: parse.int({ min: 1, max: 60000 }),
  },
  icscfs: {
    env: 'SCSCF_ICSCFS',
    doc: 'home domain -> I-CSCF host:port map for originating routing, e.g. <domain>=127.0.0.1:4060 (own domain included)',
    default: (r) => new Map([[String(r.domain).toLowerCase(), { host: '127.0.0.1', port: 4060 }]]),
    parse: parse.map(parse.hostPort),
  },
  trustedPeers: {
    env: 'SCSCF_TRUSTED_PEERS',
    doc: 'hops a REGISTER is accepted from, else 403: host:port (source address, top Via and UDP source port), host or ip/prefix (any port), * (no check)',
    default: (r) => {
      const domain = String(r.domain).toLowerCase();
      const icscf = (r.icscfs as ScscfConfig['icscfs']).get(domain);
      const entries: TrustedPeerEntry[] = [{ kind: 'host', host: `pcscf.${domain}`, port: 5060 }];
      if (icscf)
        entries.unshift({ kind: 'host', host: icscf.host.toLowerCase(), port: icscf.port });
      return entries;
    },
    parse: parseTrustedPeers,
  },
  enumMap: {
    env: 'SCSCF_ENUM',
    doc: 'ENUM-style map of E.164 prefixes to home domains, +<prefix>=<domain> comma list (longest prefix wins)',
    default: new Map<string, string>(),
    parse: parseEnumMap,
  },
  breakout: {
    env: 'SCSCF_BREAKOUT',
    doc: 'SIP URI of the breakout (BGCF) route for numbers no SCSCF_ENUM entry maps; empty: 604',
    default: '',
    parse: (raw) => (raw === '' ? '' : parse.sipUri(raw)),
  },
  asTimeoutMs: {
    env: 'SCSCF_AS_TIMEOUT_MS',
    doc: 'ms an application server has to answer a request sent over ISC before DefaultHandling applies',
    default: 2000,
    parse: parse.int({ min: 1, max: 60000 }),
  },
  logLevel: cscfLogLevelVar('SCSCF'),
  dbPath: cscfDbPathVar('SCSCF'),
};

/** `+<digits>=<domain>` pairs: prefix -> domain (SCSCF_ENUM). */
export function parseEnumMap(raw: string): Map<string, string> {
  const map = parse.map(parse.host)(raw);
  for (const prefix of map.keys()) {
    if (!/^\+\d+$/.test(prefix)) throw new Error(`"${prefix}" must be +<digits>`);
  }
  return map;
}

/** overrides > environment > defaults; a bad value throws a ConfigError naming the variable. */
export function loadScscfConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<ScscfConfig> = {},
): ScscfConfig {
  return loadConfig(scscfConfigSpec, env, overrides);
}

/** Injection token of the resolved configuration. */
export const SCSCF_CONFIG = Symbol('SCSCF_CONFIG');
