import { DEFAULT_OVERLOAD, type OverloadOptions, type TransportProtocol } from '@lib/sip';
import { parse, type ConfigSpec, type VarSpec } from '../config';
import { explainFailuresVar } from '../failure/explain-failure';
import { imsHostsVar } from '../hosts/ims-hosts';
import type { LogFormat } from '../observability/structured-logger';

/** The lab's home domain and Diameter realm (DESIGN.md "Lab contract", TS 23.003 §13.2). */
export const DEFAULT_IMS_DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';

/** The prefix of a CSCF role's own variables (`PCSCF_SIP_PORT`, `SCSCF_LOG_LEVEL`, ...). */
export type CscfRolePrefix = 'PCSCF' | 'ICSCF' | 'SCSCF';

/** The lowest level a CSCF logs, as Nest names its levels. */
export type CscfLogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** What every CSCF reads the same way; each role's config extends it. */
export interface CscfCommonConfig {
  /** Home network domain (TS 23.003 §13.2), also the Digest and Diameter realm. */
  domain: string;
  /** Explicit `IMS_HOSTS` entries (the domain's elements default to 127.0.0.1). */
  hosts: Map<string, string>;
  /**
   * Transport between the CSCFs (Mw) where a URI names none (`IMS_CORE_TRANSPORT`): the
   * `transport` parameter of the URIs this CSCF hands to other CSCFs (Path, Service-Route,
   * Record-Route towards the core) and the transport to configured peers. See
   * {@link coreTransportParam}.
   */
  coreTransport: TransportProtocol;
  /** Log every SIP message sent and received (`installSipTrace`). */
  sipTrace: boolean;
  /** Add `Warning: 399 <host> "<cause>"` to every failure this element originates. */
  explainFailures: boolean;
  /** SIP bind address (UDP and TCP). */
  sipHost: string;
  /** SIP port (UDP and TCP); 0 = ephemeral (tests). */
  sipPort: number;
  /** Bind address of `GET /health` and `GET /metrics` (default: the SIP bind address). */
  httpHost: string;
  /** Their port: the SIP port + 4000 by default; 0 = ephemeral. */
  httpPort: number;
  /** One JSON object per log line, or readable text. */
  logFormat: LogFormat;
  /** Log every Cx message (I-/S-CSCF only: the P-CSCF has no Diameter). */
  diameterTrace?: boolean;
  /** Load shedding: server transactions awaiting a final response before 503 (0: no limit). */
  maxPendingTransactions: number;
  /** Load shedding: event-loop lag (ms) before 503 (0: not measured). */
  maxEventLoopLagMs: number;
  /** Retry-After (seconds) of the 503 sent when shedding load. */
  overloadRetryAfter: number;
}

/** Where a CSCF's HTTP port is by default: its SIP port + 4000 (P 9060, I 8060, S 10060). */
export const HTTP_PORT_OFFSET = 4000;

/**
 * The default HTTP port of a CSCF: SIP port + 4000 (0 when the SIP port is ephemeral, or
 * when the sum passes 65535), so labs that move their SIP ports move these along.
 */
export function defaultHttpPort(sipPort: number): number {
  if (sipPort === 0 || sipPort + HTTP_PORT_OFFSET > 65535) return 0;
  return sipPort + HTTP_PORT_OFFSET;
}

/** `<PREFIX>_LOG_FORMAT` (the HSS's is HSS_LOG_FORMAT): json (default) or text. */
export function logFormatVar(prefix: CscfRolePrefix | 'HSS'): VarSpec<LogFormat> {
  return {
    env: `${prefix}_LOG_FORMAT`,
    doc: 'log lines: json (one object per line) or text',
    default: 'json',
    parse: parse.oneOf('json', 'text'),
  };
}

/**
 * `IMS_CORE_TRANSPORT`: tcp (default) or udp between the CSCFs. TCP carries each hop's
 * messages of one event-loop turn in one write and has no retransmission timers (RFC 3261
 * §17.1.1.2 Timer A only over UDP); UEs keep whatever transport they register over.
 */
export const coreTransportVar: VarSpec<TransportProtocol> = {
  env: 'IMS_CORE_TRANSPORT',
  doc: 'transport between the CSCFs (Path, Service-Route, Record-Route, configured peers): tcp or udp',
  default: 'TCP',
  parse: (raw) => parse.oneOf('tcp', 'udp')(raw.toLowerCase()).toUpperCase() as TransportProtocol,
};

/** The URI parameter that sends other CSCFs to this one over the core transport. */
export function coreTransportParam(c: Pick<CscfCommonConfig, 'coreTransport'>): string {
  return c.coreTransport === 'TCP' ? ';transport=tcp' : '';
}

/** `DIAMETER_TRACE`: log every Diameter message sent and received (Cx, CER, DWR, DPR). */
export const diameterTraceVar: VarSpec<boolean> = {
  env: 'DIAMETER_TRACE',
  doc: 'log every Diameter message',
  default: false,
  parse: parse.bool,
};

/**
 * The variables every CSCF shares, in the order they head each role's spec (a role's
 * derived defaults may read `domain`): `IMS_DOMAIN`, `IMS_HOSTS`, `IMS_CORE_TRANSPORT`, `SIP_TRACE`,
 * `IMS_EXPLAIN_FAILURES`, `<PREFIX>_SIP_HOST`, `<PREFIX>_SIP_PORT`, `<PREFIX>_HTTP_HOST`,
 * `<PREFIX>_HTTP_PORT`, `<PREFIX>_LOG_FORMAT`, and `DIAMETER_TRACE` for the I- and S-CSCF.
 * Spread it first:
 *
 * ```ts
 * export const pcscfConfigSpec: ConfigSpec<PcscfConfig> = {
 *   ...cscfCommonSpec('PCSCF', 5060),
 *   name: { ... },
 *   logLevel: cscfLogLevelVar('PCSCF'),
 * };
 * ```
 */
export function cscfCommonSpec(
  prefix: CscfRolePrefix,
  defaultSipPort: number,
): ConfigSpec<CscfCommonConfig> {
  const spec: ConfigSpec<CscfCommonConfig> = {
    domain: {
      env: 'IMS_DOMAIN',
      doc: 'home domain',
      default: DEFAULT_IMS_DOMAIN,
      parse: parse.host,
    },
    hosts: imsHostsVar,
    coreTransport: coreTransportVar,
    sipTrace: {
      env: 'SIP_TRACE',
      doc: 'log every SIP message',
      default: false,
      parse: parse.bool,
    },
    explainFailures: explainFailuresVar,
    sipHost: {
      env: `${prefix}_SIP_HOST`,
      doc: 'SIP bind address (UDP and TCP)',
      default: '127.0.0.1',
      parse: parse.host,
    },
    sipPort: {
      env: `${prefix}_SIP_PORT`,
      doc: 'SIP port (0: ephemeral)',
      default: defaultSipPort,
      parse: parse.port,
    },
    httpHost: {
      env: `${prefix}_HTTP_HOST`,
      doc: 'bind address of GET /health and /metrics (default: the SIP bind address)',
      default: (r) => String(r.sipHost),
      parse: parse.host,
    },
    httpPort: {
      env: `${prefix}_HTTP_PORT`,
      doc: `port of GET /health and /metrics (default: SIP port + ${HTTP_PORT_OFFSET}, ${defaultHttpPort(defaultSipPort)}; 0: ephemeral)`,
      default: (r) => defaultHttpPort(Number(r.sipPort)),
      parse: parse.port,
    },
    logFormat: logFormatVar(prefix),
    // Load shedding (libs/sip OverloadPolicy, RFC 3261 §21.5.4): docs/reliability.md.
    maxPendingTransactions: {
      env: `${prefix}_MAX_PENDING_TRANSACTIONS`,
      doc: 'server transactions awaiting a final response before new requests get 503 (0: no limit)',
      default: DEFAULT_OVERLOAD.maxPendingServerTransactions,
      parse: parse.int({ min: 0, max: 1_000_000 }),
    },
    maxEventLoopLagMs: {
      env: `${prefix}_MAX_EVENT_LOOP_LAG_MS`,
      doc: 'event-loop lag in ms above which new requests get 503 (0: not measured)',
      default: DEFAULT_OVERLOAD.maxEventLoopLagMs,
      parse: parse.int({ min: 0, max: 60000 }),
    },
    overloadRetryAfter: {
      env: `${prefix}_OVERLOAD_RETRY_AFTER`,
      doc: 'Retry-After seconds of the 503 sent when shedding load',
      default: DEFAULT_OVERLOAD.retryAfter,
      parse: parse.int({ min: 0, max: 86400 }),
    },
  };
  if (prefix !== 'PCSCF') spec.diameterTrace = diameterTraceVar;
  return spec;
}

/** The SipStack `overload` option of a CSCF's configuration. */
export function cscfOverload(c: CscfCommonConfig): OverloadOptions {
  return {
    maxPendingServerTransactions: c.maxPendingTransactions,
    maxEventLoopLagMs: c.maxEventLoopLagMs,
    retryAfter: c.overloadRetryAfter,
  };
}

/** `<PREFIX>_LOG_LEVEL`: the lowest level a CSCF logs (default `log`). */
export function cscfLogLevelVar(prefix: CscfRolePrefix): VarSpec<CscfLogLevel> {
  return {
    env: `${prefix}_LOG_LEVEL`,
    doc: 'lowest log level: error, warn, log, debug, verbose',
    default: 'log',
    parse: parse.oneOf('error', 'warn', 'log', 'debug', 'verbose'),
  };
}

/** The CSCFs that talk Cx to the HSS (TS 29.228: the I-CSCF's UAR/LIR, the S-CSCF's MAR/SAR). */
export type CxCscfPrefix = 'ICSCF' | 'SCSCF';

/** What the I- and S-CSCF read the same way about their Cx client. */
export interface CscfCxConfig {
  /** The HSS's Cx address. */
  hss: { host: string; port: number };
  /** Our Diameter Origin-Host (RFC 6733 §6.3). */
  diameterOriginHost: string;
  /** How long a Cx request waits for its answer (ms). */
  hssTimeoutMs: number;
  /** Retry-After (seconds) on the 480 sent when the HSS is unreachable. */
  retryAfter: number;
}

/**
 * The Cx client variables of a CSCF: `<PREFIX>_HSS`, `<PREFIX>_DIAMETER_ORIGIN_HOST`
 * (default `<role>.<domain>`, so `domain` must come before it), `<PREFIX>_HSS_TIMEOUT_MS`,
 * `<PREFIX>_RETRY_AFTER`. Each role places them where its spec lists them:
 * `hss: cx.hss, diameterOriginHost: cx.diameterOriginHost, ...`.
 */
export function cscfCxSpec(prefix: CxCscfPrefix): ConfigSpec<CscfCxConfig> {
  const role = prefix.toLowerCase();
  const title = `${prefix[0]}-${prefix.slice(1)}`;
  return {
    hss: {
      env: `${prefix}_HSS`,
      doc: 'HSS Cx address host:port',
      default: { host: '127.0.0.1', port: 3868 },
      parse: parse.hostPort,
    },
    diameterOriginHost: {
      env: `${prefix}_DIAMETER_ORIGIN_HOST`,
      doc: `Diameter Origin-Host of the ${title}`,
      default: (r) => `${role}.${String(r.domain)}`,
      parse: parse.host,
    },
    hssTimeoutMs: {
      env: `${prefix}_HSS_TIMEOUT_MS`,
      doc: 'Cx request timeout in ms',
      default: 3000,
      parse: parse.int({ min: 1, max: 60000 }),
    },
    retryAfter: {
      env: `${prefix}_RETRY_AFTER`,
      doc: 'Retry-After seconds on 480 when the HSS is unreachable',
      default: 30,
      parse: parse.int({ min: 0, max: 86400 }),
    },
  };
}
