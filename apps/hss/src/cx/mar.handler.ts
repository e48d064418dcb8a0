import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CxExperimentalResult, SipAuthDataItem } from '@lib/diameter';
import { IssuedVectors, ResyncRejected } from './auth-vector-issuer';
import { AuthVectorService } from './auth-vector.service';
import {
  CxOutcome,
  DIAMETER_SUCCESS,
  DIAMETER_UNABLE_TO_COMPLY,
  experimentalResult,
  resultCode,
} from './cx-outcome';
import { CX_SETTINGS, CxSettings } from './cx-settings';
import { RtrSender } from './rtr.sender';
import { CxStore, ImpiRecord, ImpuRecord, ownImpu } from './cx-store';

/** The MAR fields the HSS decides on (TS 29.228 Table 6.3.1). */
export interface MarInput {
  userName: string;
  publicIdentity: string;
  serverName?: string;
  numberAuthItems?: number;
  authDataItem?: { scheme?: string; authorization?: Buffer };
  /** Origin-Host of the S-CSCF (stored as scscfDiameterHost for RTR/PPR). */
  originHost: string;
}

/** The MAA (TS 29.228 Table 6.3.2). */
export interface MarResult extends CxOutcome {
  userName?: string;
  publicIdentity?: string;
  items: SipAuthDataItem[];
}

/** SIP-Authentication-Scheme values (TS 29.229 §6.3.9) and the families the HSS serves. */
export const AuthScheme = {
  AKA_V1: 'Digest-AKAv1-MD5',
  AKA_V2: 'Digest-AKAv2-MD5',
  SIP_DIGEST: 'SIP Digest',
  DIGEST_MD5: 'Digest-MD5',
  UNKNOWN: 'Unknown',
} as const;

type SchemeFamily = 'aka-v1' | 'aka-v2' | 'digest';

/** Scheme names compare case-insensitively; Kamailio's HTTP_DIGEST_MD5 is plain digest too. */
export function schemeFamily(scheme: string): SchemeFamily | undefined {
  switch (scheme.trim().toLowerCase()) {
    case 'digest-akav1-md5':
      return 'aka-v1';
    case 'digest-akav2-md5':
      return 'aka-v2';
    case 'sip digest':
    case 'digest-md5':
    case 'digest':
    case 'http_digest_md5':
      return 'digest';
    default:
      return undefined;
  }
}

/** The 12 hex digits of a 48-bit SQN, as traces and tshark show it. */
export function sqnHex(sqn: number): string {
  return sqn.toString(16).padStart(12, '0');
}

/**
 * Authentication procedure, TS 29.228 §6.3 (Cx-AV-Req-Resp), §6.3.1 "Detailed behaviour";
 * SIP-Auth-Data-Item contents per TS 29.229 §6.3.13.
 */
@Injectable()
export class MarHandler {
  private readonly logger = new Logger('CxMar');

  constructor(
    private readonly store: CxStore,
    private readonly vectors: AuthVectorService,
    private readonly rtr: RtrSender,
    @Inject(CX_SETTINGS) private readonly settings: CxSettings,
  ) {}

  async handle(req: MarInput): Promise<MarResult> {
    const impi = await this.store.findImpi(req.userName);
    // §6.3.1 step 1: "check that the Private User Identity and the Public User Identity
    // exist in the HSS ... DIAMETER_ERROR_USER_UNKNOWN", and that they belong together,
    // "DIAMETER_ERROR_IDENTITIES_DONT_MATCH".
    if (!impi)
      return this.fail(
        experimentalResult(CxExperimentalResult.ERROR_USER_UNKNOWN, 'MAR IMPI unknown'),
      );
    const impu = ownImpu(impi, req.publicIdentity);
    if (!impu) {
      const exists = await this.store.findImpu(req.publicIdentity);
      return this.fail(
        exists
          ? experimentalResult(
              CxExperimentalResult.ERROR_IDENTITIES_DONT_MATCH,
              'MAR IMPU not associated with IMPI',
            )
          : experimentalResult(CxExperimentalResult.ERROR_USER_UNKNOWN, 'MAR IMPU unknown'),
      );
    }

    // Step 2: the scheme. "Unknown" (or none) means the HSS picks the subscriber's scheme;
    // a scheme the subscriber is not provisioned with, or we do not know, is
    // DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED.
    const requested = req.authDataItem?.scheme;
    const provisioned = impi.authScheme || AuthScheme.AKA_V1;
    const askedUnknown = !requested || requested.trim().toLowerCase() === 'unknown';
    const scheme = askedUnknown ? provisioned : requested;
    const family = schemeFamily(scheme);
    if (!family || family !== schemeFamily(provisioned)) {
      return this.fail(
        experimentalResult(
          CxExperimentalResult.ERROR_AUTH_SCHEME_NOT_SUPPORTED,
          `MAR scheme ${scheme} not supported for this user (provisioned ${provisioned})`,
        ),
      );
    }
    const resync = family !== 'digest' && !!req.authDataItem?.authorization?.length;

    // Step 3 / §8.1: store the S-CSCF name; a different name from a MAR that is not a
    // synchronisation failure overwrites the stored one.
    const assignment = resync ? '' : await this.assignScscf(impi, impu, req);

    if (family === 'digest') return this.digest(impi, req, scheme, assignment);
    return this.aka(impi, req, scheme, resync, assignment);
  }

  private async aka(
    impi: ImpiRecord,
    req: MarInput,
    scheme: string,
    resync: boolean,
    assignment: string,
  ): Promise<MarResult> {
    if (!impi.k || !impi.opc) {
      return this.fail(
        resultCode(DIAMETER_UNABLE_TO_COMPLY, `MAR ${scheme}: no K/OPc provisioned`),
      );
    }
    // SIP-Number-Auth-Items: at least one, at most maxAuthItems (TS 29.229 §6.3.8 leaves
    // the number the HSS returns to it, "the HSS may send fewer").
    const count = Math.min(Math.max(1, req.numberAuthItems ?? 1), this.settings.maxAuthItems);
    let issued: IssuedVectors;
    let detail: string;
    try {
      if (resync) {
        const r = await this.vectors.resync(impi, req.authDataItem!.authorization!, count);
        issued = r;
        detail = `MAR resync: AUTS verified, SQN_MS ${sqnHex(r.sqnMs)}, SQN ${sqnHex(r.sqn)} issued`;
      } else {
        issued = await this.vectors.issue(impi, count);
        detail = `MAR scheme ${scheme}, SQN ${sqnHex(issued.sqn)} issued`;
      }
    } catch (err) {
      if (err instanceof ResyncRejected) {
        // TS 33.102 §6.3.5: when MAC-S does not verify the HE must not reset SQN_HE. TS 29.228
        // §6.3.1 defines no Cx-specific code for it, so the catch-all of the detailed
        // behaviour applies: "the HSS cannot fulfil the received request ... Result-Code set
        // to DIAMETER_UNABLE_TO_COMPLY", and no vectors.
        return this.fail(
          resultCode(DIAMETER_UNABLE_TO_COMPLY, `MAR resync rejected: ${err.message}`),
        );
      }
      this.logger.error(`MAR for ${impi.impi}: ${(err as Error).message}`);
      return this.fail(
        resultCode(DIAMETER_UNABLE_TO_COMPLY, `MAR failed: ${(err as Error).message}`),
      );
    }
    const items: SipAuthDataItem[] = issued.vectors.map((v, i) => ({
      itemNumber: i + 1,
      scheme,
      authenticate: Buffer.concat([v.rand, v.autn]),
      authorization: v.xres,
      confidentialityKey: v.ck,
      integrityKey: v.ik,
    }));
    return {
      ...resultCode(DIAMETER_SUCCESS, `${detail} (${items.length} vector(s))${assignment}`),
      userName: impi.impi,
      publicIdentity: req.publicIdentity,
      items,
    };
  }

  /**
   * SIP Digest (TS 29.229 §6.3.36, TS 33.203 Annex N): SIP-Digest-Authenticate with
   * Digest-Realm, Digest-QoP and Digest-HA1 = MD5(username ":" realm ":" password) of
   * RFC 2617 §3.2.2.2, username being the IMPI and realm the home domain.
   */
  private digest(impi: ImpiRecord, req: MarInput, scheme: string, assignment: string): MarResult {
    if (!impi.password) {
      return this.fail(
        resultCode(DIAMETER_UNABLE_TO_COMPLY, `MAR ${scheme}: no password provisioned`),
      );
    }
    const realm = this.settings.imsDomain;
    const ha1 = createHash('md5').update(`${impi.impi}:${realm}:${impi.password}`).digest('hex');
    return {
      ...resultCode(
        DIAMETER_SUCCESS,
        `MAR scheme ${scheme}, HA1 for realm ${realm} issued${assignment}`,
      ),
      userName: impi.impi,
      publicIdentity: req.publicIdentity,
      items: [{ itemNumber: 1, scheme, digest: { realm, qop: 'auth', ha1 } }],
    };
  }

  /**
   * Records the authenticating S-CSCF for the implicit set (TS 29.228 §6.3.1: for a user not
   * registered the HSS "shall store the S-CSCF name"; §8.1: a different name in a MAR that
   * does not indicate synchronisation failure overwrites it). Returns a note for the trace.
   */
  private async assignScscf(impi: ImpiRecord, impu: ImpuRecord, req: MarInput): Promise<string> {
    if (!req.serverName || impu.scscfName === req.serverName) return '';
    await this.store.assignScscf(impu.implicitSetId, req.serverName, req.originHost);
    // §8.1.1 "Cancellation of the old S-CSCF": registrations held by the previous S-CSCF are
    // de-registered with an RTR (NEW_SERVER_ASSIGNED), unless "the Diameter client address of
    // the newly assigned S-CSCF received in the MAR" equals the stored one.
    const oldHost = impu.scscfDiameterHost;
    if (
      impu.registrationState !== 'NOT_REGISTERED' &&
      impu.scscfName &&
      oldHost &&
      oldHost !== req.originHost
    ) {
      const set = impi.publicIdentities.filter((p) => p.implicitSetId === impu.implicitSetId);
      void this.rtr.send(
        {
          impi: impi.impi,
          impus: set.map((p) => p.impu),
          scscfName: impu.scscfName,
          scscfDiameterHost: oldHost,
          reason: 'NEW_SERVER_ASSIGNED',
        },
        { clearOnSuccess: false },
      );
    }
    return impu.scscfName
      ? `; S-CSCF ${impu.scscfName} replaced by ${req.serverName}`
      : `; S-CSCF ${req.serverName} stored`;
  }

  private fail(outcome: CxOutcome): MarResult {
    return { ...outcome, items: [] };
  }
}
