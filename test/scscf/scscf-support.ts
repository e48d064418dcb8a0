/**
 * The S-CSCF end-to-end harness: a real HSS (hss-support), an S-CSCF from createScscfApp on
 * ephemeral ports pointing at it, and test UEs (libs/ims UeSimulator on @lib/sip) that talk
 * to the S-CSCF directly over loopback UDP or TCP, as the I-CSCF would forward to it.
 */
import { TransportProtocol } from '@lib/sip';
import { UeCredentials, UeSimulator } from '@lib/ims';
import { createScscfApp, ScscfApp } from '../../apps/scscf/src/scscf-app';
import type { ScscfConfig } from '../../apps/scscf/src/config';
import { parseTrustedPeers } from '../../apps/scscf/src/sip/trusted-peers';
import { DOMAIN, impiOf, impuOf, RunningHss, startHss, TEST_SET_1 } from './hss-support';

export interface Core {
  hss: RunningHss;
  scscf: ScscfApp;
  close(): Promise<void>;
}

/** Any port of 127.0.0.1 may hand the S-CSCF a REGISTER (the tests stand in for the I-CSCF). */
export const TRUSTED_LOOPBACK = parseTrustedPeers('127.0.0.1');

/** HSS + S-CSCF with short timers for tests. */
export async function startCore(overrides: Partial<ScscfConfig> = {}): Promise<Core> {
  const hss = await startHss();
  const scscf = await createScscfApp({
    sipHost: '127.0.0.1',
    sipPort: 0,
    hss: { host: '127.0.0.1', port: hss.diameterPort },
    logLevel: 'error',
    hssTimeoutMs: 2000,
    thirdPartyTimeoutMs: 1000,
    // Registrations in memory only: no test finds bindings of an earlier run (SCSCF_DB_PATH).
    dbPath: 'off',
    // The test UEs act as the I-CSCF: they send REGISTER straight to the S-CSCF from
    // 127.0.0.1 (any port), so that address is the trusted previous hop (SCSCF_TRUSTED_PEERS).
    trustedPeers: TRUSTED_LOOPBACK,
    ...overrides,
  });
  await waitForCx(hss);
  return {
    hss,
    scscf,
    close: async () => {
      await scscf.close();
      await hss.cleanup();
    },
  };
}

/** Waits (bounded) until the S-CSCF's Cx connection shows in the HSS /health peers. */
async function waitForCx(hss: RunningHss): Promise<void> {
  await waitFor(async () => {
    const res = await fetch(`${hss.base}/health`);
    const body = (await res.json()) as { diameter?: { peers?: { originHost?: string }[] } };
    return (body.diameter?.peers ?? []).some((p) => p.originHost === `scscf.${DOMAIN}`);
  });
}

/** Polls `check` every 20 ms until it returns true; fails after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A UE for subscriber `imsi` pointed straight at the S-CSCF. */
export function startUe(
  core: Core,
  imsi: string,
  opts: {
    transport?: TransportProtocol;
    credentials?: UeCredentials;
    impu?: string;
    expires?: number;
    verifyNetwork?: boolean;
    algorithm?: string;
  } = {},
): Promise<UeSimulator> {
  return UeSimulator.start({
    impi: impiOf(imsi),
    impu: opts.impu ?? impuOf(imsi),
    domain: DOMAIN,
    pcscf: { host: '127.0.0.1', port: core.scscf.sipPort, transport: opts.transport ?? 'UDP' },
    credentials: opts.credentials ?? { k: TEST_SET_1.k, opc: TEST_SET_1.opc },
    expires: opts.expires ?? 3600,
    verifyNetwork: opts.verifyNetwork,
    algorithm: opts.algorithm,
    timers: { T1: 100 },
  });
}
