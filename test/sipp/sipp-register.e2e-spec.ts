/**
 * SIPp (Debian sip-tester) as an outside UE: a few hundred distinct subscribers register with
 * IMS AKA (SIPp computes AKAv1-MD5 itself from aka_K/aka_OP/aka_AMF) and de-register through
 * the P-CSCF of the whole core, every one succeeding.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSipp, sippAvailable } from '../../scripts/sipp';
import { DOMAIN, Lab } from '../support/lab';
import { bulkCsv, sippSubscribers, writeInjectionFile } from '../support/sipp-subscribers';

jest.setTimeout(180000);

const SUBSCRIBERS = 300;

describe('SIPp registers and de-registers distinct subscribers through the core', () => {
  let lab: Lab;

  beforeAll(async () => {
    if (!sippAvailable())
      throw new Error('sipp is not installed (Debian package sip-tester; .ci/run installs it)');
    lab = await Lab.start();
    await lab.waitForCxPeers(2);
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it.each([
    ['UDP', 'u1', '0010177'],
    ['TCP', 't1', '0010166'],
  ] as const)(
    `registers and de-registers ${SUBSCRIBERS} subscribers over %s`,
    async (_name, transport, prefix) => {
      const subs = sippSubscribers(SUBSCRIBERS, prefix);
      const imported = await fetch(`${lab.hssUrl}/subscribers/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: bulkCsv(subs),
      });
      expect(imported.status).toBe(201);

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-reg-'));
      writeInjectionFile(path.join(dir, 'users.csv'), subs);
      const result = await runSipp({
        scenario: path.join(__dirname, 'ims-aka-register.xml'),
        target: { host: '127.0.0.1', port: lab.ports.pcscf },
        transport,
        calls: SUBSCRIBERS,
        rate: 50,
        injectionFile: path.join(dir, 'users.csv'),
        authUri: DOMAIN,
        timeoutSec: 90,
        workDir: dir,
      });

      const why = `${result.command}\n${result.stderr.slice(0, 2000)}\n${result.errors.slice(0, 2000)}`;
      expect({
        exit: result.exitCode,
        ok: result.successful,
        failed: result.failed,
        why: result.exitCode === 0 ? '' : why,
      }).toEqual({
        exit: 0,
        ok: SUBSCRIBERS,
        failed: 0,
        why: '',
      });

      // Every subscriber went through UAR, MAR and SAR, and ends de-registered.
      for (const s of [subs[0], subs[SUBSCRIBERS >> 1], subs[SUBSCRIBERS - 1]]) {
        const view = await lab.rest('GET', `/subscribers/${s.imsi}`);
        expect(view.status).toBe(200);
        expect(JSON.stringify(view.body)).not.toMatch(/"REGISTERED"/);
        const attempts = await lab.rest<unknown>('GET', `/subscribers/${s.imsi}/attempts?limit=50`);
        const text = JSON.stringify(attempts.body);
        expect(text).toMatch(/"MAR"/);
        expect(text).toMatch(/"SAR"/);
      }
    },
  );
});
