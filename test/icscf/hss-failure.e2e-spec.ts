/**
 * The I-CSCF in front of an HSS that fails (TS 24.229 §5.3.1.2, TS 29.228 §6.1.1): a UAA
 * with a permanent failure that is not one of the Cx refusals (here DIAMETER_UNABLE_TO_COMPLY
 * 5012, what an HSS answers when its own code throws) is a 403 to the REGISTER, as the spec
 * says for a negative answer. Unlike "unknown user" it is the operator's problem, so the
 * I-CSCF warns in its log - once, then once a minute with a count, since every registration
 * would hit it - and keeps serving.
 */
import type { AddressInfo } from 'node:net';
import {
  createErrorAnswer,
  CX_APPLICATION_ID,
  DiameterNode,
  ResultCode,
  VENDOR_3GPP,
} from '@lib/diameter';
import type { SipStack } from '@lib/sip';
import { createIcscfApp, type IcscfApp } from '../../apps/icscf/src/icscf-app';
import { DOMAIN, FAST, HOST, impiOf, impuOf, newUac, register, send } from './cscf-support';

jest.setTimeout(30_000);

describe('I-CSCF in front of an HSS answering UAR with DIAMETER_UNABLE_TO_COMPLY (5012)', () => {
  let hss: DiameterNode;
  let icscf: IcscfApp;
  let uac: SipStack;
  const uars: number[] = [];
  const logged: string[] = [];
  let writeSpy: jest.SpyInstance;

  beforeAll(async () => {
    hss = new DiameterNode({
      originHost: `hss.${DOMAIN}`,
      originRealm: DOMAIN,
      hostIpAddresses: [HOST],
      authApplications: [{ vendorId: VENDOR_3GPP, applicationId: CX_APPLICATION_ID }],
    });
    hss.on('error', () => undefined);
    hss.onRequest(async (req) => {
      uars.push(req.commandCode);
      return createErrorAnswer(req, ResultCode.UNABLE_TO_COMPLY, undefined, {
        originHost: `hss.${DOMAIN}`,
        originRealm: DOMAIN,
        errorMessage: 'internal error',
      });
    });
    const { port } = (await hss.listen(0, HOST)) as AddressInfo;
    // The role's JSON log lines go to stdout; keep a copy of them (and still print them).
    const write = process.stdout.write.bind(process.stdout);
    writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
      logged.push(String(chunk));
      return write(chunk as string);
    }) as typeof process.stdout.write);
    icscf = await createIcscfApp(
      {
        sipHost: HOST,
        sipPort: 0,
        hss: { host: HOST, port },
        logLevel: 'warn',
      },
      { timers: FAST },
    );
    const deadline = Date.now() + 10_000;
    while (hss.peers().length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    uac = await newUac();
  });

  afterAll(async () => {
    writeSpy?.mockRestore();
    await uac?.stop();
    await icscf?.close();
    await hss?.close();
  });

  const warnings = () =>
    logged.filter((l) => /"level":"warn"/.test(l) && l.includes('UAA Result-Code 5012'));

  it('answers 403 with a Warning, warns once for many REGISTERs, and keeps serving', async () => {
    const imsi = '001010000000471';
    const reg = () =>
      register({ impu: impuOf(imsi), impi: impiOf(imsi), contact: `sip:ue@${HOST}:5999` });
    const first = await send(uac, reg(), icscf.sipPort);
    expect(first.status).toBe(403);
    expect(first.get('Warning') ?? '').toContain('Result-Code 5012');
    expect(uars).toEqual([300]); // one UAR (TS 29.229 §6.1.1)
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain(impuOf(imsi));
    expect(warnings()[0]).toContain('403 to the REGISTER');

    // Nine more (over UDP and TCP): each answered the same, none logged again.
    for (let i = 0; i < 9; i++) {
      const res = await send(uac, reg(), icscf.sipPort, i % 2 ? 'TCP' : 'UDP');
      expect(res.status).toBe(403);
    }
    expect(uars).toHaveLength(10);
    expect(warnings()).toHaveLength(1);
  });
});
