import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** Deregistration-Reason Reason-Code (TS 29.229 §6.3.17). */
export type DeregistrationReasonCode =
  'PERMANENT_TERMINATION' | 'NEW_SERVER_ASSIGNED' | 'SERVER_CHANGE' | 'REMOVE_S-CSCF';

export const DEREGISTRATION_REASONS: readonly DeregistrationReasonCode[] = [
  'PERMANENT_TERMINATION',
  'NEW_SERVER_ASSIGNED',
  'SERVER_CHANGE',
  'REMOVE_S-CSCF',
];

/**
 * The operator de-registered identities, or deleted registered ones: the Cx module sends an
 * RTR (TS 29.228 §6.1.3, network initiated de-registration by the HSS) to `scscfDiameterHost`.
 */
export interface DeregisterEvent {
  impi?: string;
  impus: string[];
  scscfName: string;
  scscfDiameterHost: string;
  reason: DeregistrationReasonCode;
}

/**
 * A registered user's profile changed (service profile, iFCs, barring, identities): the Cx
 * module sends a PPR with the new User-Data (TS 29.228 §6.1.6) to `scscfDiameterHost`.
 */
export interface ProfileChangedEvent {
  impi: string;
  impus: string[];
  scscfDiameterHost: string;
}

export interface HssEventMap {
  deregister: [DeregisterEvent];
  'profile-changed': [ProfileChangedEvent];
}

/**
 * Provisioning events inside the HSS: REST emits them, the Cx module listens and talks to the
 * S-CSCFs. A typed EventEmitter: `events.on('deregister', (e) => ...)`.
 */
@Injectable()
export class HssEventsService extends EventEmitter<HssEventMap> {}
