import { buildUar, DiameterPeer, parseUaa, ResultCode, type DiameterNode } from '@lib/diameter';
import type { AttemptRecorder } from './attempt-recorder.service';
import type { CxListenState } from './cx-health.service';
import type { CxOutcome } from './cx-outcome';
import { CxServer } from './cx-server.service';
import { cxSettingsFrom } from './cx-settings';
import type { LirHandler } from './lir.handler';
import type { MarHandler } from './mar.handler';
import type { SarHandler } from './sar.handler';
import type { UarHandler } from './uar.handler';
import { loadHssConfig } from '../config';

const REALM = 'ims.example';

/** A CxServer whose UAR handler waits until the test releases it (a slow database). */
function serverWithSlowUar(maxPendingCx: number) {
  const waiting: (() => void)[] = [];
  const recorded: number[] = [];
  const uar = {
    handle: () =>
      new Promise<CxOutcome>((resolve) =>
        waiting.push(() =>
          resolve({ resultCode: ResultCode.SUCCESS, experimental: false, detail: 'ok' }),
        ),
      ),
  } as unknown as UarHandler;
  const recorder = {
    record: (a: { resultCode: number }) => recorded.push(a.resultCode),
  } as unknown as AttemptRecorder;
  const settings = cxSettingsFrom(
    loadHssConfig({ IMS_DOMAIN: REALM, HSS_MAX_PENDING_CX: String(maxPendingCx) }),
  );
  const server = new CxServer(
    {} as DiameterNode,
    settings,
    {} as CxListenState,
    recorder,
    uar,
    {} as MarHandler,
    {} as SarHandler,
    {} as LirHandler,
  );
  return { server, waiting, recorded };
}

const uar = (n: number) =>
  buildUar({
    originHost: `icscf.${REALM}`,
    originRealm: REALM,
    destinationRealm: REALM,
    userName: `user${n}@${REALM}`,
    publicIdentity: `sip:user${n}@${REALM}`,
    visitedNetworkIdentifier: REALM,
  });

const peer = { originHost: `icscf.${REALM}` } as DiameterPeer;

describe('CxServer load shedding (HSS_MAX_PENDING_CX, RFC 6733 §7.1.3 DIAMETER_TOO_BUSY)', () => {
  it('answers 3004 with the E bit while the limit is reached, and serves again once below', async () => {
    const { server, waiting, recorded } = serverWithSlowUar(2);
    const first = server.dispatch(uar(1), peer);
    const second = server.dispatch(uar(2), peer);
    expect(server.pendingCount).toBe(2);
    const busy = await server.dispatch(uar(3), peer);
    expect(busy.flags.error).toBe(true);
    expect(busy.resultCode()).toBe(ResultCode.TOO_BUSY);
    expect(parseUaa(busy).resultCode).toBe(3004);
    expect(String(busy.get('Error-Message'))).toMatch(/too many pending Cx requests/);
    expect(server.shedTotal).toBe(1);
    // The shed request costs no attempt-log row and no handler call.
    expect(waiting).toHaveLength(2);
    waiting.shift()!();
    expect((await first).resultCode()).toBe(ResultCode.SUCCESS);
    expect(server.pendingCount).toBe(1);
    const third = server.dispatch(uar(4), peer);
    expect(waiting).toHaveLength(2);
    for (const release of waiting.splice(0)) release();
    expect((await second).resultCode()).toBe(ResultCode.SUCCESS);
    expect((await third).resultCode()).toBe(ResultCode.SUCCESS);
    expect(server.pendingCount).toBe(0);
    expect(recorded).toEqual([2001, 2001, 2001]);
  });

  it('has no limit with 0', async () => {
    const { server, waiting } = serverWithSlowUar(0);
    const all = Array.from({ length: 50 }, (_, i) => server.dispatch(uar(i), peer));
    expect(waiting).toHaveLength(50);
    for (const release of waiting) release();
    for (const a of await Promise.all(all)) expect(a.resultCode()).toBe(ResultCode.SUCCESS);
  });
});
