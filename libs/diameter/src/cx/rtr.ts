/**
 * Registration-Termination-Request/Answer (TS 29.229 §6.1.9, §6.1.10; TS 29.228 §6.1.3): the
 * HSS de-registers identities at the S-CSCF (network-initiated de-registration).
 */
import { DiameterMessage } from '../codec/diameter-message';
import { avp } from '../codec/message-builder';
import {
  CxAnswerInit,
  CxAnswerResult,
  CxRequestHeader,
  CxRequestInit,
  allStrings,
  associatedIdentitiesAvp,
  cxAnswer,
  cxRequest,
  expectCommand,
  missing,
  optString,
  parseAnswerResult,
  parseAssociatedIdentities,
  parseRequestHeader,
  reqNumber,
  reqString,
} from './cx-message';

/** TS 29.229 §6.3.16 Deregistration-Reason { Reason-Code } [ Reason-Info ]. */
export interface DeregistrationReason {
  /** Reason-Code (§6.3.17), see DeregistrationReasonCode. */
  reasonCode: number;
  reasonInfo?: string;
}

export interface RegistrationTerminationRequest extends CxRequestHeader {
  userName: string;
  publicIdentities?: string[];
  associatedIdentities?: string[];
  deregistrationReason: DeregistrationReason;
}

export interface RegistrationTerminationAnswer extends CxAnswerResult {
  associatedIdentities?: string[];
}

export function buildRtr(f: CxRequestInit<RegistrationTerminationRequest>): DiameterMessage {
  return cxRequest('Registration-Termination-Request', f, [
    avp('User-Name', f.userName),
    associatedIdentitiesAvp(f.associatedIdentities),
    ...(f.publicIdentities ?? []).map((p) => avp('Public-Identity', p)),
    avp('Deregistration-Reason', {
      'Reason-Code': f.deregistrationReason.reasonCode,
      'Reason-Info': f.deregistrationReason.reasonInfo,
    }),
  ]);
}

export function parseRtr(msg: DiameterMessage): RegistrationTerminationRequest {
  const w = 'RTR';
  expectCommand(msg, w);
  const reason = msg.find('Deregistration-Reason');
  if (!reason) throw missing('Deregistration-Reason', w);
  const deregistrationReason: DeregistrationReason = {
    reasonCode: reqNumber(reason, 'Reason-Code', w),
  };
  const info = optString(reason, 'Reason-Info', w);
  if (info !== undefined) deregistrationReason.reasonInfo = info;
  const out: RegistrationTerminationRequest = {
    ...parseRequestHeader(msg, w),
    userName: reqString(msg, 'User-Name', w),
    deregistrationReason,
  };
  const impus = allStrings(msg, 'Public-Identity', w);
  if (impus.length) out.publicIdentities = impus;
  const assoc = parseAssociatedIdentities(msg, w);
  if (assoc) out.associatedIdentities = assoc;
  return out;
}

export function buildRta(
  req: DiameterMessage,
  f: CxAnswerInit & { associatedIdentities?: string[] },
): DiameterMessage {
  return cxAnswer(req, f, [associatedIdentitiesAvp(f.associatedIdentities)]);
}

export function parseRta(msg: DiameterMessage): RegistrationTerminationAnswer {
  const w = 'RTA';
  expectCommand(msg, w);
  const out: RegistrationTerminationAnswer = parseAnswerResult(msg, w);
  const assoc = parseAssociatedIdentities(msg, w);
  if (assoc) out.associatedIdentities = assoc;
  return out;
}
