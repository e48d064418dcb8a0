import { HssConfig } from '../config';

/**
 * The part of the HSS configuration (`hss` namespace) the Cx interface uses, in one typed
 * object injected as CX_SETTINGS.
 */
export interface CxSettings {
  /** Home domain, e.g. `ims.mnc001.mcc001.3gppnetwork.org`; also the SIP Digest realm. */
  imsDomain: string;
  diameterHost: string;
  /** 0 = ephemeral. */
  diameterPort: number;
  originHost: string;
  originRealm: string;
  /** Origin-Hosts allowed to connect; empty = any (others get CEA 3010). */
  allowedPeers: string[];
  /** S-CSCFs offered in Server-Capabilities when no ScscfCapability row exists. */
  scscfNames: string[];
  /**
   * Visited-Network-Identifiers a user may register from (TS 29.228 §6.1.1.1 roaming check,
   * HSS_ALLOWED_VISITED_NETWORKS). Our semantics: unset, empty or `*` allows any network (a
   * test bed must accept whatever P-Visited-Network-ID a foreign P-CSCF inserts); a list
   * allows the home domain plus the listed networks, and every other one gets
   * DIAMETER_ERROR_ROAMING_NOT_ALLOWED (5004).
   */
  allowedVisitedNetworks: '*' | string[];
  /** Tw, the device-watchdog interval (RFC 3539 §3.4.1, RFC 6733 §5.5). */
  watchdogIntervalMs: number;
  /** Upper bound of SIP-Number-Auth-Items honoured in one MAR. */
  maxAuthItems: number;
  /** Cx requests served at once before DIAMETER_TOO_BUSY (HSS_MAX_PENDING_CX); 0: no limit. */
  maxPendingCx: number;
  /** Rows of the attempt log kept (HSS_ATTEMPTS_MAX_ROWS); 0: all. */
  attemptsMaxRows: number;
}

export const CX_SETTINGS = Symbol('CX_SETTINGS');

/** Vectors handed out per MAR at most, whatever SIP-Number-Auth-Items asks for. */
export const MAX_AUTH_ITEMS = 5;

export function cxSettingsFrom(hss: HssConfig): CxSettings {
  const visited = hss.allowedVisitedNetworks ?? [];
  return {
    imsDomain: hss.imsDomain,
    diameterHost: hss.diameterHost,
    diameterPort: hss.diameterPort,
    originHost: hss.diameterOriginHost,
    originRealm: hss.diameterRealm,
    allowedPeers: hss.diameterAllowedPeers ?? [],
    scscfNames: hss.scscfNames?.length ? hss.scscfNames : [`sip:scscf.${hss.imsDomain}:6060`],
    allowedVisitedNetworks:
      visited.length === 0 || visited.includes('*') ? '*' : visited.map((v) => v.toLowerCase()),
    watchdogIntervalMs: hss.diameterWatchdogMs ?? 30000,
    maxAuthItems: MAX_AUTH_ITEMS,
    maxPendingCx: hss.maxPendingCx ?? 1000,
    attemptsMaxRows: hss.attemptsMaxRows ?? 20000,
  };
}
