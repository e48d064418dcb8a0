/**
 * HSS benchmarks (`npm run bench -- hss`):
 *  - bulk import of 100k subscribers as CSV through `POST /subscribers/bulk` into a fresh
 *    sqlite file (seconds, one transaction, the REST path operators use);
 *  - MAR answers per second from one Diameter connection with those 100k provisioned:
 *    pipelined (64 requests in flight), random subscribers, AKAv1 one vector each. Every MAR
 *    advances and persists SQN before it is answered, so this is the durable figure.
 * Both run on loopback against an HSS started in-process (createHssApp).
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMar, CX_APPLICATION_ID, DiameterNode, parseMaa, VENDOR_3GPP } from '@lib/diameter';
import { createHssApp } from '../apps/hss/src/hss-app';
import { BenchRow, BenchSuite, median } from './bench-row';

const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';
const SUBSCRIBERS = Number(process.env.HSS_BENCH_SUBSCRIBERS ?? 100_000);
const MARS_PER_RUN = Number(process.env.HSS_BENCH_MARS ?? 20_000);
const IN_FLIGHT = 64;
const RUNS = 5;
const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';

const imsiOf = (i: number): string => `00101${String(i).padStart(10, '0')}`;

function csv(n: number): string {
  const lines = ['imsi,msisdn,k,opc'];
  for (let i = 0; i < n; i++)
    lines.push(`${imsiOf(i)},1555${String(i).padStart(7, '0')},${K},${OPC}`);
  return lines.join('\n') + '\n';
}

async function bulkImport(base: string, body: string): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await fetch(`${base}/subscribers/bulk`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`bulk import -> ${res.status}: ${text.slice(0, 500)}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** MARs for random subscribers, `IN_FLIGHT` outstanding at any time; answers/s. */
async function marRun(client: DiameterNode, count: number): Promise<number> {
  let sent = 0;
  let failed = 0;
  const start = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (sent < count) {
      sent++;
      const imsi = imsiOf(Math.floor(Math.random() * SUBSCRIBERS));
      const maa = parseMaa(
        await client.sendRequest(
          buildMar({
            originHost: `scscf.${DOMAIN}`,
            originRealm: DOMAIN,
            destinationRealm: DOMAIN,
            userName: `${imsi}@${DOMAIN}`,
            publicIdentity: `sip:${imsi}@${DOMAIN}`,
            serverName: `sip:scscf.${DOMAIN}:6060`,
            numberAuthItems: 1,
            authDataItem: { scheme: 'Digest-AKAv1-MD5' },
          }),
        ),
      );
      if (maa.resultCode !== 2001 || maa.items.length !== 1) failed++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (failed)
    throw new Error(`${failed} of ${count} MARs were not answered with 2001 + one vector`);
  return count / seconds;
}

export const suite: BenchSuite = {
  id: 'hss',
  async run(): Promise<BenchRow[]> {
    const dir = mkdtempSync(join(tmpdir(), 'hss-bench-'));
    const body = csv(SUBSCRIBERS);
    const importRuns: number[] = [];
    try {
      // Import: each run into a fresh file (the last one stays for the MAR runs).
      let hss = await createHssApp({
        restPort: 0,
        diameterPort: 0,
        dbPath: join(dir, 'a.sqlite'),
        logLevel: 'error',
      });
      for (let r = 0; r < 3; r++) {
        if (r > 0) {
          await hss.close();
          hss = await createHssApp({
            restPort: 0,
            diameterPort: 0,
            dbPath: join(dir, `${r}.sqlite`),
            logLevel: 'error',
          });
        }
        importRuns.push(await bulkImport(`http://127.0.0.1:${hss.restPort}`, body));
      }

      const client = new DiameterNode({
        originHost: `scscf.${DOMAIN}`,
        originRealm: DOMAIN,
        authApplications: [{ vendorId: VENDOR_3GPP, applicationId: CX_APPLICATION_ID }],
        requestTimeoutMs: 30000,
      });
      const up = once(client, 'peer-up');
      client.connect({ host: '127.0.0.1', port: hss.diameterPort });
      await up;
      await marRun(client, 2000); // warm-up
      const marRuns: number[] = [];
      for (let r = 0; r < RUNS; r++) marRuns.push(await marRun(client, MARS_PER_RUN));
      await client.close();
      await hss.close();

      return [
        {
          name: `HSS bulk import ${SUBSCRIBERS} subscribers (CSV, sqlite file)`,
          value: median(importRuns),
          unit: 's',
          runs: importRuns,
          command: 'npm run bench -- hss',
          note: 'POST /subscribers/bulk text/csv into a fresh sqlite file (WAL), one transaction',
        },
        {
          name: `HSS MAR answers/s (AKAv1, 1 vector, ${SUBSCRIBERS} provisioned)`,
          value: median(marRuns),
          unit: 'answers/s',
          runs: marRuns,
          command: 'npm run bench -- hss',
          note: `one TCP connection, ${IN_FLIGHT} in flight, random subscribers, ${MARS_PER_RUN} MARs/run; SQN persisted before each answer`,
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
