import { Inject, Injectable } from '@nestjs/common';
import { CxExperimentalResult, UserAuthorizationType } from '@lib/diameter';
import {
  CxOutcome,
  DIAMETER_AUTHORIZATION_REJECTED,
  DIAMETER_SUCCESS,
  experimentalResult,
  resultCode,
} from './cx-outcome';
import { CX_SETTINGS, CxSettings } from './cx-settings';
import { CxStore, ImpiRecord, ImpuRecord, ownImpu, ServerCapabilitiesView } from './cx-store';

/** The UAR fields the HSS decides on (TS 29.228 Table 6.1.1.1). */
export interface UarInput {
  userName: string;
  publicIdentity: string;
  visitedNetworkIdentifier: string;
  userAuthorizationType?: UserAuthorizationType;
}

/** The UAA the HSS answers (TS 29.228 Table 6.1.1.2). */
export interface UarResult extends CxOutcome {
  serverName?: string;
  serverCapabilities?: ServerCapabilitiesView;
}

/**
 * User registration status query, TS 29.228 §6.1.1 (Cx-Query + Cx-Select-Pull), answered
 * per §6.1.1.1 "Detailed behaviour" in its order: identities, barring, roaming, then the
 * registration state decides between Server-Name and Server-Capabilities.
 */
@Injectable()
export class UarHandler {
  constructor(
    private readonly store: CxStore,
    @Inject(CX_SETTINGS) private readonly settings: CxSettings,
  ) {}

  async handle(req: UarInput): Promise<UarResult> {
    const impi = await this.store.findImpi(req.userName);
    // The IMPI's own IMPUs came with it; only an IMPU it does not have needs a lookup (to tell
    // "unknown" from "not associated" below).
    const impu =
      (impi && ownImpu(impi, req.publicIdentity)) ??
      (await this.store.findImpu(req.publicIdentity));
    // §6.1.1.1 step 1: "check that the Private User Identity and the Public User Identity
    // exists in the HSS. If not Experimental-Result-Code ... DIAMETER_ERROR_USER_UNKNOWN".
    if (!impi || !impu) {
      return experimentalResult(
        CxExperimentalResult.ERROR_USER_UNKNOWN,
        `UAR ${!impi ? 'IMPI' : 'IMPU'} unknown`,
      );
    }
    // Step 2: "check that the Public User Identity ... belongs to the user" (the IMPI);
    // otherwise DIAMETER_ERROR_IDENTITIES_DONT_MATCH.
    if (!impi.publicIdentities.some((p) => p.id === impu.id)) {
      return experimentalResult(
        CxExperimentalResult.ERROR_IDENTITIES_DONT_MATCH,
        'UAR IMPU not associated with IMPI',
      );
    }
    const type = req.userAuthorizationType ?? UserAuthorizationType.REGISTRATION;
    if (type === UserAuthorizationType.DE_REGISTRATION) return this.deregistration(impu);

    // Step 3: for REGISTRATION / REGISTRATION_AND_CAPABILITIES "the HSS shall check that the
    // Public User Identity is not barred"; a barred identity cannot be registered explicitly
    // (TS 23.228 §4.3.7): Result-Code DIAMETER_AUTHORIZATION_REJECTED.
    if (impu.barred) {
      return resultCode(DIAMETER_AUTHORIZATION_REJECTED, 'UAR IMPU barred, registration rejected');
    }
    // Step 4: "check ... whether the user is allowed to roam in the visited network"; if not,
    // DIAMETER_ERROR_ROAMING_NOT_ALLOWED.
    if (!this.roamingAllowed(req.visitedNetworkIdentifier)) {
      return experimentalResult(
        CxExperimentalResult.ERROR_ROAMING_NOT_ALLOWED,
        `UAR roaming not allowed from visited network ${req.visitedNetworkIdentifier}`,
      );
    }
    // Step 5: REGISTRATION_AND_CAPABILITIES asks for S-CSCF (re)selection: capabilities only.
    if (type === UserAuthorizationType.REGISTRATION_AND_CAPABILITIES) {
      return this.firstRegistration('UAR REGISTRATION_AND_CAPABILITIES');
    }
    // Registered, or unregistered (an S-CSCF keeps the profile for unregistered services):
    // "Experimental-Result-Code set to DIAMETER_SUBSEQUENT_REGISTRATION" with the S-CSCF name.
    // Not registered: an S-CSCF name still stored for the subscription (assigned by a MAR in
    // progress or kept by *_STORE_SERVER_NAME) is returned the same way; otherwise
    // DIAMETER_FIRST_REGISTRATION with Server-Capabilities.
    const assigned = this.assignedScscf(impu, impi);
    if (assigned) {
      return {
        ...experimentalResult(
          CxExperimentalResult.SUBSEQUENT_REGISTRATION,
          `UAR ${impu.registrationState}, S-CSCF ${assigned} assigned`,
        ),
        serverName: assigned,
      };
    }
    return this.firstRegistration(`UAR ${impu.registrationState}, no S-CSCF assigned`);
  }

  /**
   * DE_REGISTRATION (§6.1.1.1 step 5): registered or unregistered -> Result-Code
   * DIAMETER_SUCCESS with the S-CSCF name; not registered -> DIAMETER_ERROR_IDENTITY_NOT_REGISTERED.
   */
  private deregistration(impu: ImpuRecord): UarResult {
    if (impu.registrationState !== 'NOT_REGISTERED' && impu.scscfName) {
      return {
        ...resultCode(DIAMETER_SUCCESS, `UAR DE_REGISTRATION, S-CSCF ${impu.scscfName}`),
        serverName: impu.scscfName,
      };
    }
    return experimentalResult(
      CxExperimentalResult.ERROR_IDENTITY_NOT_REGISTERED,
      'UAR DE_REGISTRATION of an identity that is not registered',
    );
  }

  private async firstRegistration(detail: string): Promise<UarResult> {
    const serverCapabilities = await this.store.serverCapabilities(this.settings.scscfNames);
    return {
      ...experimentalResult(
        CxExperimentalResult.FIRST_REGISTRATION,
        `${detail}: capabilities offered (${serverCapabilities.serverNames.join(', ')})`,
      ),
      serverCapabilities,
    };
  }

  private assignedScscf(impu: ImpuRecord, impi: ImpiRecord): string | null {
    if (impu.scscfName) return impu.scscfName;
    return impi.publicIdentities.find((p) => p.scscfName)?.scscfName ?? null;
  }

  /** The roaming check with HSS_ALLOWED_VISITED_NETWORKS (see CxSettings). */
  private roamingAllowed(visitedNetwork: string): boolean {
    const allowed = this.settings.allowedVisitedNetworks;
    if (allowed === '*') return true;
    const vn = visitedNetwork.trim().toLowerCase();
    return vn === this.settings.imsDomain.toLowerCase() || allowed.includes(vn);
  }
}
