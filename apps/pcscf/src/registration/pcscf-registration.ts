import type { Flow } from '../flows';

/**
 * What the P-CSCF keeps about one registered public user identity of one UE, TS 24.229
 * §5.2.2.1: "store the list of Service-Route header field values", "store the ... URIs in
 * the P-Associated-URI header field" (the first is the default public user identity), the
 * Contact and its expiry, and the flow the UE registered on.
 */
export interface PcscfRegistration {
  /** The IMPU in To of the REGISTER. */
  registeredImpu: string;
  /** P-Associated-URI values, default (first) first: the implicit registration set. */
  associatedUris: string[];
  /** Service-Route values as received (name-addr text), in order. */
  serviceRoutes: readonly string[];
  /** The UE's Contact URIs the registrar accepted. */
  contacts: string[];
  /** Where the UE's requests come from and where requests to it go. */
  flow: Flow;
  /** Epoch ms after which the registration is gone. */
  expiresAt: number;
  /** The P-CSCF's reg-event subscription for this user (TS 24.229 §5.2.3), once accepted. */
  subscription?: RegSubscription;
}

/** The dialog of the P-CSCF's SUBSCRIBE to the reg event package (RFC 3680). */
export interface RegSubscription {
  callId: string;
  fromTag: string;
  toTag?: string;
}

/** A key naming one registration (flow and registered IMPU), e.g. as the owner of dialogs. */
export function registrationKey(reg: PcscfRegistration): string {
  return `${reg.flow.transport}:${reg.flow.host.toLowerCase()}:${reg.flow.port}|${reg.registeredImpu.toLowerCase()}`;
}

/** The default public user identity (TS 24.229 §5.2.2.1: the first P-Associated-URI). */
export function defaultImpu(reg: PcscfRegistration): string {
  return reg.associatedUris[0] ?? reg.registeredImpu;
}
