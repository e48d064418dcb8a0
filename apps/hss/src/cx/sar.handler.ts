import { Injectable } from '@nestjs/common';
import { CxExperimentalResult, ServerAssignmentType } from '@lib/diameter';
import {
  CxOutcome,
  DIAMETER_SUCCESS,
  DIAMETER_UNABLE_TO_COMPLY,
  experimentalResult,
  resultCode,
} from './cx-outcome';
import { CxStore, ImpiRecord, ImpuRecord, ownImpu, RegistrationPatch } from './cx-store';
import { UserDataService } from './user-data.service';

/** The SAR fields the HSS decides on (TS 29.228 Table 6.1.2.1). */
export interface SarInput {
  userName?: string;
  publicIdentities: string[];
  serverName: string;
  serverAssignmentType: ServerAssignmentType;
  userDataAlreadyAvailable: 0 | 1;
  /** Origin-Host of the S-CSCF: stored as scscfDiameterHost, the destination of RTR/PPR. */
  originHost: string;
}

/** The SAA (TS 29.228 Table 6.1.2.2). */
export interface SarResult extends CxOutcome {
  userName?: string;
  userData?: string;
  associatedIdentities?: string[];
  /** The previously assigned S-CSCF, with DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED. */
  serverName?: string;
  /** The IMPUs whose state changed, for the trace. */
  impu?: string;
}

const T = ServerAssignmentType;

/** The Server-Assignment-Types that de-register and clear the S-CSCF name. */
const DEREGISTRATION = new Set<number>([
  T.TIMEOUT_DEREGISTRATION,
  T.USER_DEREGISTRATION,
  T.ADMINISTRATIVE_DEREGISTRATION,
  T.DEREGISTRATION_TOO_MUCH_DATA,
]);
const DEREGISTRATION_STORE_NAME = new Set<number>([
  T.TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME,
  T.USER_DEREGISTRATION_STORE_SERVER_NAME,
]);

/**
 * S-CSCF registration/de-registration notification, TS 29.228 §6.1.2 (Cx-Put / Cx-Pull),
 * answered per §6.1.2.1 "Detailed behaviour", one branch per Server-Assignment-Type.
 * Registration state changes apply to the whole implicit registration set (§6.5.1.1/2).
 */
@Injectable()
export class SarHandler {
  constructor(
    private readonly store: CxStore,
    private readonly userData: UserDataService,
  ) {}

  async handle(req: SarInput): Promise<SarResult> {
    // §6.1.2.1 step 1: the identities must exist (DIAMETER_ERROR_USER_UNKNOWN) and, with a
    // User-Name, belong to that Private User Identity (DIAMETER_ERROR_IDENTITIES_DONT_MATCH).
    const resolved = await this.resolve(req);
    if ('resultCode' in resolved) return resolved;
    const { impi, impus } = resolved;
    const set = await this.store.implicitSets(impus);
    const ids = set.map((p) => p.id);
    const first = impus[0];
    const stored = first.scscfName;
    const names = impus.map((p) => p.impu).join(', ');
    const type = req.serverAssignmentType;
    const typeName = T[type] ?? String(type);
    const differentScscf = !!stored && stored !== req.serverName;

    // TS 29.228 §8.1: "If the new and previously assigned S-CSCF names sent in a command
    // other than the Multimedia-Auth-Request command are different ..., then the HSS shall
    // not overwrite the S-CSCF name; instead it shall send a response to the S-CSCF
    // indicating an error" - DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED with the assigned
    // S-CSCF in Server-Name, as §6.1.2.1 specifies for UNREGISTERED_USER. NO_ASSIGNMENT has its
    // own rule below; AUTHENTICATION_FAILURE/TIMEOUT never change another S-CSCF's state.
    const guarded =
      type === T.REGISTRATION ||
      type === T.RE_REGISTRATION ||
      type === T.UNREGISTERED_USER ||
      DEREGISTRATION.has(type) ||
      DEREGISTRATION_STORE_NAME.has(type);
    if (guarded && differentScscf && first.registrationState !== 'NOT_REGISTERED') {
      return {
        ...experimentalResult(
          CxExperimentalResult.ERROR_IDENTITY_ALREADY_REGISTERED,
          `SAR ${typeName} from ${req.serverName} refused: S-CSCF ${stored} is assigned`,
        ),
        userName: impi.impi,
        serverName: stored!,
        impu: names,
      };
    }

    const ok = (detail: string, extra: Partial<SarResult> = {}): SarResult => ({
      ...resultCode(DIAMETER_SUCCESS, `SAR ${typeName}: ${detail}`),
      userName: impi.impi,
      associatedIdentities: impi.associated.length ? impi.associated : undefined,
      impu: names,
      ...extra,
    });
    const assign: RegistrationPatch = {
      scscfName: req.serverName,
      scscfDiameterHost: req.originHost,
    };

    switch (type) {
      case T.REGISTRATION:
      case T.RE_REGISTRATION: {
        // "the HSS shall store the S-CSCF name, set the registration state to registered"
        // and download the profile unless User-Data-Already-Available says the S-CSCF has it.
        await this.store.updateImpus(ids, { ...assign, registrationState: 'REGISTERED' });
        const userData =
          req.userDataAlreadyAvailable === 1 ? undefined : await this.userData.forImpi(impi.impi);
        return ok(`${set.length} IMPU(s) REGISTERED at ${req.serverName}`, { userData });
      }
      case T.UNREGISTERED_USER: {
        // A request for an identity not registered: the S-CSCF serves it in the unregistered
        // state; the HSS stores the name and returns the profile and the User-Name.
        if (first.registrationState === 'REGISTERED') {
          return {
            ...experimentalResult(
              CxExperimentalResult.ERROR_IN_ASSIGNMENT_TYPE,
              `SAR ${typeName} for an identity that is REGISTERED`,
            ),
            userName: impi.impi,
            impu: names,
          };
        }
        await this.store.updateImpus(ids, { ...assign, registrationState: 'UNREGISTERED' });
        return ok(`${set.length} IMPU(s) UNREGISTERED at ${req.serverName}`, {
          userData: await this.userData.forImpi(impi.impi),
        });
      }
      case T.TIMEOUT_DEREGISTRATION:
      case T.USER_DEREGISTRATION:
      case T.ADMINISTRATIVE_DEREGISTRATION:
      case T.DEREGISTRATION_TOO_MUCH_DATA:
        // "the HSS shall ... set the registration state to not registered and clear the
        // S-CSCF name".
        await this.store.updateImpus(ids, {
          registrationState: 'NOT_REGISTERED',
          scscfName: null,
          scscfDiameterHost: null,
        });
        return ok(`${set.length} IMPU(s) NOT_REGISTERED, S-CSCF name cleared`);
      case T.TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME:
      case T.USER_DEREGISTRATION_STORE_SERVER_NAME:
        // The S-CSCF keeps the profile and asks the HSS to keep its name. We always keep it
        // (Result-Code DIAMETER_SUCCESS); DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED would be the
        // answer of an HSS that decides not to.
        await this.store.updateImpus(ids, { ...assign, registrationState: 'NOT_REGISTERED' });
        return ok(`${set.length} IMPU(s) NOT_REGISTERED, S-CSCF name ${req.serverName} kept`);
      case T.AUTHENTICATION_FAILURE:
      case T.AUTHENTICATION_TIMEOUT:
        // Authentication did not complete: a pending assignment (name stored by MAR for a user
        // not registered) is cleared; a registered user keeps state and S-CSCF.
        if (
          first.registrationState === 'NOT_REGISTERED' &&
          (!stored || stored === req.serverName)
        ) {
          await this.store.updateImpus(ids, { scscfName: null, scscfDiameterHost: null });
          return ok('pending S-CSCF assignment cleared');
        }
        return ok(`registration state ${first.registrationState} kept`);
      case T.NO_ASSIGNMENT:
        // "the HSS checks whether the S-CSCF is the one assigned"; if not, DIAMETER_UNABLE_TO_COMPLY.
        // Otherwise the profile is downloaded and nothing changes.
        if (stored !== req.serverName) {
          return {
            ...resultCode(
              DIAMETER_UNABLE_TO_COMPLY,
              `SAR NO_ASSIGNMENT from ${req.serverName}, assigned S-CSCF is ${stored ?? 'none'}`,
            ),
            userName: impi.impi,
            impu: names,
          };
        }
        return ok('user data downloaded, state unchanged', {
          userData: await this.userData.forImpi(impi.impi),
        });
      default:
        // AAA_USER_DATA_REQUEST / PGW_UPDATE belong to SWx, RESTORATION is not supported.
        return {
          ...experimentalResult(
            CxExperimentalResult.ERROR_IN_ASSIGNMENT_TYPE,
            `SAR Server-Assignment-Type ${typeName} not supported on Cx`,
          ),
          userName: impi.impi,
          impu: names,
        };
    }
  }

  private async resolve(
    req: SarInput,
  ): Promise<{ impi: ImpiRecord & { associated: string[] }; impus: ImpuRecord[] } | SarResult> {
    let impi: ImpiRecord | null = null;
    if (req.userName) {
      impi = await this.store.findImpi(req.userName);
      if (!impi)
        return experimentalResult(CxExperimentalResult.ERROR_USER_UNKNOWN, 'SAR IMPI unknown');
    }
    const impus: ImpuRecord[] = [];
    for (const name of req.publicIdentities) {
      const found = (impi && ownImpu(impi, name)) || (await this.store.findImpu(name));
      if (!found)
        return experimentalResult(
          CxExperimentalResult.ERROR_USER_UNKNOWN,
          `SAR IMPU ${name} unknown`,
        );
      if (impi && !impi.publicIdentities.some((p) => p.id === found.id)) {
        return experimentalResult(
          CxExperimentalResult.ERROR_IDENTITIES_DONT_MATCH,
          `SAR IMPU ${name} not associated with IMPI`,
        );
      }
      impus.push(found);
    }
    if (!impi) {
      // No User-Name (e.g. UNREGISTERED_USER): the IMPI is the first one sharing the IMPU,
      // returned in User-Name (TS 29.228 Table 6.1.2.2).
      if (!impus.length)
        return experimentalResult(
          CxExperimentalResult.ERROR_USER_UNKNOWN,
          'SAR without identities',
        );
      const owners = await this.store.impisOf(impus[0].impu);
      impi = owners.length ? await this.store.findImpi(owners[0]) : null;
      if (!impi)
        return experimentalResult(CxExperimentalResult.ERROR_USER_UNKNOWN, 'SAR IMPU has no IMPI');
    }
    if (!impus.length) {
      // Only a User-Name: the request is about the identities registered at this S-CSCF,
      // or the default implicit set when none is.
      const registered = impi.publicIdentities.filter((p) => p.scscfName === req.serverName);
      impus.push(...(registered.length ? registered : impi.publicIdentities.slice(0, 1)));
      if (!impus.length)
        return experimentalResult(CxExperimentalResult.ERROR_USER_UNKNOWN, 'SAR IMPI has no IMPU');
    }
    const owners = await this.store.impisOfSubscription(impi.id);
    return { impi: { ...impi, associated: owners.filter((o) => o !== impi!.impi) }, impus };
  }
}
