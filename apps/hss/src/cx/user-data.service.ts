import { Injectable } from '@nestjs/common';
import {
  DEFAULT_HANDLING_CODES,
  generateImsSubscription,
  IdentityType,
  ImsSubscription,
  InitialFilterCriteria as IfcModel,
  PROFILE_PART_INDICATOR_CODES,
  REGISTRATION_TYPE_CODES,
  ServiceProfile as ServiceProfileModel,
  ServicePointTrigger as SptModel,
  SESSION_CASE_CODES,
} from '@lib/ims';
import { ServicePointTrigger } from '../database/entities';
import { CxStore, UserDataIfc, UserDataImpu } from './cx-store';

/**
 * Builds the User-Data of SAA and PPR: the IMSSubscription document of TS 29.228 Annex B/E
 * (CxDataType.xsd) for one Private User Identity — every Public User Identity it may use,
 * grouped by service profile, each profile with its iFCs — serialised by libs/ims.
 */
@Injectable()
export class UserDataService {
  constructor(private readonly store: CxStore) {}

  /** The XML for `impi`, or undefined when the IMPI does not exist (any more). */
  async forImpi(impi: string): Promise<string | undefined> {
    // The document depends on provisioned data only (never on registration state or SQN), so
    // it is kept with the IMPI's cached identity rows, which every REST change clears.
    const cached = this.store.cachedUserData(impi);
    if (cached !== undefined) return cached;
    const row = await this.store.subscriptionOf(impi);
    if (!row) return undefined;
    const xml = generateImsSubscription(toImsSubscription(row.impi, row.publicIdentities ?? []));
    this.store.cacheUserData(impi, xml);
    return xml;
  }
}

const IDENTITY_TYPES: Record<string, IdentityType> = {
  'public-user-identity': 'public-user-identity',
  'distinct-psi': 'distinct-psi',
  'wildcarded-psi': 'wildcarded-psi',
};

/**
 * The libs/ims model of an IMPI's identities: one ServiceProfile per service profile row
 * (identities without one share a profile without iFCs), the default IMPU first, iFCs by
 * Priority. Integer codes of the database become the model's names (TS 29.228 Annex E).
 */
export function toImsSubscription(impi: string, impus: UserDataImpu[]): ImsSubscription {
  const groups = new Map<number | null, UserDataImpu[]>();
  const sorted = [...impus].sort(
    (a, b) => Number(b.isDefault) - Number(a.isDefault) || a.id - b.id,
  );
  for (const p of sorted) {
    const key = p.serviceProfile?.id ?? null;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const serviceProfiles: ServiceProfileModel[] = [];
  for (const members of groups.values()) {
    const ifcs = [...(members[0].serviceProfile?.ifcs ?? [])].sort(
      (a, b) => a.priority - b.priority,
    );
    serviceProfiles.push({
      publicIdentities: members.map((p) => ({
        identity: p.impu,
        barringIndication: !!p.barred,
        identityType: IDENTITY_TYPES[p.identityType] ?? 'public-user-identity',
        displayName: p.displayName ?? undefined,
      })),
      initialFilterCriteria: ifcs.map(toIfc),
    });
  }
  return { privateId: impi, serviceProfiles };
}

function toIfc(ifc: UserDataIfc): IfcModel {
  const as = ifc.applicationServer;
  return {
    priority: ifc.priority,
    triggerPoint: ifc.triggerPoint
      ? {
          conditionTypeCnf: !!ifc.triggerPoint.conditionTypeCnf,
          spts: ifc.triggerPoint.spts.map(toSpt),
        }
      : undefined,
    applicationServer: {
      serverName: as.serverName,
      defaultHandling: DEFAULT_HANDLING_CODES[as.defaultHandling] ?? 'session-continued',
      serviceInfo: as.serviceInfo ?? undefined,
      includeRegisterRequest: as.includeRegisterRequest ? true : undefined,
      includeRegisterResponse: as.includeRegisterResponse ? true : undefined,
    },
    profilePartIndicator:
      ifc.profilePartIndicator === null || ifc.profilePartIndicator === undefined
        ? undefined
        : PROFILE_PART_INDICATOR_CODES[ifc.profilePartIndicator],
  };
}

function toSpt(spt: ServicePointTrigger): SptModel {
  const common = {
    conditionNegated: !!spt.conditionNegated,
    groups: Array.isArray(spt.group) ? spt.group : [Number(spt.group ?? 0)],
    registrationTypes: spt.registrationType?.length
      ? spt.registrationType.map((r) => REGISTRATION_TYPE_CODES[r])
      : undefined,
  };
  if (spt.method !== undefined) return { kind: 'method', method: spt.method, ...common };
  if (spt.requestUri !== undefined)
    return { kind: 'request-uri', requestUri: spt.requestUri, ...common };
  if (spt.sipHeader)
    return {
      kind: 'sip-header',
      header: spt.sipHeader.header,
      content: spt.sipHeader.content,
      ...common,
    };
  if (spt.sessionCase !== undefined) {
    return { kind: 'session-case', sessionCase: SESSION_CASE_CODES[spt.sessionCase], ...common };
  }
  if (spt.sessionDescription) {
    return {
      kind: 'session-description',
      line: spt.sessionDescription.line,
      content: spt.sessionDescription.content,
      ...common,
    };
  }
  // An SPT with no condition cannot be expressed; a method that never matches keeps the
  // document valid and the iFC inert rather than firing for everything.
  return { kind: 'method', method: 'NONE', ...common };
}
