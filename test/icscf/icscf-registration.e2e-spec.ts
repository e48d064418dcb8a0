/**
 * I-CSCF REGISTER handling (TS 24.229 §5.3.1.2/§5.3.1.3, TS 29.228 §6.1.1) over real sockets:
 * a real HSS (Cx over TCP, provisioned over REST), the I-CSCF app on ephemeral ports, and
 * fake S-CSCFs (plain SipStack UASs) whose answers each test controls.
 */
import { ServerAssignmentType } from '@lib/diameter';
import { HssClient } from '@lib/ims';
import { createRequest, generateTag, type SipStack } from '@lib/sip';
import {
  answer,
  closedPort,
  DOMAIN,
  FakeElement,
  FAST,
  HOST,
  impiOf,
  impuOf,
  newUac,
  provision,
  register,
  rest,
  send,
  silent,
  startHss,
  startRole,
  type RunningRole,
  type TestHss,
} from './cscf-support';

jest.setTimeout(30000);

const ALICE = '001010000000401';
const BOB = '001010000000402';
const CAROL = '001010000000403';
const DAVE = '001010000000404';
const BARRED = '001010000000405';
const ERIN = '001010000000406';
const FRANK = '001010000000407';

describe('I-CSCF: UAR and S-CSCF selection for REGISTER', () => {
  let hss: TestHss;
  let icscf: RunningRole;
  let icscfPort: number;
  let uac: SipStack;
  let scscfs: FakeElement[];
  let [a, b, c] = [] as FakeElement[];
  let cx: HssClient;
  const nameOf = (f: FakeElement, n: string) => `sip:scscf-${n}.test:${f.port}`;

  beforeAll(async () => {
    hss = await startHss({ allowedVisitedNetworks: ['visited.example.net'] });
    for (const [imsi, msisdn] of [
      [ALICE, '15550401'],
      [BOB, '15550402'],
      [CAROL, '15550403'],
      [DAVE, '15550404'],
      [BARRED, '15550405'],
      [ERIN, '15550406'],
      [FRANK, '15550407'],
    ])
      await provision(hss.base, imsi, msisdn);
    await rest(hss.base, 'PATCH', `/public-identities/${encodeURIComponent(impuOf(BARRED))}`, {
      barred: true,
    });
    scscfs = [await FakeElement.start(), await FakeElement.start(), await FakeElement.start()];
    [a, b, c] = scscfs;
    // The HSS asks for capability 1 (mandatory) and prefers 2 (optional).
    await rest(hss.base, 'POST', '/scscf-capabilities', {
      serverName: nameOf(b, 'b'),
      mandatory: [1],
      optional: [2],
    });
    // a: mandatory only; b: mandatory + optional (best); c: lacks the mandatory one.
    icscf = await startRole({
      role: 'icscf',
      env: {
        IMS_DOMAIN: DOMAIN,
        ICSCF_SIP_HOST: HOST,
        ICSCF_SIP_PORT: '0',
        ICSCF_HSS: `${HOST}:${hss.diameterPort}`,
        IMS_HOSTS: 'scscf-a.test=127.0.0.1,scscf-b.test=127.0.0.1,scscf-c.test=127.0.0.1',
        ICSCF_SCSCFS: `${nameOf(a, 'a')}|1,${nameOf(b, 'b')}|1;2,${nameOf(c, 'c')}|2`,
        IMS_EXPLAIN_FAILURES: 'true',
        ICSCF_LOG_LEVEL: 'error',
      },
      runtime: { timers: FAST },
    });
    icscfPort = icscf.ports.sipPort;
    cx = new HssClient({
      hssHost: HOST,
      hssPort: hss.diameterPort,
      originHost: `scscf.${DOMAIN}`,
      originRealm: DOMAIN,
    });
    await cx.waitUntilConnected();
    uac = await newUac();
  });

  afterAll(async () => {
    await uac?.stop();
    await cx?.close();
    await icscf?.close();
    for (const s of scscfs ?? []) await s.stop();
    await hss?.cleanup();
  });

  beforeEach(() =>
    scscfs.forEach((s) =>
      s.reset(answer(401, [['WWW-Authenticate', 'Digest realm="x", nonce="n"']])),
    ),
  );

  const reg = (imsi: string, extra: Partial<Parameters<typeof register>[0]> = {}) =>
    register({ impu: impuOf(imsi), impi: impiOf(imsi), contact: `sip:ue@${HOST}:5999`, ...extra });

  it('UAA 2001: forwards to the S-CSCF with the mandatory and most optional capabilities, statefully, without Record-Route', async () => {
    const res = await send(uac, reg(ALICE), icscfPort);
    expect(res.status).toBe(401);
    expect(res.get('WWW-Authenticate')).toBe('Digest realm="x", nonce="n"');
    expect(res.getAll('Via')).toHaveLength(1);
    expect(a.received).toHaveLength(0);
    expect(c.received).toHaveLength(0);
    const fwd = b.distinct('REGISTER');
    expect(fwd).toHaveLength(1);
    expect(fwd[0].uri).toBe(`sip:${DOMAIN}`);
    expect(fwd[0].maxForwards()).toBe(69);
    expect(fwd[0].has('Record-Route')).toBe(false);
    expect(fwd[0].via()).toHaveLength(2);
    expect(fwd[0].via()[0].port).toBe(icscfPort);
  });

  it('UAA 2002: forwards to the S-CSCF the HSS has assigned, whatever its capabilities', async () => {
    const saa = await cx.sar({
      userName: impiOf(BOB),
      publicIdentities: [impuOf(BOB)],
      serverName: nameOf(c, 'c'),
      serverAssignmentType: ServerAssignmentType.REGISTRATION,
      userDataAlreadyAvailable: 0,
    });
    expect(saa.resultCode).toBe(2001);
    const res = await send(uac, reg(BOB), icscfPort);
    expect(res.status).toBe(401);
    expect(c.distinct('REGISTER')).toHaveLength(1);
    expect(a.received.length + b.received.length).toBe(0);
  });

  it('retries the next suitable S-CSCF when the first does not answer (timer F), TS 24.229 §5.3.1.3', async () => {
    b.reset(silent);
    a.reset(answer(200, [['Contact', `<sip:ue@${HOST}:5999>;expires=600`]]));
    const r = reg(CAROL);
    const res = await send(uac, r, icscfPort);
    expect(res.status).toBe(200);
    expect(b.distinct('REGISTER', r.callId())).toHaveLength(1);
    expect(a.distinct('REGISTER', r.callId())).toHaveLength(1);
    // Each attempt is its own client transaction (distinct branches).
    expect(a.received[0].topVia().branch).not.toBe(b.received[0].topVia().branch);
  });

  it('retries on 503 from the S-CSCF and answers 504 with a Warning when none is left', async () => {
    b.reset(answer(503));
    a.reset(answer(503));
    const r = reg(CAROL);
    const res = await send(uac, r, icscfPort);
    expect(res.status).toBe(504);
    expect(b.distinct('REGISTER', r.callId())).toHaveLength(1);
    expect(a.distinct('REGISTER', r.callId())).toHaveLength(1);
    expect(c.distinct(undefined, r.callId())).toHaveLength(0);
    const warning = res.get('Warning')!;
    expect(warning).toMatch(
      new RegExp(`^399 icscf\\.${DOMAIN.replace(/\./g, '\\.')} "S-CSCF unreachable`),
    );
    expect(warning).toContain(`${nameOf(b, 'b')} -> 503`);
  });

  it('asks the HSS again (REGISTRATION_AND_CAPABILITIES) when the assigned S-CSCF does not answer', async () => {
    await cx.sar({
      userName: impiOf(DAVE),
      publicIdentities: [impuOf(DAVE)],
      serverName: nameOf(c, 'c'),
      serverAssignmentType: ServerAssignmentType.REGISTRATION,
      userDataAlreadyAvailable: 0,
    });
    c.reset(answer(503));
    const res = await send(uac, reg(DAVE), icscfPort);
    expect(res.status).toBe(401);
    expect(c.distinct('REGISTER')).toHaveLength(1);
    expect(b.distinct('REGISTER')).toHaveLength(1);
  });

  it('de-registration (Expires: 0) sends UAR DE_REGISTRATION: not registered -> 403 "not registered"', async () => {
    const res = await send(uac, reg(ERIN, { expires: 0 }), icscfPort);
    expect(res.status).toBe(403);
    expect(res.get('Warning')).toContain('not registered');
    expect(scscfs.every((s) => s.received.length === 0)).toBe(true);
  });

  it('de-registration of a registered user reaches its S-CSCF (UAA DIAMETER_SUCCESS + Server-Name)', async () => {
    // BOB is registered at c (SAR above).
    c.reset(answer(200));
    const res = await send(uac, reg(BOB, { expires: 0 }), icscfPort);
    expect(res.status).toBe(200);
    expect(c.distinct('REGISTER')).toHaveLength(1);
    expect(c.received[0].expires()).toBe(0);
  });

  it.each([
    ['unknown IMPI/IMPU (5001)', () => reg('001010000000499'), 'unknown user'],
    [
      'IMPU not associated with the IMPI (5002)',
      () => register({ impu: impuOf(BOB), impi: impiOf(ALICE), contact: `sip:ue@${HOST}` }),
      'IMPU not associated with IMPI',
    ],
    ['barred IMPU (5003)', () => reg(BARRED), 'IMPU barred'],
    [
      'roaming not allowed (5004)',
      () => reg(ALICE, { headers: [['P-Visited-Network-ID', 'other.example.net']] }),
      'roaming not allowed',
    ],
  ])('%s -> 403 with its own Warning, nothing forwarded', async (_name, build, cause) => {
    const res = await send(uac, build(), icscfPort);
    expect(res.status).toBe(403);
    expect(res.getAll('Warning')).toHaveLength(1);
    expect(res.get('Warning')).toContain(cause);
    expect(res.to().tag).toBeDefined();
    expect(scscfs.every((s) => s.received.length === 0)).toBe(true);
  });

  it('derives User-Name from the To IMPU when the REGISTER has no Authorization', async () => {
    const res = await send(
      uac,
      register({ impu: impuOf(ALICE), contact: `sip:ue@${HOST}:5999` }),
      icscfPort,
    );
    expect(res.status).toBe(401);
    expect(b.distinct('REGISTER')).toHaveLength(1);
  });

  /** Alice's REGISTER with the Authorization value given. */
  const withCredentials = (authorization: string) =>
    send(
      uac,
      register({
        impu: impuOf(ALICE),
        contact: `sip:ue@${HOST}:5999`,
        headers: [['Authorization', authorization]],
      }),
      icscfPort,
    );

  it('reads credentials with an unquoted base64 nonce as the S-CSCF does (one auth-param grammar)', async () => {
    const res = await withCredentials(
      `Digest username="${impiOf(ALICE)}", realm="${DOMAIN}", uri="sip:${DOMAIN}", ` +
        'nonce=I1U8vpY3qJ0h/7M+AAAAAAAAAAAAAAAAAAAAAAAAAAA=, response="", algorithm=AKAv1-MD5',
    );
    expect(res.status).toBe(401);
    const fwd = b.distinct('REGISTER');
    expect(fwd).toHaveLength(1);
    expect(fwd[0].authorizations()[0].params.get('nonce')).toBe(
      'I1U8vpY3qJ0h/7M+AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    );
  });

  it('answers 400 to credentials that repeat a parameter', async () => {
    const res = await withCredentials(
      `Digest username="${impiOf(ALICE)}", username="${impiOf(BOB)}", realm="${DOMAIN}", ` +
        `uri="sip:${DOMAIN}", nonce="", response=""`,
    );
    expect(res.status).toBe(400);
    expect(res.get('Warning')).toMatch(/repeats parameter \\"username\\"/);
    expect(b.distinct('REGISTER')).toHaveLength(0);
  });

  it('accepts a visited network the HSS allows (P-Visited-Network-ID -> Visited-Network-Identifier)', async () => {
    const res = await send(
      uac,
      reg(ALICE, { headers: [['P-Visited-Network-ID', 'visited.example.net']] }),
      icscfPort,
    );
    expect(res.status).toBe(401);
  });

  it('works over TCP as well', async () => {
    const res = await send(uac, reg(ALICE), icscfPort, 'TCP');
    expect(res.status).toBe(401);
    expect(b.distinct('REGISTER')).toHaveLength(1);
  });

  describe('terminating requests: LIR (TS 24.229 §5.3.2.1, TS 29.228 §6.1.4)', () => {
    const request = (method: string, uri: string) =>
      createRequest({
        method,
        uri,
        headers: [
          ['Max-Forwards', '70'],
          ['From', `<sip:caller@${DOMAIN}>;tag=${generateTag()}`],
          ['To', `<${uri}>`],
          ['Call-ID', `${generateTag()}@caller`],
          ['CSeq', `1 ${method}`],
          ['Contact', `<sip:caller@${HOST}:5998>`],
        ],
      });

    beforeAll(async () => {
      await cx.sar({
        userName: impiOf(FRANK),
        publicIdentities: [impuOf(FRANK)],
        serverName: nameOf(c, 'c'),
        serverAssignmentType: ServerAssignmentType.REGISTRATION,
        userDataAlreadyAvailable: 0,
      });
    });

    it('routes a request for a registered user to its S-CSCF with a Route to it, Request-URI unchanged', async () => {
      c.reset(answer(200));
      const r = request('MESSAGE', impuOf(FRANK));
      const res = await send(uac, r, icscfPort);
      expect(res.status).toBe(200);
      const fwd = c.distinct('MESSAGE', r.callId());
      expect(fwd).toHaveLength(1);
      expect(fwd[0].uri).toBe(impuOf(FRANK));
      expect(fwd[0].routes().map((x) => x.uri)).toEqual([`${nameOf(c, 'c')};lr`]);
      expect(fwd[0].has('Record-Route')).toBe(false);
    });

    it('relays the S-CSCF final response to an INVITE (proxy core: 100 Trying, ACK absorbed)', async () => {
      c.reset(answer(486));
      const r = request('INVITE', impuOf(FRANK));
      const res = await send(uac, r, icscfPort);
      expect(res.status).toBe(486);
      expect(c.distinct('INVITE', r.callId())).toHaveLength(1);
    });

    it('answers 404 for an unknown user and 480 for one not registered without unregistered services', async () => {
      const unknown = await send(uac, request('MESSAGE', impuOf('001010000000498')), icscfPort);
      expect(unknown.status).toBe(404);
      expect(unknown.get('Warning')).toContain('unknown user');
      const offline = await send(uac, request('MESSAGE', impuOf(ERIN)), icscfPort);
      expect(offline.status).toBe(480);
      expect(offline.get('Warning')).toContain('not registered');
      expect(offline.get('Retry-After')).toBeDefined();
      expect(scscfs.every((f) => f.received.length === 0)).toBe(true);
    });
  });
});

describe('I-CSCF with the HSS unreachable', () => {
  let icscf: RunningRole;
  let uac: SipStack;

  beforeAll(async () => {
    icscf = await startRole({
      role: 'icscf',
      env: {
        ICSCF_SIP_PORT: '0',
        ICSCF_HSS: `${HOST}:${await closedPort()}`,
        ICSCF_LOG_LEVEL: 'error',
        IMS_EXPLAIN_FAILURES: 'true',
      },
      runtime: { timers: FAST },
      awaitHss: false,
    });
    uac = await newUac();
  });

  afterAll(async () => {
    await uac?.stop();
    await icscf?.close();
  });

  it('answers 480 with Retry-After, Reason and Warning "HSS unreachable"', async () => {
    const res = await send(
      uac,
      register({ impu: impuOf(ALICE), impi: impiOf(ALICE), contact: `sip:ue@${HOST}` }),
      icscf.ports.sipPort,
    );
    expect(res.status).toBe(480);
    expect(res.get('Retry-After')).toBe('30');
    expect(res.get('Warning')).toMatch(/^399 icscf\.\S+ "HSS unreachable/);
    expect(res.get('Reason')).toMatch(/^SIP;cause=480;text="HSS unreachable/);
  });

  it('stays silent about causes when IMS_EXPLAIN_FAILURES=false', async () => {
    const quiet = await startRole({
      role: 'icscf',
      env: {
        ICSCF_SIP_PORT: '0',
        ICSCF_HSS: `${HOST}:${await closedPort()}`,
        IMS_EXPLAIN_FAILURES: 'false',
        ICSCF_LOG_LEVEL: 'error',
      },
      awaitHss: false,
    });
    try {
      const res = await send(
        uac,
        register({ impu: impuOf(ALICE), impi: impiOf(ALICE), contact: `sip:ue@${HOST}` }),
        quiet.ports.sipPort,
      );
      expect(res.status).toBe(480);
      expect(res.has('Warning')).toBe(false);
      expect(res.has('Reason')).toBe(false);
    } finally {
      await quiet.close();
    }
  });
});
