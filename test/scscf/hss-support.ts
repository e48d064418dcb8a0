/**
 * The HSS side of the S-CSCF end-to-end specs: a real HSS started in-process on ephemeral
 * ports over a temporary sqlite file, provisioned over REST with fetch as an operator would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHssApp, HssApp } from '../../apps/hss/src/hss-app';

export const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';

/** 3GPP TS 35.208 §4.3.1 Test Set 1 (test/vectors/milenage.json). */
export const TEST_SET_1 = {
  k: '465b5ce8b199b49faa5f0a2ee238a6bc',
  opc: 'cd63cb71954a9f4e48a5994e37a02baf',
};

export const impiOf = (imsi: string): string => `${imsi}@${DOMAIN}`;
export const impuOf = (imsi: string): string => `sip:${imsi}@${DOMAIN}`;
/** The implicit registration set the subscriber shortcut derives (TS 23.003 §13.4). */
export const impusOf = (imsi: string, msisdn: string): string[] => [
  impuOf(imsi),
  `sip:+${msisdn}@${DOMAIN}`,
  `tel:+${msisdn}`,
];

export type RunningHss = HssApp & { base: string; cleanup(): Promise<void> };

/** An HSS on ephemeral REST and Cx ports over a fresh sqlite file. */
export async function startHss(): Promise<RunningHss> {
  const dir = mkdtempSync(join(tmpdir(), 'scscf-hss-'));
  const hss = await createHssApp({
    restPort: 0,
    diameterPort: 0,
    dbPath: join(dir, 'hss.sqlite'),
    logLevel: 'error',
  });
  return Object.assign(hss, {
    base: `http://127.0.0.1:${hss.restPort}`,
    cleanup: async () => {
      await hss.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** JSON over REST; throws with the body when the status is not the expected one. */
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

/** The one-call subscriber shortcut of DESIGN.md: IMPI and three IMPUs in one implicit set. */
export function provision(
  base: string,
  imsi: string,
  msisdn: string,
  extra: Record<string, unknown> = {},
): Promise<any> {
  return rest(base, 'POST', '/subscribers', { imsi, msisdn, ...TEST_SET_1, ...extra });
}

/** The registration trace of a subscriber (GET /subscribers/:imsi/attempts), newest first. */
export function attempts(
  base: string,
  imsi: string,
): Promise<{ command: string; resultCode: number; detail?: string }[]> {
  return rest(base, 'GET', `/subscribers/${imsi}/attempts?limit=50`);
}

/**
 * An application server and a service profile whose one iFC triggers on `method` (REGISTER
 * for third-party registration, TS 24.229 §5.4.1.7), assigned to the subscriber's IMPUs.
 */
export async function provisionIfc(
  base: string,
  imsi: string,
  msisdn: string,
  as: {
    serverName: string;
    method: string;
    defaultHandling?: 0 | 1;
    includeRegisterRequest?: boolean;
    includeRegisterResponse?: boolean;
  },
): Promise<{ applicationServerId: number; ifcId: number }> {
  const server = await rest(base, 'POST', '/application-servers', {
    name: `as-${imsi}`,
    serverName: as.serverName,
    defaultHandling: as.defaultHandling ?? 0,
    includeRegisterRequest: as.includeRegisterRequest ?? false,
    includeRegisterResponse: as.includeRegisterResponse ?? false,
  });
  const sp = await rest(base, 'POST', '/service-profiles', { name: `sp-${imsi}` });
  const ifc = await rest(base, 'POST', '/ifcs', {
    name: `ifc-${imsi}`,
    priority: 0,
    triggerPoint: {
      conditionTypeCnf: false,
      spts: [{ conditionNegated: false, group: [0], method: as.method }],
    },
    applicationServerId: server.id,
    serviceProfileId: sp.id,
  });
  for (const impu of impusOf(imsi, msisdn)) {
    await rest(base, 'PATCH', `/public-identities/${encodeURIComponent(impu)}`, {
      serviceProfileId: sp.id,
    });
  }
  return { applicationServerId: server.id, ifcId: ifc.id };
}
