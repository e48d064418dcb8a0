/**
 * Issue 9 "Overload", the Cx side: an HSS that sheds load answers DIAMETER_TOO_BUSY (3004,
 * RFC 6733 §7.1.3, HSS_MAX_PENDING_CX). The S-CSCF must turn that into a clean SIP failure,
 * 480 with Retry-After (TS 24.229 §5.4.1.2, as when the HSS is unreachable), not a 500.
 * The HSS side (the limit itself) is apps/hss/src/cx/cx-server.service.spec.ts.
 */
import { ResultCode } from '@lib/diameter';
import { UeSimulator } from '@lib/ims';
import { createScscfApp, type ScscfApp } from '../../apps/scscf/src/scscf-app';
import { DOMAIN, TEST_SET_1 } from '../scscf/hss-support';
import { TRUSTED_LOOPBACK } from '../scscf/scscf-support';
import { startFailingHss, type FailingHss } from '../support/failing-hss';

jest.setTimeout(60_000);

describe('S-CSCF in front of a busy HSS (DIAMETER_TOO_BUSY 3004)', () => {
  let hss: FailingHss;
  let scscf: ScscfApp;

  beforeAll(async () => {
    // What apps/hss answers above HSS_MAX_PENDING_CX.
    hss = await startFailingHss(ResultCode.TOO_BUSY, 'too many pending Cx requests');
    scscf = await createScscfApp({
      sipHost: '127.0.0.1',
      sipPort: 0,
      hss: { host: '127.0.0.1', port: hss.port },
      logLevel: 'error',
      retryAfter: 9,
      trustedPeers: TRUSTED_LOOPBACK, // the UE below stands in for the I-CSCF
    });
    await hss.waitForPeer();
  });

  afterAll(async () => {
    await scscf?.close();
    await hss?.close();
  });

  it('answers the REGISTER 480 with Retry-After and the Cx result in the Warning', async () => {
    const ue = await UeSimulator.start({
      impi: `001010000001950@${DOMAIN}`,
      impu: `sip:001010000001950@${DOMAIN}`,
      domain: DOMAIN,
      pcscf: { host: '127.0.0.1', port: scscf.sipPort, transport: 'UDP' },
      credentials: { k: TEST_SET_1.k, opc: TEST_SET_1.opc },
      timers: { T1: 100 },
    });
    try {
      const res = await ue.register();
      expect(hss.seen).toContain(303); // the MAR reached the busy HSS
      expect(res.status).toBe(480);
      expect(res.final.get('Retry-After')).toBe('9');
      expect(res.final.get('Warning')).toContain('HSS unreachable');
      expect(res.final.get('Warning')).toContain('Cx 3004');
    } finally {
      await ue.close();
    }
  });
});
