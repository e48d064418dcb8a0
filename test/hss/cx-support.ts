/**
 * Shared pieces of the Cx end-to-end specs (test/hss/cx*.e2e-spec.ts): an HSS started in
 * its own process on ephemeral ports over a temporary sqlite file, REST provisioning
 * (test/support/hss-provisioning.ts), and an S-CSCF/I-CSCF stand-in that is a real
 * DiameterNode from @lib/diameter over TCP.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildLir,
  buildMar,
  buildSar,
  buildUar,
  CX_APPLICATION_ID,
  DiameterMessage,
  DiameterNode,
  DiameterPeer,
  parseLia,
  parseMaa,
  parseSaa,
  parseUaa,
  ServerAssignmentType,
  UserAuthorizationType,
  VENDOR_3GPP,
} from '@lib/diameter';
import type { HssConfig } from '../../apps/hss/src/config';
import { DOMAIN, impusOf, provision, rest } from '../support/hss-provisioning';
import { startRole } from '../support/role-process';

export * from '../support/hss-provisioning';
export const SCSCF_HOST = `scscf.${DOMAIN}`;
export const SCSCF_NAME = `sip:scscf.${DOMAIN}:6060`;
export const ICSCF_HOST = `icscf.${DOMAIN}`;

/** A temporary directory for the sqlite file, removed by `cleanup()`. */
export function tempDb(): { dbPath: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hss-cx-'));
  return {
    dbPath: join(dir, 'hss.sqlite'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An HSS started by {@link startHss}. */
export interface RunningHss {
  base: string;
  restPort: number;
  diameterPort: number;
  config: HssConfig;
  close(): Promise<void>;
}

/**
 * Starts an HSS with `createHssApp({restPort: 0, diameterPort: 0, dbPath, ...overrides})`.
 * It runs in a child Node process (test/support/role-process.ts) and is reached only over
 * its real sockets, REST and Diameter, exactly like the lab's CSCFs reach it.
 */
export async function startHss(
  dbPath: string,
  overrides: Partial<HssConfig> = {},
): Promise<RunningHss> {
  const hss = await startRole({
    role: 'hss',
    overrides: { restPort: 0, diameterPort: 0, dbPath, logLevel: 'error', ...overrides },
  });
  return {
    base: `http://127.0.0.1:${hss.ports.restPort}`,
    restPort: hss.ports.restPort,
    diameterPort: hss.ports.diameterPort,
    config: hss.config as HssConfig,
    close: () => hss.close(),
  };
}

/**
 * A CSCF stand-in: one DiameterNode client connected to the HSS, Cx request helpers with
 * typed answers, and a queue of HSS-initiated requests (RTR/PPR) answered by `answerWith`.
 */
export class CxClient {
  readonly node: DiameterNode;
  peer?: DiameterPeer;
  readonly received: DiameterMessage[] = [];
  answerWith: (req: DiameterMessage) => DiameterMessage | Promise<DiameterMessage>;

  constructor(
    readonly originHost = SCSCF_HOST,
    opts: { watchdogIntervalMs?: number; reconnect?: { initialMs: number; maxMs: number } } = {},
  ) {
    this.node = new DiameterNode({
      originHost,
      originRealm: DOMAIN,
      hostIpAddresses: ['127.0.0.1'],
      productName: 'cx-e2e-client',
      authApplications: [{ vendorId: VENDOR_3GPP, applicationId: CX_APPLICATION_ID }],
      watchdogIntervalMs: opts.watchdogIntervalMs,
      reconnect: opts.reconnect ?? { initialMs: 50, maxMs: 200 },
      requestTimeoutMs: 5000,
    });
    this.answerWith = () => {
      throw new Error('no answer configured');
    };
    this.node.on('error', () => undefined);
    this.node.onRequest(async (req) => {
      this.received.push(req);
      return this.answerWith(req);
    });
  }

  /** Connects and waits for the capabilities exchange to complete. */
  async connect(port: number): Promise<void> {
    const up = once(this.node, 'peer-up');
    this.peer = this.node.connect({ host: '127.0.0.1', port });
    await up;
  }

  async close(): Promise<void> {
    await this.node.close();
  }

  private header() {
    return { originHost: this.originHost, originRealm: DOMAIN, destinationRealm: DOMAIN };
  }

  async uar(
    userName: string,
    publicIdentity: string,
    opts: { visitedNetworkIdentifier?: string; userAuthorizationType?: UserAuthorizationType } = {},
  ) {
    const msg = buildUar({
      ...this.header(),
      userName,
      publicIdentity,
      visitedNetworkIdentifier: opts.visitedNetworkIdentifier ?? DOMAIN,
      userAuthorizationType: opts.userAuthorizationType,
    });
    return parseUaa(await this.node.sendRequest(msg));
  }

  async mar(
    userName: string,
    publicIdentity: string,
    opts: { scheme?: string; authorization?: Buffer; items?: number; serverName?: string } = {},
  ) {
    const msg = buildMar({
      ...this.header(),
      userName,
      publicIdentity,
      serverName: opts.serverName ?? SCSCF_NAME,
      numberAuthItems: opts.items ?? 1,
      authDataItem: {
        scheme: opts.scheme ?? 'Digest-AKAv1-MD5',
        authorization: opts.authorization,
      },
    });
    return parseMaa(await this.node.sendRequest(msg));
  }

  async sar(
    type: ServerAssignmentType,
    publicIdentities: string[],
    opts: { userName?: string; serverName?: string; userDataAlreadyAvailable?: 0 | 1 } = {},
  ) {
    const msg = buildSar({
      ...this.header(),
      userName: opts.userName,
      publicIdentities,
      serverName: opts.serverName ?? SCSCF_NAME,
      serverAssignmentType: type,
      userDataAlreadyAvailable: opts.userDataAlreadyAvailable ?? 0,
    });
    return parseSaa(await this.node.sendRequest(msg));
  }

  async lir(publicIdentity: string) {
    const msg = buildLir({ ...this.header(), publicIdentity });
    return parseLia(await this.node.sendRequest(msg));
  }

  /** Waits until `n` HSS-initiated requests arrived (bounded by the test timeout). */
  async waitForRequests(n: number, timeoutMs = 5000): Promise<DiameterMessage[]> {
    const start = Date.now();
    while (this.received.length < n) {
      if (Date.now() - start > timeoutMs)
        throw new Error(`only ${this.received.length} of ${n} requests arrived`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received.slice(0, n);
  }
}

/** Bars one IMPU through REST (PATCH /public-identities/:ref). */
export async function barImpu(base: string, impu: string): Promise<void> {
  await rest(base, 'PATCH', `/public-identities/${encodeURIComponent(impu)}`, { barred: true });
}

let profileSeq = 0;

/**
 * A service profile with one iFC, its application server, and the subscriber's IMPUs
 * pointed at it. `sessionCase` 2 (TERMINATING_UNREGISTERED) gives the user services in the
 * unregistered state (TS 29.228 §6.1.4.1).
 */
export async function provisionWithProfile(
  base: string,
  imsi: string,
  msisdn: string,
  ifc: { sessionCase?: number; method?: string; priority?: number } = {},
): Promise<{ serviceProfileId: number; ifcId: number; applicationServerId: number }> {
  profileSeq++;
  await provision(base, imsi, msisdn);
  const as = await rest(base, 'POST', '/application-servers', {
    name: `as-${imsi}-${profileSeq}`,
    serverName: `sip:as${profileSeq}.${DOMAIN}`,
    defaultHandling: 0,
  });
  const sp = await rest(base, 'POST', '/service-profiles', { name: `sp-${imsi}-${profileSeq}` });
  const spt =
    ifc.sessionCase !== undefined
      ? { conditionNegated: false, group: [0], sessionCase: ifc.sessionCase }
      : { conditionNegated: false, group: [0], method: ifc.method ?? 'INVITE' };
  const created = await rest(base, 'POST', '/ifcs', {
    name: `ifc-${imsi}-${profileSeq}`,
    priority: ifc.priority ?? 0,
    triggerPoint: { conditionTypeCnf: false, spts: [spt] },
    applicationServerId: as.id,
    serviceProfileId: sp.id,
  });
  for (const impu of impusOf(imsi, msisdn)) {
    await rest(base, 'PATCH', `/public-identities/${encodeURIComponent(impu)}`, {
      serviceProfileId: sp.id,
    });
  }
  return { serviceProfileId: sp.id, ifcId: created.id, applicationServerId: as.id };
}

export function provisionUnregisteredServices(base: string, imsi: string, msisdn: string) {
  return provisionWithProfile(base, imsi, msisdn, { sessionCase: 2 });
}
