/**
 * Push-Profile-Request/Answer (TS 29.229 §6.1.11, §6.1.12; TS 29.228 §6.1.3): the HSS pushes a
 * changed user profile (User-Data) or Charging-Information to the S-CSCF.
 */
import { DiameterMessage } from '../codec/diameter-message';
import { avp } from '../codec/message-builder';
import {
  ChargingInformation,
  CxAnswerInit,
  CxAnswerResult,
  CxRequestHeader,
  CxRequestInit,
  chargingInformationAvp,
  cxAnswer,
  cxRequest,
  expectCommand,
  opt,
  optString,
  parseAnswerResult,
  parseChargingInformation,
  parseRequestHeader,
  reqString,
} from './cx-message';

export interface PushProfileRequest extends CxRequestHeader {
  userName: string;
  /** User-Data: the IMSSubscription XML, UTF-8. */
  userData?: string;
  chargingInformation?: ChargingInformation;
}

export type PushProfileAnswer = CxAnswerResult;

export function buildPpr(f: CxRequestInit<PushProfileRequest>): DiameterMessage {
  return cxRequest('Push-Profile-Request', f, [
    avp('User-Name', f.userName),
    opt('User-Data', f.userData, (x) => Buffer.from(x, 'utf8')),
    chargingInformationAvp(f.chargingInformation),
  ]);
}

export function parsePpr(msg: DiameterMessage): PushProfileRequest {
  const w = 'PPR';
  expectCommand(msg, w);
  const out: PushProfileRequest = {
    ...parseRequestHeader(msg, w),
    userName: reqString(msg, 'User-Name', w),
  };
  const userData = optString(msg, 'User-Data', w);
  if (userData !== undefined) out.userData = userData;
  const charging = parseChargingInformation(msg, w);
  if (charging) out.chargingInformation = charging;
  return out;
}

export function buildPpa(req: DiameterMessage, f: CxAnswerInit): DiameterMessage {
  return cxAnswer(req, f, []);
}

export function parsePpa(msg: DiameterMessage): PushProfileAnswer {
  const w = 'PPA';
  expectCommand(msg, w);
  return parseAnswerResult(msg, w);
}
