/**
 * Location-Info-Request/Answer (TS 29.229 §6.1.5, §6.1.6; TS 29.228 §6.1.4): the I-CSCF asks
 * the HSS which S-CSCF serves a public identity (terminating requests).
 */
import { DiameterMessage } from '../codec/diameter-message';
import { avp } from '../codec/message-builder';
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

/** TS 29.229 §6.3.34 Originating-Request: ORIGINATING (0). */
const ORIGINATING = 0;

export interface LocationInfoRequest extends CxRequestHeader {
  publicIdentity: string;
  /** Originating-Request present (the request is for originating services). */
  originatingRequest?: boolean;
  userAuthorizationType?: UserAuthorizationType;
}

export interface LocationInfoAnswer extends CxAnswerResult {
  serverName?: string;
  serverCapabilities?: ServerCapabilities;
  wildcardedPublicIdentity?: string;
}

export function buildLir(f: CxRequestInit<LocationInfoRequest>): DiameterMessage {
  return cxRequest('Location-Info-Request', f, [
    f.originatingRequest ? avp('Originating-Request', ORIGINATING) : undefined,
    avp('Public-Identity', f.publicIdentity),
    opt('User-Authorization-Type', f.userAuthorizationType),
  ]);
}

export function parseLir(msg: DiameterMessage): LocationInfoRequest {
  const w = 'LIR';
  expectCommand(msg, w);
  const out: LocationInfoRequest = {
    ...parseRequestHeader(msg, w),
    publicIdentity: reqString(msg, 'Public-Identity', w),
  };
  if (optNumber(msg, 'Originating-Request', w) === ORIGINATING) out.originatingRequest = true;
  const uat = optNumber(msg, 'User-Authorization-Type', w);
  if (uat !== undefined) out.userAuthorizationType = uat;
  return out;
}

export function buildLia(
  req: DiameterMessage,
  f: CxAnswerInit & Omit<LocationInfoAnswer, keyof CxAnswerResult>,
): DiameterMessage {
  return cxAnswer(req, f, [
    opt('Server-Name', f.serverName),
    serverCapabilitiesAvp(f.serverCapabilities),
    opt('Wildcarded-Public-Identity', f.wildcardedPublicIdentity),
  ]);
}

export function parseLia(msg: DiameterMessage): LocationInfoAnswer {
  const w = 'LIA';
  expectCommand(msg, w);
  const out: LocationInfoAnswer = parseAnswerResult(msg, w);
  const serverName = optString(msg, 'Server-Name', w);
  if (serverName !== undefined) out.serverName = serverName;
  const caps = parseServerCapabilities(msg, w);
  if (caps) out.serverCapabilities = caps;
  const wildcard = optString(msg, 'Wildcarded-Public-Identity', w);
  if (wildcard !== undefined) out.wildcardedPublicIdentity = wildcard;
  return out;
}
