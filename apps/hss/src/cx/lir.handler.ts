import { Inject, Injectable } from '@nestjs/common';
import { CxExperimentalResult } from '@lib/diameter';
import { CxOutcome, DIAMETER_SUCCESS, experimentalResult, resultCode } from './cx-outcome';
import { CX_SETTINGS, CxSettings } from './cx-settings';
import { CxStore, ServerCapabilitiesView } from './cx-store';

/** The LIR fields the HSS decides on (TS 29.228 Table 6.1.4.1). */
export interface LirInput {
  publicIdentity: string;
  originatingRequest?: boolean;
}

/** The LIA (TS 29.228 Table 6.1.4.2). */
export interface LirResult extends CxOutcome {
  serverName?: string;
  serverCapabilities?: ServerCapabilitiesView;
}

/**
 * User location query, TS 29.228 §6.1.4 (Cx-Location-Query), answered per §6.1.4.1
 * "Detailed behaviour": which S-CSCF serves a Public User Identity for a terminating request.
 */
@Injectable()
export class LirHandler {
  constructor(
    private readonly store: CxStore,
    @Inject(CX_SETTINGS) private readonly settings: CxSettings,
  ) {}

  async handle(req: LirInput): Promise<LirResult> {
    const impu = await this.store.findImpu(req.publicIdentity);
    // Step 1: "check that the Public Identity ... exists in the HSS. If not, ...
    // DIAMETER_ERROR_USER_UNKNOWN".
    if (!impu)
      return experimentalResult(CxExperimentalResult.ERROR_USER_UNKNOWN, 'LIR IMPU unknown');

    // Registered: "the HSS shall return the S-CSCF name" with Result-Code DIAMETER_SUCCESS.
    if (impu.registrationState === 'REGISTERED' && impu.scscfName) {
      return {
        ...resultCode(DIAMETER_SUCCESS, `LIR REGISTERED at ${impu.scscfName}`),
        serverName: impu.scscfName,
      };
    }
    // Unregistered (an S-CSCF serves the unregistered state): the S-CSCF name with
    // Experimental-Result-Code DIAMETER_UNREGISTERED_SERVICE.
    if (impu.registrationState === 'UNREGISTERED' && impu.scscfName) {
      return {
        ...experimentalResult(
          CxExperimentalResult.UNREGISTERED_SERVICE,
          `LIR UNREGISTERED, served by ${impu.scscfName}`,
        ),
        serverName: impu.scscfName,
      };
    }
    // Not registered but "has services related to unregistered state": the S-CSCF name if
    // one is still stored, otherwise Server-Capabilities, both with DIAMETER_UNREGISTERED_SERVICE.
    if (await this.store.hasUnregisteredServices(impu.id)) {
      if (impu.scscfName) {
        return {
          ...experimentalResult(
            CxExperimentalResult.UNREGISTERED_SERVICE,
            `LIR NOT_REGISTERED with unregistered services, stored S-CSCF ${impu.scscfName}`,
          ),
          serverName: impu.scscfName,
        };
      }
      const serverCapabilities = await this.store.serverCapabilities(this.settings.scscfNames);
      return {
        ...experimentalResult(
          CxExperimentalResult.UNREGISTERED_SERVICE,
          'LIR NOT_REGISTERED with unregistered services, capabilities offered',
        ),
        serverCapabilities,
      };
    }
    // Not registered, no unregistered services: DIAMETER_ERROR_IDENTITY_NOT_REGISTERED.
    return experimentalResult(
      CxExperimentalResult.ERROR_IDENTITY_NOT_REGISTERED,
      'LIR NOT_REGISTERED, no unregistered services',
    );
  }
}
