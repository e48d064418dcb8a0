/** What the Cx module reports about its Diameter node for `GET /health`. */
export interface CxHealthStatus {
  /** The Diameter server socket is listening. */
  listening: boolean;
  /** The port actually bound (meaningful when HSS_DIAMETER_PORT=0), null when not listening. */
  port: number | null;
  /** Connected peers and their RFC 6733 §5.6 state, e.g. { originHost: 'scscf...', state: 'ROpen' }. */
  peers: { originHost?: string; state: string }[];
}

/** Implemented by the Cx module; the health controller and createHssApp call it. */
export interface CxHealthProbe {
  status(): CxHealthStatus;
}

/**
 * Injection token the Cx module provides and exports
 * (`{ provide: CX_HEALTH, useExisting: <its service> }`). Optional: without it /health
 * reports the Diameter side as not listening.
 */
export const CX_HEALTH = Symbol.for('hss.CX_HEALTH');
