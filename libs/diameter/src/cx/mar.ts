/**
 * Multimedia-Auth-Request/Answer (TS 29.229 §6.1.7, §6.1.8; TS 29.228 §6.3): the S-CSCF asks
 * the HSS for authentication vectors, or (with SIP-Authorization = RAND || AUTS) for a
 * re-synchronisation (TS 33.203 §6.3.3).
 */
import { Avp } from '../codec/avp';
import { DiameterMessage } from '../codec/diameter-message';
import { avp } from '../codec/message-builder';
import {
  CxAnswerInit,
  CxAnswerResult,
  CxRequestHeader,
  CxRequestInit,
  cxAnswer,
  cxRequest,
  expectCommand,
  missing,
  opt,
  optBuffer,
  optNumber,
  optString,
  parseAnswerResult,
  parseRequestHeader,
  reqNumber,
  reqString,
} from './cx-message';

/** SIP-Authentication-Scheme values (TS 29.229 §6.3.9 and common implementations). */
export const SipAuthenticationScheme = {
  DIGEST_AKAV1_MD5: 'Digest-AKAv1-MD5',
  DIGEST_AKAV2_MD5: 'Digest-AKAv2-MD5',
  SIP_DIGEST: 'SIP Digest',
  DIGEST_MD5: 'Digest-MD5',
  UNKNOWN: 'Unknown',
} as const;

/** The MAR's SIP-Auth-Data-Item: the scheme wanted, and RAND || AUTS for a resync. */
export interface MarAuthDataItem {
  scheme?: string;
  /** SIP-Authorization: RAND (16) || AUTS (14) when re-synchronising. */
  authorization?: Buffer;
}

export interface MultimediaAuthRequest extends CxRequestHeader {
  userName: string;
  publicIdentity: string;
  serverName: string;
  numberAuthItems: number;
  authDataItem: MarAuthDataItem;
}

/** TS 29.229 §6.3.36 SIP-Digest-Authenticate (for SIP Digest, TS 29.228 §6.3.x). */
export interface SipDigestAuthenticate {
  realm: string;
  qop?: string;
  ha1: string;
  algorithm?: string;
}

/** One SIP-Auth-Data-Item of a MAA (TS 29.229 §6.3.13). */
export interface SipAuthDataItem {
  itemNumber?: number;
  scheme: string;
  /** SIP-Authenticate: RAND || AUTN for IMS AKA (§6.3.10). */
  authenticate?: Buffer;
  /** SIP-Authorization: XRES for IMS AKA (§6.3.11). */
  authorization?: Buffer;
  /** Confidentiality-Key CK (§6.3.27). */
  confidentialityKey?: Buffer;
  /** Integrity-Key IK (§6.3.28). */
  integrityKey?: Buffer;
  /** SIP-Digest-Authenticate (§6.3.36). */
  digest?: SipDigestAuthenticate;
}

export interface MultimediaAuthAnswer extends CxAnswerResult {
  userName?: string;
  publicIdentity?: string;
  numberAuthItems?: number;
  items: SipAuthDataItem[];
}

export function buildMar(f: CxRequestInit<MultimediaAuthRequest>): DiameterMessage {
  return cxRequest('Multimedia-Auth-Request', f, [
    avp('User-Name', f.userName),
    avp('Public-Identity', f.publicIdentity),
    avp('SIP-Auth-Data-Item', {
      'SIP-Authentication-Scheme': f.authDataItem.scheme,
      'SIP-Authorization': f.authDataItem.authorization,
    }),
    avp('SIP-Number-Auth-Items', f.numberAuthItems),
    avp('Server-Name', f.serverName),
  ]);
}

export function parseMar(msg: DiameterMessage): MultimediaAuthRequest {
  const w = 'MAR';
  expectCommand(msg, w);
  const item = msg.find('SIP-Auth-Data-Item');
  if (!item) throw missing('SIP-Auth-Data-Item', w);
  const authDataItem: MarAuthDataItem = {};
  const scheme = optString(item, 'SIP-Authentication-Scheme', w);
  if (scheme !== undefined) authDataItem.scheme = scheme;
  const authorization = optBuffer(item, 'SIP-Authorization', w);
  if (authorization !== undefined) authDataItem.authorization = authorization;
  return {
    ...parseRequestHeader(msg, w),
    userName: reqString(msg, 'User-Name', w),
    publicIdentity: reqString(msg, 'Public-Identity', w),
    serverName: reqString(msg, 'Server-Name', w),
    numberAuthItems: reqNumber(msg, 'SIP-Number-Auth-Items', w),
    authDataItem,
  };
}

function authDataItemAvp(i: SipAuthDataItem): Avp {
  return avp('SIP-Auth-Data-Item', {
    'SIP-Item-Number': i.itemNumber,
    'SIP-Authentication-Scheme': i.scheme,
    'SIP-Authenticate': i.authenticate,
    'SIP-Authorization': i.authorization,
    'Confidentiality-Key': i.confidentialityKey,
    'Integrity-Key': i.integrityKey,
    'SIP-Digest-Authenticate': i.digest && {
      'Digest-Realm': i.digest.realm,
      'Digest-Algorithm': i.digest.algorithm,
      'Digest-QoP': i.digest.qop,
      'Digest-HA1': i.digest.ha1,
    },
  });
}

export function buildMaa(
  req: DiameterMessage,
  f: CxAnswerInit & { userName?: string; publicIdentity?: string; items?: SipAuthDataItem[] },
): DiameterMessage {
  const items = f.items ?? [];
  return cxAnswer(req, f, [
    opt('User-Name', f.userName),
    opt('Public-Identity', f.publicIdentity),
    items.length ? avp('SIP-Number-Auth-Items', items.length) : undefined,
    ...items.map(authDataItemAvp),
  ]);
}

function parseAuthDataItem(g: Avp, w: string): SipAuthDataItem {
  const out: SipAuthDataItem = { scheme: optString(g, 'SIP-Authentication-Scheme', w) ?? '' };
  const n = optNumber(g, 'SIP-Item-Number', w);
  if (n !== undefined) out.itemNumber = n;
  const bufs: [keyof SipAuthDataItem, string][] = [
    ['authenticate', 'SIP-Authenticate'],
    ['authorization', 'SIP-Authorization'],
    ['confidentialityKey', 'Confidentiality-Key'],
    ['integrityKey', 'Integrity-Key'],
  ];
  for (const [key, name] of bufs) {
    const v = optBuffer(g, name, w);
    if (v !== undefined) (out as unknown as Record<string, Buffer>)[key] = v;
  }
  const d = g.find('SIP-Digest-Authenticate');
  if (d) {
    out.digest = { realm: reqString(d, 'Digest-Realm', w), ha1: reqString(d, 'Digest-HA1', w) };
    const qop = optString(d, 'Digest-QoP', w);
    if (qop !== undefined) out.digest.qop = qop;
    const alg = optString(d, 'Digest-Algorithm', w);
    if (alg !== undefined) out.digest.algorithm = alg;
  }
  return out;
}

export function parseMaa(msg: DiameterMessage): MultimediaAuthAnswer {
  const w = 'MAA';
  expectCommand(msg, w);
  const out: MultimediaAuthAnswer = {
    ...parseAnswerResult(msg, w),
    items: msg.findAll('SIP-Auth-Data-Item').map((g) => parseAuthDataItem(g, w)),
  };
  const userName = optString(msg, 'User-Name', w);
  if (userName !== undefined) out.userName = userName;
  const impu = optString(msg, 'Public-Identity', w);
  if (impu !== undefined) out.publicIdentity = impu;
  const n = optNumber(msg, 'SIP-Number-Auth-Items', w);
  if (n !== undefined) out.numberAuthItems = n;
  return out;
}
