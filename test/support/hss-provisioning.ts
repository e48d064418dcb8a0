/**
 * Provisioning a real HSS over its REST API, as an operator or a script would (fetch, JSON),
 * and the identities the one-call subscriber shortcut derives (DESIGN.md, TS 23.003 §13).
 * Shared by the HSS, I-/P-CSCF and S-CSCF end-to-end specs.
 */
import { DEFAULT_IMS_DOMAIN } from '@lib/ims';

export const DOMAIN = DEFAULT_IMS_DOMAIN;

/** 3GPP TS 35.208 §4.3.1 Test Set 1 (test/vectors/milenage.json): K and OPc. */
export const TEST_SET_1 = {
  k: '465b5ce8b199b49faa5f0a2ee238a6bc',
  opc: 'cd63cb71954a9f4e48a5994e37a02baf',
};

/** TS 23.003 §13.3: the IMPI `<imsi>@<domain>`. */
export const impiOf = (imsi: string): string => `${imsi}@${DOMAIN}`;
/** TS 23.003 §13.4B: the temporary IMPU `sip:<imsi>@<domain>`. */
export const impuOf = (imsi: string): string => `sip:${imsi}@${DOMAIN}`;
/** The implicit registration set the subscriber shortcut derives for (imsi, msisdn). */
export const impusOf = (imsi: string, msisdn: string): string[] => [
  impuOf(imsi),
  `sip:+${msisdn}@${DOMAIN}`,
  `tel:+${msisdn}`,
];

/**
 * JSON over REST; throws with the body when the status is not `expectStatus` (default: not
 * 2xx).
 */
export async function rest<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  expectStatus?: number,
): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (expectStatus !== undefined ? res.status !== expectStatus : res.status >= 300) {
    throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The one-call subscriber shortcut of DESIGN.md (IMPI, three IMPUs in one implicit set), Test Set 1 keys. */
export function provision(
  base: string,
  imsi: string,
  msisdn: string,
  extra: Record<string, unknown> = {},
): Promise<any> {
  return rest(base, 'POST', '/subscribers', { imsi, msisdn, ...TEST_SET_1, ...extra });
}
