/**
 * A Diameter peer standing in for an HSS that answers every Cx request with one error
 * Result-Code (e.g. DIAMETER_TOO_BUSY 3004, DIAMETER_UNABLE_TO_COMPLY 5012): what the CSCFs
 * must turn into a clean SIP failure. Real Diameter over TCP (CER/CEA, DWR/DWA) on loopback;
 * only the answers are canned.
 */
import type { AddressInfo } from 'node:net';
import { createErrorAnswer, CX_APPLICATION_ID, DiameterNode, VENDOR_3GPP } from '@lib/diameter';
import { DOMAIN } from './hss-provisioning';

export interface FailingHss {
  node: DiameterNode;
  port: number;
  /** Command codes of the requests received, in order (300 UAR, 301 SAR, 302 LIR, 303 MAR). */
  seen: number[];
  /** Resolves once a CSCF has completed CER/CEA (bounded: 10 s). */
  waitForPeer(): Promise<void>;
  close(): Promise<void>;
}

export async function startFailingHss(
  resultCode: number,
  errorMessage: string,
): Promise<FailingHss> {
  const originHost = `hss.${DOMAIN}`;
  const node = new DiameterNode({
    originHost,
    originRealm: DOMAIN,
    hostIpAddresses: ['127.0.0.1'],
    authApplications: [{ vendorId: VENDOR_3GPP, applicationId: CX_APPLICATION_ID }],
  });
  node.on('error', () => undefined);
  const seen: number[] = [];
  node.onRequest(async (req) => {
    seen.push(req.commandCode);
    return createErrorAnswer(req, resultCode, undefined, {
      originHost,
      originRealm: DOMAIN,
      errorMessage,
    });
  });
  const { port } = (await node.listen(0, '127.0.0.1')) as AddressInfo;
  return {
    node,
    port,
    seen,
    async waitForPeer() {
      const deadline = Date.now() + 10_000;
      while (node.peers().length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => node.close(),
  };
}
