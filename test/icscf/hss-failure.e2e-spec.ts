/**
 * The I-CSCF in front of an HSS that fails (TS 24.229 §5.3.1.2, TS 29.228 §6.1.1): a UAA
 * with a permanent failure that is not one of the Cx refusals (here DIAMETER_UNABLE_TO_COMPLY
 * 5012, what an HSS answers when its own code throws) is a 403 to the REGISTER, as the spec
 * says for a negative answer. Unlike "unknown user" it is the operator's problem, so the
 * I-CSCF warns in its log - once, then once a minute with a count, since every registration
 * would hit it - and keeps serving.
 */
import { ResultCode } from '@lib/diameter';
import type { SipStack } from '@lib/sip';
import { createIcscfApp, type IcscfApp } from '../../apps/icscf/src/icscf-app';
import { startFailingHss, type FailingHss } from '../support/failing-hss';
import { FAST, HOST, impiOf, impuOf, newUac, register, send } from './cscf-support';

jest.setTimeout(30_000);

describe('I-CSCF in front of an HSS answering UAR with DIAMETER_UNABLE_TO_COMPLY (5012)', () => {
  let hss: FailingHss;
  let icscf: IcscfApp;
  let uac: SipStack;
  const logged: string[] = [];
  let writeSpy: jest.SpyInstance;

  beforeAll(async () => {
    hss = await startFailingHss(ResultCode.UNABLE_TO_COMPLY, 'internal error');
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
        hss: { host: HOST, port: hss.port },
        logLevel: 'warn',
      },
      { timers: FAST },
    );
    await hss.waitForPeer();
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
    expect(hss.seen).toEqual([300]); // one UAR (TS 29.229 §6.1.1)
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain(impuOf(imsi));
    expect(warnings()[0]).toContain('403 to the REGISTER');

    // Nine more (over UDP and TCP): each answered the same, none logged again.
    for (let i = 0; i < 9; i++) {
      const res = await send(uac, reg(), icscf.sipPort, i % 2 ? 'TCP' : 'UDP');
      expect(res.status).toBe(403);
    }
    expect(hss.seen).toHaveLength(10);
    expect(warnings()).toHaveLength(1);
  });
});
