import { parse, type ConfigSpec, type VarSpec } from '../config';
import { explainFailuresVar } from '../failure/explain-failure';
import { imsHostsVar } from '../hosts/ims-hosts';

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
  /** Log every SIP message sent and received (`installSipTrace`). */
  sipTrace: boolean;
  /** Add `Warning: 399 <host> "<cause>"` to every failure this element originates. */
  explainFailures: boolean;
  /** SIP bind address (UDP and TCP). */
  sipHost: string;
  /** SIP port (UDP and TCP); 0 = ephemeral (tests). */
  sipPort: number;
}

/**
 * The variables every CSCF shares, in the order they head each role's spec (a role's
 * derived defaults may read `domain`): `IMS_DOMAIN`, `IMS_HOSTS`, `SIP_TRACE`,
 * `IMS_EXPLAIN_FAILURES`, `<PREFIX>_SIP_HOST`, `<PREFIX>_SIP_PORT`. Spread it first:
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
  return {
    domain: {
      env: 'IMS_DOMAIN',
      doc: 'home domain',
      default: DEFAULT_IMS_DOMAIN,
      parse: parse.host,
    },
    hosts: imsHostsVar,
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
