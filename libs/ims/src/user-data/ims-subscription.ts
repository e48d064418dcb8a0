import { InitialFilterCriteria } from '../ifc';

/**
 * The IMS subscription as the HSS downloads it to the S-CSCF in the Cx User-Data AVP
 * (TS 29.228 §6.6 and Annex B "User profile", XML per Annex E/CxDataType.xsd):
 * IMSSubscription = PrivateID, ServiceProfile+.
 *
 * Optional elements stay `undefined` when absent so that a document reads back to exactly
 * the model it came from.
 */
export interface ImsSubscription {
  /** PrivateID: the IMPI. */
  privateId: string;
  serviceProfiles: ServiceProfile[];
}

/** tIdentityType (PublicIdentity Extension): 0 PUBLIC_USER_IDENTITY, 1 DISTINCT_PSI, 2 WILDCARDED_PSI. */
export type IdentityType = 'public-user-identity' | 'distinct-psi' | 'wildcarded-psi';

/** tPublicIdentity. */
export interface PublicIdentity {
  /** Identity: a SIP URI or tel URI. */
  identity: string;
  /** BarringIndication (absent = not barred). */
  barringIndication?: boolean;
  /** Extension/IdentityType (Rel-6+). */
  identityType?: IdentityType;
  /** Extension/WildcardedPSI (Rel-7+), for identityType wildcarded-psi. */
  wildcardedPsi?: string;
  /** Extension/Extension/DisplayName (Rel-8+). */
  displayName?: string;
}

/** tCoreNetworkServicesAuthorization. */
export interface CoreNetworkServicesAuthorization {
  subscribedMediaProfileId?: number;
}

/** tServiceProfile. */
export interface ServiceProfile {
  publicIdentities: PublicIdentity[];
  coreNetworkServicesAuthorization?: CoreNetworkServicesAuthorization;
  initialFilterCriteria: InitialFilterCriteria[];
  /** Extension/SharedIFCSetID (Rel-6+). */
  sharedIfcSetIds?: number[];
}
