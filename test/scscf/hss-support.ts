/**
 * The HSS side of the S-CSCF end-to-end specs: a real HSS started in-process on ephemeral
 * ports over a temporary sqlite file, provisioned over REST with fetch as an operator would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHssApp, HssApp } from '../../apps/hss/src/hss-app';
import { impusOf, rest } from '../support/hss-provisioning';

export * from '../support/hss-provisioning';

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
