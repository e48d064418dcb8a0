/**
 * The suite says no, and says it precisely (issue 7): a core with a deliberate fault makes the
 * cases that check the broken behaviour fail, and only those. Faults made from outside the
 * roles:
 * - an access network that drops Service-Route (or Path) from the 200 OK to REGISTER, i.e. a
 *   UDP relay in front of the P-CSCF;
 * - an HSS provisioned with a wrong OPc for the suite's subscribers (the subscribers file has
 *   the right keys), so no AKA challenge verifies at the UE.
 */
import { randomBytes } from 'node:crypto';
import {
  callCases,
  CaseStatus,
  ConformanceCase,
  FileSubscriberSource,
  ProvisioningSubscriberSource,
  registrationCases,
  renderJunit,
  runSuite,
  SubscriberSource,
  SuiteConfig,
  SuiteRun,
  SuiteSubscriber,
} from '@lib/ims';
import { DOMAIN, Lab } from '../support/lab';
import { akaSubscriber, shortcutBody } from '../support/subscribers';
import { HeaderStrippingRelay } from './support/header-stripping-relay';
import { readJunit } from './support/run-cli';

jest.setTimeout(300000);

describe('ims-test against a core with a deliberate fault', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await Lab.start({ env: { SCSCF_MIN_EXPIRES: '2' } });
    await lab.waitForCxPeers(2);
  });

  afterAll(async () => {
    await lab?.stop();
  });

  function config(pcscfPort: number): SuiteConfig {
    return {
      pcscf: { host: '127.0.0.1', port: pcscfPort },
      transport: 'UDP',
      domain: DOMAIN,
      localHost: '127.0.0.1',
      t1Ms: 100,
      caseTimeoutMs: 30000,
      maxExpiryWaitS: 30,
    };
  }

  async function run(
    pcscfPort: number,
    subscribers: SubscriberSource,
    cases: ConformanceCase[] = registrationCases,
  ): Promise<SuiteRun> {
    return runSuite({
      config: config(pcscfPort),
      cases,
      suites: [...new Set(cases.map((c) => c.suite))],
      subscribers,
    });
  }

  /** Case id -> outcome, as the JUnit XML a CI system reads says it. */
  function outcomes(r: SuiteRun): Record<string, string> {
    const { cases } = readJunit(renderJunit(r));
    return Object.fromEntries(cases.map((c) => [c.name.split(':')[0], c.outcome]));
  }

  function expectOnlyFailing(r: SuiteRun, failing: string[]): void {
    const expected = Object.fromEntries(
      r.results.map(({ id }) => [id, failing.includes(id) ? 'failure' : 'passed']),
    );
    expect(outcomes(r)).toEqual(expected);
    const statuses = Object.fromEntries(r.results.map((x) => [x.id, x.status])) as Record<
      string,
      CaseStatus
    >;
    for (const id of failing) expect(statuses[id]).toBe('failed');
  }

  it('a core that drops Service-Route fails reg.service-route, and only it', async () => {
    const relay = await HeaderStrippingRelay.start(
      { host: '127.0.0.1', port: lab.ports.pcscf },
      { registerOk: ['Service-Route'] },
    );
    try {
      const r = await run(relay.port, new ProvisioningSubscriberSource(lab.hssUrl));
      expect(relay.stripped).toBeGreaterThan(0);
      expectOnlyFailing(r, ['reg.service-route']);
      const failed = r.results.find((x) => x.id === 'reg.service-route')!;
      expect(failed.message).toMatch(/the 200 OK carries Service-Route/);
      // The failing check is reported with what was seen, and the ladder is still drawn.
      expect(failed.checks.at(-1)).toMatchObject({ ok: false, detail: 'none' });
      expect(failed.ladder.messages.map((m) => m.label)).toEqual([
        'REGISTER',
        '401 Unauthorized (REGISTER)',
        'REGISTER',
        '200 OK (REGISTER)',
      ]);
    } finally {
      await relay.close();
    }
  });

  it('a core that does not return Path fails reg.path, and only it', async () => {
    const relay = await HeaderStrippingRelay.start(
      { host: '127.0.0.1', port: lab.ports.pcscf },
      { registerOk: ['Path'] },
    );
    try {
      const r = await run(relay.port, new ProvisioningSubscriberSource(lab.hssUrl));
      expect(relay.stripped).toBeGreaterThan(0);
      expectOnlyFailing(r, ['reg.path']);
      expect(r.results.find((x) => x.id === 'reg.path')!.message).toMatch(/carries the Path/);
    } finally {
      await relay.close();
    }
  });

  it('an HSS with a wrong OPc fails every AKA case, and not SIP Digest, unknown user or a wrong RES', async () => {
    // Provisioned with one OPc, while the subscribers' USIMs (the file) hold another.
    const file: SuiteSubscriber[] = [];
    for (const s of [akaSubscriber(), akaSubscriber()]) {
      const body = { imsi: s.imsi, msisdn: s.msisdn, k: s.k, opc: randomBytes(16).toString('hex') };
      expect((await lab.rest('POST', '/subscribers', body)).status).toBe(201);
      file.push({ impi: s.impi, impu: s.impu, k: s.k, opc: randomBytes(16).toString('hex') });
    }
    const md5 = akaSubscriber();
    const md5Body = { ...shortcutBody(md5), authScheme: 'SIP Digest', password: 'pw-faults' };
    expect((await lab.rest('POST', '/subscribers', md5Body)).status).toBe(201);
    file.push({ impi: md5.impi, impu: md5.impu, password: 'pw-faults' });
    const source = new FileSubscriberSource(file, 'wrong-opc.json');
    const r = await run(lab.ports.pcscf, source);
    const akaCases = [
      'reg.aka',
      'reg.sqn-resync',
      'reg.reregistration',
      'reg.deregistration',
      'reg.expiry',
      'reg.reg-event',
      'reg.service-route',
      'reg.path',
    ];
    expectOnlyFailing(r, akaCases);
    // Each fails where it should: the UE cannot verify the network (AUTN MAC).
    const aka1 = r.results.find((x) => x.id === 'reg.aka')!;
    expect(aka1.message).toMatch(/AUTN MAC verifies/);
    for (const id of akaCases.filter((x) => x !== 'reg.aka')) {
      expect(r.results.find((x) => x.id === id)!.message).toMatch(/200 OK/);
    }
  });

  it("a core that does not assert the caller's identity fails call.basic and call.message, and only them", async () => {
    const relay = await HeaderStrippingRelay.start(
      { host: '127.0.0.1', port: lab.ports.pcscf },
      { requests: ['P-Asserted-Identity'] },
    );
    try {
      const r = await run(relay.port, new ProvisioningSubscriberSource(lab.hssUrl), callCases);
      expect(relay.stripped).toBeGreaterThan(0);
      expectOnlyFailing(r, ['call.basic', 'call.message']);
      for (const id of ['call.basic', 'call.message']) {
        expect(r.results.find((x) => x.id === id)!.message).toMatch(
          /P-Asserted-Identity of the caller/,
        );
      }
    } finally {
      await relay.close();
    }
  });
});
