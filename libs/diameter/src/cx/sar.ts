/**
 * Server-Assignment-Request/Answer (TS 29.229 §6.1.3, §6.1.4; TS 29.228 §6.1.2): the S-CSCF
 * stores or clears its name in the HSS and downloads the user profile (User-Data).
 */
import { DiameterMessage } from '../codec/diameter-message';
import { avp } from '../codec/message-builder';
import { ServerAssignmentType, UserDataAlreadyAvailable } from '../dictionary/cx-application';
import {
  ChargingInformation,
  CxAnswerInit,
  CxAnswerResult,
  CxRequestHeader,
  CxRequestInit,
  allStrings,
  associatedIdentitiesAvp,
  chargingInformationAvp,
  cxAnswer,
  cxRequest,
  expectCommand,
  opt,
  optString,
  parseAnswerResult,
  parseAssociatedIdentities,
  parseChargingInformation,
  parseRequestHeader,
  reqNumber,
  reqString,
} from './cx-message';

export interface ServerAssignmentRequest extends CxRequestHeader {
  userName?: string;
  publicIdentities: string[];
  serverName: string;
  serverAssignmentType: ServerAssignmentType;
  /** User-Data-Already-Available (§6.3.26). */
  userDataAlreadyAvailable: UserDataAlreadyAvailable | 0 | 1;
}

export interface ServerAssignmentAnswer extends CxAnswerResult {
  userName?: string;
  /** User-Data: the IMSSubscription XML (TS 29.228 Annex E), UTF-8. */
  userData?: string;
  chargingInformation?: ChargingInformation;
  /** Associated-Identities: the IMPIs of the IMS subscription. */
  associatedIdentities?: string[];
  serverName?: string;
}

export function buildSar(f: CxRequestInit<ServerAssignmentRequest>): DiameterMessage {
  return cxRequest('Server-Assignment-Request', f, [
    opt('User-Name', f.userName),
    ...f.publicIdentities.map((p) => avp('Public-Identity', p)),
    avp('Server-Name', f.serverName),
    avp('Server-Assignment-Type', f.serverAssignmentType),
    avp('User-Data-Already-Available', f.userDataAlreadyAvailable),
  ]);
}

export function parseSar(msg: DiameterMessage): ServerAssignmentRequest {
  const w = 'SAR';
  expectCommand(msg, w);
  const out: ServerAssignmentRequest = {
    ...parseRequestHeader(msg, w),
    publicIdentities: allStrings(msg, 'Public-Identity', w),
    serverName: reqString(msg, 'Server-Name', w),
    serverAssignmentType: reqNumber(msg, 'Server-Assignment-Type', w),
    userDataAlreadyAvailable: reqNumber(msg, 'User-Data-Already-Available', w) as 0 | 1,
  };
  const userName = optString(msg, 'User-Name', w);
  if (userName !== undefined) out.userName = userName;
  return out;
}

export function buildSaa(
  req: DiameterMessage,
  f: CxAnswerInit & Omit<ServerAssignmentAnswer, keyof CxAnswerResult>,
): DiameterMessage {
  return cxAnswer(req, f, [
    opt('User-Name', f.userName),
    opt('User-Data', f.userData, (x) => Buffer.from(x, 'utf8')),
    chargingInformationAvp(f.chargingInformation),
    associatedIdentitiesAvp(f.associatedIdentities),
    opt('Server-Name', f.serverName),
  ]);
}

export function parseSaa(msg: DiameterMessage): ServerAssignmentAnswer {
  const w = 'SAA';
  expectCommand(msg, w);
  const out: ServerAssignmentAnswer = parseAnswerResult(msg, w);
  const userName = optString(msg, 'User-Name', w);
  if (userName !== undefined) out.userName = userName;
  const userData = optString(msg, 'User-Data', w);
  if (userData !== undefined) out.userData = userData;
  const charging = parseChargingInformation(msg, w);
  if (charging) out.chargingInformation = charging;
  const assoc = parseAssociatedIdentities(msg, w);
  if (assoc) out.associatedIdentities = assoc;
  const serverName = optString(msg, 'Server-Name', w);
  if (serverName !== undefined) out.serverName = serverName;
  return out;
}
