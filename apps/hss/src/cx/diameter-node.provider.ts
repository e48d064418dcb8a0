import { FactoryProvider } from '@nestjs/common';
import { CX_APPLICATION_ID, DiameterNode, VENDOR_3GPP } from '@lib/diameter';
import { CX_SETTINGS, CxSettings } from './cx-settings';

export const DIAMETER_NODE = Symbol('DIAMETER_NODE');

/**
 * The HSS's Diameter node (RFC 6733 peer, server side of Cx). Built here, started by
 * CxServer.onModuleInit and closed (DPR to every peer) in onApplicationShutdown.
 * Cx is advertised in CEA as Vendor-Specific-Application-Id {10415, 16777216} (TS 29.229 §6);
 * a peer whose Origin-Host is not in HSS_DIAMETER_ALLOWED_PEERS (when set) gets CEA
 * DIAMETER_UNKNOWN_PEER (3010, RFC 6733 §5.3.1 / §7.1.3).
 */
export const diameterNodeProvider: FactoryProvider<DiameterNode> = {
  provide: DIAMETER_NODE,
  inject: [CX_SETTINGS],
  useFactory: (settings: CxSettings) => {
    const allowed = new Set(settings.allowedPeers.map((h) => h.toLowerCase()));
    return new DiameterNode({
      originHost: settings.originHost,
      originRealm: settings.originRealm,
      hostIpAddresses: [settings.diameterHost],
      productName: 'ims-testbed-hss',
      authApplications: [{ vendorId: VENDOR_3GPP, applicationId: CX_APPLICATION_ID }],
      watchdogIntervalMs: settings.watchdogIntervalMs,
      acceptPeer: allowed.size
        ? (originHost: string) => allowed.has(originHost.toLowerCase())
        : undefined,
    });
  },
};
