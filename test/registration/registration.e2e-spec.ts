/**
 * IMS registration end to end (DESIGN.md "Registration (AKA)"; TS 24.229 §5.2.2, §5.3.1,
 * §5.4.1): the four roles as real processes on loopback, a real sqlite file, subscribers
 * provisioned over REST, the UE simulator registering through the P-CSCF over UDP and TCP.
 */
import {
  createRequest,
  createResponse,
  generateTag,
  SipRequest,
  SipStack,
  TransportProtocol,
} from '@lib/sip';
import { UeSimulator } from '@lib/ims';
import { DOMAIN, Lab } from '../support/lab';
import { akaSubscriber, shortcutBody, TestSubscriber } from '../support/subscribers';

jest.setTimeout(60000);

describe('IMS registration through P-CSCF, I-CSCF, S-CSCF and HSS', () => {
  let lab: Lab;
  const ues: UeSimulator[] = [];

  beforeAll(async () => {
    lab = await Lab.start({
      env: { SCSCF_MIN_EXPIRES: '2', IMS_EXPLAIN_FAILURES: 'true' },
    });
    await lab.waitForCxPeers(2);
  });

  afterEach(async () => {
    while (ues.length) await ues.pop()!.close();
  });

  afterAll(async () => {
    await lab?.stop();
  });

  async function provision(s: TestSubscriber, extra: Record<string, unknown> = {}): Promise<void> {
    const res = await lab.rest('POST', '/subscribers', shortcutBody(s, extra));
    expect(res.status).toBe(201);
  }

  async function ue(
    s: TestSubscriber,
    opts: {
      transport?: TransportProtocol;
      k?: string;
      password?: string;
      sqnMs?: string;
      impu?: string;
      contactParams?: string;
    } = {},
  ): Promise<UeSimulator> {
    const u = await UeSimulator.start({
      impi: s.impi,
      impu: opts.impu ?? s.impu,
      domain: DOMAIN,
      pcscf: { host: '127.0.0.1', port: lab.ports.pcscf, transport: opts.transport ?? 'UDP' },
      credentials: opts.password
        ? { password: opts.password }
        : { k: opts.k ?? s.k, op: s.op, sqnMs: opts.sqnMs },
      expires: 600,
      contactParams: opts.contactParams,
      timers: { T1: 100 },
    });
    ues.push(u);
    return u;
  }

  async function attempts(
    s: TestSubscriber,
  ): Promise<{ command: string; resultCode: number; detail?: string }[]> {
    const res = await lab.rest<
      { command: string; resultCode: number; detail?: string }[] | { items: never[] }
    >('GET', `/subscribers/${s.imsi}/attempts?limit=50`);
    expect(res.status).toBe(200);
    return Array.isArray(res.body) ? res.body : res.body.items;
  }

  it.each(['UDP', 'TCP'] as TransportProtocol[])(
    'registers with AKAv1-MD5 over %s',
    async (transport) => {
      const s = akaSubscriber();
      await provision(s);
      const u = await ue(s, { transport });
      const r = await u.register();

      expect(r.status).toBe(200);
      expect(r.challenges).toBe(1);
      const challenge = r.responses[0];
      const www = challenge.get('WWW-Authenticate')!;
      expect(www).toMatch(/algorithm=AKAv1-MD5/);
      expect(www).not.toMatch(/\b(ck|ik)=/); // the P-CSCF keeps CK/IK (TS 24.229 §5.2.2.1)
      // 200 OK: Service-Route, P-Associated-URI with the whole implicit set, Path echoed.
      expect(r.serviceRoutes.length).toBeGreaterThan(0);
      expect(r.serviceRoutes[0]).toMatch(/;lr/);
      const associated = r.associatedUris.map((u2) => u2.replace(/^<|>.*$/g, ''));
      expect(associated.sort()).toEqual([...s.impus].sort());
      expect(r.final.getAll('Path').length).toBeGreaterThan(0);
      expect(r.expires).toBeGreaterThan(0);
      const log = (await attempts(s)).map((a) => a.command);
      expect(log).toEqual(expect.arrayContaining(['UAR', 'MAR', 'SAR']));
    },
  );

  it('registers a SIP Digest (MD5) subscriber', async () => {
    const s = akaSubscriber();
    await provision(s, { authScheme: 'SIP Digest', password: 'secret-password' });
    const u = await ue(s, { password: 'secret-password' });
    const r = await u.register();
    expect(r.responses[0].get('WWW-Authenticate')).toMatch(/algorithm=MD5|^Digest (?!.*AKA)/);
    expect(r.status).toBe(200);
  });

  it('answers a wrong key with 401 then 403 carrying its cause', async () => {
    const s = akaSubscriber();
    await provision(s);
    // A UE holding the wrong K that answers anyway (it does not check AUTN).
    const u = await UeSimulator.start({
      impi: s.impi,
      impu: s.impu,
      domain: DOMAIN,
      pcscf: { host: '127.0.0.1', port: lab.ports.pcscf, transport: 'UDP' },
      credentials: { k: 'ffffffffffffffffffffffffffffffff', op: s.op },
      verifyNetwork: false,
      timers: { T1: 100 },
    });
    ues.push(u);
    const r = await u.register({ maxChallenges: 1 });
    expect(r.responses.map((x) => x.status)).toEqual([401, 403]);
    expect(r.final.get('Warning')).toMatch(/wrong|response/i);
  });

  it('is refused by a UE when the network cannot prove it knows K (MAC failure)', async () => {
    const s = akaSubscriber();
    await provision(s);
    const u = await ue(s, { k: 'ffffffffffffffffffffffffffffffff' });
    const r = await u.register();
    expect(r.responses.map((x) => x.status)).toEqual([401]);
    expect(r.networkAuthFailure).toBe('mac');
  });

  it('answers an unknown user with 403 and its own cause', async () => {
    const s = akaSubscriber('99999');
    const u = await ue(s);
    const r = await u.register();
    expect(r.status).toBe(403);
    expect(r.final.get('Warning')).toMatch(/unknown/i);
  });

  it('resynchronises the SQN with AUTS and then registers', async () => {
    const s = akaSubscriber();
    await provision(s);
    // The USIM has seen a much higher SQN than the HSS holds (HSS SQN 0).
    const u = await ue(s, { sqnMs: '0000000f0000' });
    const r = await u.register();
    expect(r.resynchronised).toBe(true);
    expect(r.status).toBe(200);
    expect(r.challenges).toBe(2);
    expect(BigInt(`0x${u.storedSqn!.toString('hex')}`)).toBeGreaterThan(0x0000000f0000n);
  });

  it('re-registers, then de-registers', async () => {
    const s = akaSubscriber();
    await provision(s);
    const u = await ue(s);
    expect((await u.register()).status).toBe(200);
    const again = await u.register();
    expect(again.status).toBe(200);
    const bye = await u.deregister();
    expect(bye.status).toBe(200);
    const log = await attempts(s);
    const sars = log.filter((a) => a.command === 'SAR').map((a) => a.detail ?? '');
    expect(sars.join('\n')).toMatch(/RE_REGISTRATION|re-registration/i);
    expect(sars.join('\n')).toMatch(/USER_DEREGISTRATION|de-registration/i);
    const view = await lab.rest<{ publicIdentities?: { registrationState: string }[] }>(
      'GET',
      `/subscribers/${s.imsi}`,
    );
    expect(JSON.stringify(view.body)).toMatch(/NOT_REGISTERED/);
  });

  it('keeps two contacts for one IMPU', async () => {
    const s = akaSubscriber();
    await provision(s);
    const a = await ue(s);
    const b = await ue(s);
    expect((await a.register()).status).toBe(200);
    const second = await b.register();
    expect(second.status).toBe(200);
    const contacts = second.final.contacts().map((c) => c.uri);
    expect(contacts).toEqual(expect.arrayContaining([a.contactUri, b.contactUri]));
  });

  it('notifies the UE of its reg event, and terminates it when the operator de-registers (RTR)', async () => {
    const s = akaSubscriber();
    await provision(s);
    const u = await ue(s);
    expect((await u.register()).status).toBe(200);
    const sub = await u.subscribeRegEvent();
    expect(sub.status).toBeLessThan(300);
    const first = await u.waitForRequest(
      (r) => r.method === 'NOTIFY' && /reginfo/.test(r.body.toString()),
    );
    expect(first.get('Event')).toMatch(/^reg/);
    expect(first.body.toString()).toMatch(/state="active"/);
    expect(first.body.toString()).toContain(s.impu);

    const dereg = await lab.rest('POST', `/subscribers/${s.imsi}/deregister`, {});
    expect(dereg.status).toBeLessThan(300);
    const terminated = await u.waitForRequest(
      (r) => r.method === 'NOTIFY' && /state="terminated"/.test(r.body.toString()),
      10000,
    );
    expect(terminated.body.toString()).toMatch(/event="(deactivated|rejected)"/);
  });

  it('expires a registration that is not refreshed', async () => {
    const s = akaSubscriber();
    await provision(s);
    const u = await ue(s);
    expect((await u.register({ expires: 2 })).status).toBe(200);
    await u.subscribeRegEvent();
    await u.waitForRequest(
      (r) => r.method === 'NOTIFY' && /state="terminated"|event="expired"/.test(r.body.toString()),
      15000,
    );
  });

  it('sends a third-party REGISTER to an application server whose iFC matches REGISTER', async () => {
    const as = new SipStack({
      host: '127.0.0.1',
      port: 0,
      transports: ['UDP', 'TCP'],
      timers: { T1: 100 },
    });
    const got: SipRequest[] = [];
    as.setHandler({
      onRequest: (req, tx) => {
        got.push(req);
        tx?.respond(createResponse(req, 200, undefined, { toTag: generateTag() }));
      },
    });
    await as.start();
    try {
      const s = akaSubscriber();
      const profile = await lab.rest<{ id: number }>('POST', '/service-profiles', {
        name: `tp-${s.imsi}`,
      });
      expect(profile.status).toBe(201);
      const server = await lab.rest<{ id: number }>('POST', '/application-servers', {
        name: `as-${s.imsi}`,
        serverName: `sip:127.0.0.1:${as.port}`,
        defaultHandling: 0,
      });
      expect(server.status).toBe(201);
      const ifc = await lab.rest('POST', '/ifcs', {
        name: `reg-${s.imsi}`,
        priority: 1,
        serviceProfileId: profile.body.id,
        applicationServerId: server.body.id,
        triggerPoint: { conditionTypeCnf: true, spts: [{ group: [0], method: 'REGISTER' }] },
      });
      expect(ifc.status).toBe(201);
      await provision(s, { serviceProfile: `tp-${s.imsi}` });
      const u = await ue(s);
      expect((await u.register()).status).toBe(200);
      const deadline = Date.now() + 5000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(got.length).toBeGreaterThan(0);
      expect(got[0].method).toBe('REGISTER');
      expect(got[0].to().uri).toContain(s.imsi);
      expect(Number(got[0].expires() ?? got[0].contacts()[0]?.expires)).toBeGreaterThan(0);
    } finally {
      await as.stop();
    }
  });

  it('refuses a request from an unregistered UE at the P-CSCF', async () => {
    const s = akaSubscriber();
    await provision(s);
    const stack = new SipStack({
      host: '127.0.0.1',
      port: 0,
      transports: ['UDP'],
      timers: { T1: 100 },
    });
    await stack.start();
    try {
      const res = await stack.request(
        createRequest({
          method: 'MESSAGE',
          uri: `sip:someone@${DOMAIN}`,
          headers: [
            ['Max-Forwards', '70'],
            ['From', `<${s.impu}>;tag=${generateTag()}`],
            ['To', `<sip:someone@${DOMAIN}>`],
            ['Call-ID', `${generateTag()}@t`],
            ['CSeq', '1 MESSAGE'],
            ['Content-Type', 'text/plain'],
          ],
          body: 'hello',
        }),
        { destination: { host: '127.0.0.1', port: lab.ports.pcscf, transport: 'UDP' } },
      );
      expect(res.status).toBe(403);
    } finally {
      await stack.stop();
    }
  });
});
