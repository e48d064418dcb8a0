/**
 * User-Authorization-Request/Answer (TS 29.229 §6.1.1, §6.1.2; TS 29.228 §6.1.1): the I-CSCF
 * asks the HSS whether the user may register and which S-CSCF serves (or could serve) it.
 */
import { DiameterMessage } from '../codec/diameter-message';
import { UserAuthorizationType } from '../dictionary/cx-application';
import {
  CxAnswerInit,
  CxAnswerResult,
  CxRequestHeader,
  CxRequestInit,
  ServerCapabilities,
  cxAnswer,
  cxRequest,
  expectCommand,
  opt,
  optNumber,
  optString,
  parseAnswerResult,
  parseRequestHeader,
  parseServerCapabilities,
  reqString,
  serverCapabilitiesAvp,
} from './cx-message';
import { avp } from '../codec/message-builder';

export interface UserAuthorizationRequest extends CxRequestHeader {
  /** The private user identity (IMPI), in User-Name. */
  userName: string;
  publicIdentity: string;
  /** Visited-Network-Identifier (OctetString carrying the network's domain name). */
  visitedNetworkIdentifier: string;
  userAuthorizationType?: UserAuthorizationType;
  uarFlags?: number;
}

export interface UserAuthorizationAnswer extends CxAnswerResult {
  serverName?: string;
  serverCapabilities?: ServerCapabilities;
}

export function buildUar(f: CxRequestInit<UserAuthorizationRequest>): DiameterMessage {
  return cxRequest('User-Authorization-Request', f, [
    avp('User-Name', f.userName),
    avp('Public-Identity', f.publicIdentity),
    avp('Visited-Network-Identifier', f.visitedNetworkIdentifier),
    opt('User-Authorization-Type', f.userAuthorizationType),
    opt('UAR-Flags', f.uarFlags),
  ]);
}

export function parseUar(msg: DiameterMessage): UserAuthorizationRequest {
  const w = 'UAR';
  expectCommand(msg, w);
  const out: UserAuthorizationRequest = {
    ...parseRequestHeader(msg, w),
    userName: reqString(msg, 'User-Name', w),
    publicIdentity: reqString(msg, 'Public-Identity', w),
    visitedNetworkIdentifier: reqString(msg, 'Visited-Network-Identifier', w),
  };
  const uat = optNumber(msg, 'User-Authorization-Type', w);
  if (uat !== undefined) out.userAuthorizationType = uat;
  const flags = optNumber(msg, 'UAR-Flags', w);
  if (flags !== undefined) out.uarFlags = flags;
  return out;
}

export function buildUaa(
  req: DiameterMessage,
  f: CxAnswerInit & { serverName?: string; serverCapabilities?: ServerCapabilities },
): DiameterMessage {
  return cxAnswer(req, f, [
    opt('Server-Name', f.serverName),
    serverCapabilitiesAvp(f.serverCapabilities),
  ]);
}

export function parseUaa(msg: DiameterMessage): UserAuthorizationAnswer {
  const w = 'UAA';
  expectCommand(msg, w);
  const out: UserAuthorizationAnswer = parseAnswerResult(msg, w);
  const serverName = optString(msg, 'Server-Name', w);
  if (serverName !== undefined) out.serverName = serverName;
  const caps = parseServerCapabilities(msg, w);
  if (caps) out.serverCapabilities = caps;
  return out;
}
