/**
 * P-CSCF (TS 24.229 §5.2) end to end over real sockets: UE (a SipStack) -> P-CSCF app -> real
 * I-CSCF app (UAR against a real HSS) -> fake S-CSCF (a SipStack UAS the test scripts: 401
 * with ck/ik, then 200 with Service-Route and P-Associated-URI). Then the P-CSCF's reg-event
 * SUBSCRIBE, requests from registered and unregistered UEs, requests back to the UE over its
 * Path flow (UDP and TCP), NOTIFY-driven and UE-initiated de-registration.
 */
import { ServerAssignmentType } from '@lib/diameter';
import { HssClient } from '@lib/ims';
import {
  createRequest,
  createResponse,
  generateTag,
  type SipRequest,
  type SipResponse,
  type TransportProtocol,
} from '@lib/sip';
import {
  DOMAIN,
  FakeElement,
  FAST,
  HOST,
  impiOf,
  impuOf,
  provision,
  register,
  startHss,
  startRole,
  waitFor,
  type Behaviour,
  type RunningRole,
  type TestHss,
} from '../icscf/cscf-support';

jest.setTimeout(30000);

const ALICE = '001010000000501';
const MSISDN = '15550501';
const PCSCF_NAME = `pcscf.${DOMAIN}`;
const ASSOCIATED = [impuOf(ALICE), `sip:+${MSISDN}@${DOMAIN}`, `tel:+${MSISDN}`];
const CK = '00112233445566778899aabbccddeeff';
const IK = 'ffeeddccbbaa99887766554433221100';

/**
 * The fake S-CSCF's registrar: 401 with ck/ik when the REGISTER carries no response, 200
 * with Path echoed, Service-Route, P-Associated-URI and the Contact's expiry otherwise;
 * SUBSCRIBE -> 200; anything else -> 200.
 */
function registrar(scscf: () => FakeElement): Behaviour {
  return (req, tx) => {
    if (!tx) return;
    if (req.method === 'REGISTER') {
      const response = /response="[0-9a-f]+"/.test(req.get('Authorization') ?? '');
      if (!response) {
        const r = createResponse(req, 401, undefined, { toTag: generateTag() });
        r.append(
          'WWW-Authenticate',
          `Digest realm="${DOMAIN}", nonce="bm9uY2U=", algorithm=AKAv1-MD5, qop="auth", ck="${CK}", ik="${IK}"`,
        );
        tx.respond(r);
        return;
      }
      const r = createResponse(req, 200, undefined, { toTag: generateTag() });
      for (const p of req.getAll('Path')) r.append('Path', p);
      const expires = req.expires() ?? 3600;
      if (expires > 0) {
        r.append('Contact', `${req.get('Contact')};expires=${expires}`);
        r.append('Service-Route', `<sip:orig@${HOST}:${scscf().port};lr>`);
        for (const u of ASSOCIATED) r.append('P-Associated-URI', `<${u}>`);
      }
      tx.respond(r);
      return;
    }
    tx.respond(createResponse(req, 200, undefined, { toTag: generateTag() }));
  };
}

describe('P-CSCF: registration path, identity assertion and flows', () => {
  let hss: TestHss;
  let icscf: RunningRole;
  let pcscf: RunningRole;
  let scscf: FakeElement;
  let pcscfPort: number;

  beforeAll(async () => {
    hss = await startHss();
    await provision(hss.base, ALICE, MSISDN);
    scscf = await FakeElement.start();
    scscf.behaviour = registrar(() => scscf);
    icscf = await startRole({
      role: 'icscf',
      env: {
        IMS_DOMAIN: DOMAIN,
        ICSCF_SIP_PORT: '0',
        ICSCF_HSS: `${HOST}:${hss.diameterPort}`,
        ICSCF_SCSCFS: `sip:${HOST}:${scscf.port}`,
        ICSCF_LOG_LEVEL: 'error',
      },
      runtime: { timers: FAST },
    });
    pcscf = await startRole({
      role: 'pcscf',
      env: {
        IMS_DOMAIN: DOMAIN,
        PCSCF_SIP_PORT: '0',
        PCSCF_ICSCF: `${DOMAIN}=${HOST}:${icscf.ports.sipPort}`,
        IMS_EXPLAIN_FAILURES: 'true',
        PCSCF_LOG_LEVEL: process.env.PCSCF_TEST_LOG ?? 'error',
      },
      runtime: { timers: FAST },
    });
    pcscfPort = pcscf.ports.sipPort;
  });

  afterAll(async () => {
    await pcscf?.close();
    await icscf?.close();
    await scscf?.stop();
    await hss?.cleanup();
  });

  /** A UE: its own stack (it receives requests too), registering through the P-CSCF. */
  async function newUe(): Promise<FakeElement> {
    const ue = await FakeElement.start();
    ue.behaviour = (req, tx) =>
      tx?.respond(createResponse(req, 200, undefined, { toTag: generateTag() }));
    return ue;
  }

  function ueRegister(
    ue: FakeElement,
    opts: {
      withResponse?: boolean;
      expires?: number;
      headers?: [string, string][];
      callId?: string;
      cseq?: number;
    } = {},
  ) {
    const req = register({
      impu: impuOf(ALICE),
      contact: `sip:alice@${HOST}:${ue.port}`,
      expires: opts.expires,
      callId: opts.callId,
      cseq: opts.cseq,
      headers: [
        [
          'Authorization',
          `Digest username="${impiOf(ALICE)}", realm="${DOMAIN}", uri="sip:${DOMAIN}", nonce="${opts.withResponse ? 'bm9uY2U=' : ''}", response="${opts.withResponse ? '0123456789abcdef0123456789abcdef' : ''}"`,
        ],
        ...(opts.headers ?? []),
      ],
    });
    return req;
  }

  const toPcscf = (ue: FakeElement, req: SipRequest, transport: TransportProtocol = 'UDP') =>
    ue.stack.request(req, { destination: { host: HOST, port: pcscfPort, transport } });

  /** 401 then 200, as a UE does; returns both responses. */
  async function registerUe(ue: FakeElement, transport: TransportProtocol = 'UDP') {
    const callId = `${generateTag()}@ue`;
    const challenge = await toPcscf(ue, ueRegister(ue, { callId, cseq: 1 }), transport);
    const ok = await toPcscf(
      ue,
      ueRegister(ue, { callId, cseq: 2, withResponse: true }),
      transport,
    );
    return { challenge, ok, callId };
  }

  function ueRequest(
    ue: FakeElement,
    method: string,
    headers: [string, string][] = [],
  ): SipRequest {
    return createRequest({
      method,
      uri: impuOf(ALICE),
      headers: [
        ['Route', `<sip:${PCSCF_NAME}:${pcscfPort};lr>`],
        ['Max-Forwards', '70'],
        ['From', `<${impuOf(ALICE)}>;tag=${generateTag()}`],
        ['To', `<${impuOf(ALICE)}>`],
        ['Call-ID', `${generateTag()}@ue`],
        ['CSeq', `1 ${method}`],
        ['Contact', `<sip:alice@${HOST}:${ue.port}>`],
        ['Event', 'reg'],
        ['Expires', '600'],
        ...headers,
      ],
    });
  }

  let ue: FakeElement;
  let registered: { challenge: SipResponse; ok: SipResponse; callId: string };
  /** What the fake S-CSCF saw of the first registration (later tests reset its log). */
  let firstRegister: SipRequest;
  let pcscfSubscribe: SipRequest;

  const isPcscfSubscribe = (r: SipRequest) =>
    r.method === 'SUBSCRIBE' && r.from().uri.includes(PCSCF_NAME);

  beforeAll(async () => {
    ue = await newUe();
    scscf.reset(registrar(() => scscf));
    registered = await registerUe(ue);
    firstRegister = scscf.distinct('REGISTER', registered.callId)[0];
    await waitFor(() => scscf.received.some(isPcscfSubscribe));
    pcscfSubscribe = scscf.received.find(isPcscfSubscribe)!;
  });

  afterAll(async () => {
    await ue?.stop();
  });

  it('REGISTER reaches the S-CSCF via the I-CSCF with Path (flow token), Require/Supported: path, P-Visited-Network-ID, P-Charging-Vector, and no UE-asserted identity', async () => {
    const first = firstRegister;
    const path = first.paths();
    expect(path).toHaveLength(1);
    expect(path[0].uri).toMatch(
      new RegExp(
        `^sip:[A-Za-z0-9_-]+@${PCSCF_NAME.replace(/\./g, '\\.')}:${pcscfPort};transport=tcp;lr$`,
      ),
    );
    expect(first.require()).toContain('path');
    expect(first.supported()).toContain('path');
    expect(first.get('P-Visited-Network-ID')).toBe(DOMAIN);
    expect(first.get('P-Charging-Vector')).toMatch(
      /^icid-value=[0-9a-f]{32};icid-generated-at=127\.0\.0\.1$/,
    );
    expect(first.authorizations()[0].params.get('integrity-protected')).toBe('no');
    // P-CSCF then I-CSCF Vias above the UE's.
    const vias = first.via();
    expect(vias).toHaveLength(3);
    expect(vias[1].host).toBe(PCSCF_NAME);
    expect(vias[1].port).toBe(pcscfPort);
  });

  it('strips a UE-supplied P-Asserted-Identity and P-Charging-Vector from REGISTER', async () => {
    scscf.reset(registrar(() => scscf));
    const other = await newUe();
    try {
      const req = ueRegister(other, {
        headers: [
          ['P-Asserted-Identity', '<sip:mallory@evil.example>'],
          ['P-Charging-Vector', 'icid-value=forged'],
        ],
      });
      const res = await toPcscf(other, req);
      expect(res.status).toBe(401);
      const fwd = scscf.distinct('REGISTER', req.callId())[0];
      expect(fwd.has('P-Asserted-Identity')).toBe(false);
      expect(fwd.get('P-Charging-Vector')).not.toContain('forged');
    } finally {
      await other.stop();
    }
  });

  it('relays the 401 without ck/ik (TS 24.229 §5.2.2.1), keeping the rest of the challenge', () => {
    const { challenge } = registered;
    expect(challenge.status).toBe(401);
    const www = challenge.wwwAuthenticates()[0];
    expect(www.params.has('ck')).toBe(false);
    expect(www.params.has('ik')).toBe(false);
    expect(www.params.get('nonce')).toBe('bm9uY2U=');
    expect(www.params.get('algorithm')).toBe('AKAv1-MD5');
    expect(www.params.get('qop')).toBe('auth');
  });

  it('relays the 200 with Service-Route and P-Associated-URI, and subscribes to the reg event over the Service-Route (TS 24.229 §5.2.3)', async () => {
    const { ok } = registered;
    expect(ok.status).toBe(200);
    expect(ok.pAssociatedUris().map((u) => u.uri)).toEqual(ASSOCIATED);
    const sub = pcscfSubscribe;
    expect(sub.uri).toBe(impuOf(ALICE));
    expect(sub.to().uri).toBe(impuOf(ALICE));
    expect(sub.get('Event')).toBe('reg');
    expect(sub.get('Expires')).toBe('600000');
    expect(sub.routes()[0].uri).toBe(`sip:orig@${HOST}:${scscf.port};lr`);
    expect(sub.pAssertedIdentities()[0].uri).toBe(`sip:${PCSCF_NAME}:${pcscfPort}`);
  });

  it('asserts the default IMPU for a registered UE, replacing a forged P-Asserted-Identity, and routes via Service-Route', async () => {
    scscf.reset(registrar(() => scscf));
    const req = ueRequest(ue, 'SUBSCRIBE', [['P-Asserted-Identity', '<sip:boss@evil.example>']]);
    const res = await toPcscf(ue, req);
    expect(res.status).toBe(200);
    const fwd = scscf.distinct('SUBSCRIBE', req.callId())[0];
    expect(fwd.getAll('P-Asserted-Identity')).toEqual([`<${impuOf(ALICE)}>`]);
    expect(fwd.routes().map((r) => r.uri)).toEqual([`sip:orig@${HOST}:${scscf.port};lr`]);
    expect(fwd.recordRoutes()[0].uri).toBe(`sip:${PCSCF_NAME}:${pcscfPort};lr`);
    expect(fwd.get('P-Charging-Vector')).toMatch(/^icid-value=/);
  });

  it('honours P-Preferred-Identity when it is in the P-Associated-URI set, not otherwise', async () => {
    scscf.reset(registrar(() => scscf));
    const good = ueRequest(ue, 'SUBSCRIBE', [['P-Preferred-Identity', `<tel:+${MSISDN}>`]]);
    expect((await toPcscf(ue, good)).status).toBe(200);
    const fwdGood = scscf.distinct('SUBSCRIBE', good.callId())[0];
    expect(fwdGood.get('P-Asserted-Identity')).toBe(`<tel:+${MSISDN}>`);
    expect(fwdGood.has('P-Preferred-Identity')).toBe(false);

    const bad = ueRequest(ue, 'SUBSCRIBE', [['P-Preferred-Identity', '<sip:bob@ims.example>']]);
    expect((await toPcscf(ue, bad)).status).toBe(200);
    expect(scscf.distinct('SUBSCRIBE', bad.callId())[0].get('P-Asserted-Identity')).toBe(
      `<${impuOf(ALICE)}>`,
    );
  });

  it('refuses requests other than REGISTER from an unregistered UE with 403 and a Warning', async () => {
    scscf.reset(registrar(() => scscf));
    const stranger = await newUe();
    try {
      const req = ueRequest(stranger, 'SUBSCRIBE');
      const res = await toPcscf(stranger, req);
      expect(res.status).toBe(403);
      expect(res.get('Warning')).toMatch(
        new RegExp(`^399 ${PCSCF_NAME.replace(/\./g, '\\.')} "not registered`),
      );
      expect(scscf.distinct(undefined, req.callId())).toHaveLength(0);
    } finally {
      await stranger.stop();
    }
  });

  it('answers Require: sec-agree with 420, Unsupported: sec-agree and a Warning', async () => {
    const req = ueRegister(ue, {
      headers: [
        ['Require', 'sec-agree'],
        ['Proxy-Require', 'sec-agree'],
        [
          'Security-Client',
          'ipsec-3gpp; alg=hmac-sha-1-96; spi-c=1; spi-s=2; port-c=5062; port-s=5064',
        ],
      ],
    });
    const res = await toPcscf(ue, req);
    expect(res.status).toBe(420);
    expect(res.unsupported()).toEqual(['sec-agree']);
    expect(res.get('Warning')).toContain('sec-agree not supported');
    expect(scscf.distinct('REGISTER', req.callId())).toHaveLength(0);
  });

  it('ignores a plain Security-Client (no Require: sec-agree) and registers', async () => {
    scscf.reset(registrar(() => scscf));
    const req = ueRegister(ue, {
      headers: [
        [
          'Security-Client',
          'ipsec-3gpp; alg=hmac-sha-1-96; spi-c=1; spi-s=2; port-c=5062; port-s=5064',
        ],
      ],
    });
    const res = await toPcscf(ue, req);
    expect(res.status).toBe(401);
    expect(scscf.distinct('REGISTER', req.callId())[0].has('Security-Client')).toBe(false);
  });

  it('routes a request sent to the Path URI back to the UE over its UDP flow', async () => {
    const path = firstRegister.get('Path')!;
    ue.reset((req, tx) => tx?.respond(createResponse(req, 200, undefined, { toTag: 'ue' })));
    const message = createRequest({
      method: 'MESSAGE',
      uri: `sip:alice@${HOST}:${ue.port}`,
      headers: [
        ['Route', path],
        ['Max-Forwards', '70'],
        ['From', `<sip:bob@${DOMAIN}>;tag=${generateTag()}`],
        ['To', `<${impuOf(ALICE)}>`],
        ['Call-ID', `${generateTag()}@scscf`],
        ['CSeq', '1 MESSAGE'],
        ['Content-Type', 'text/plain'],
      ],
      body: 'hello',
    });
    const res = await scscf.stack.request(message, {
      destination: { host: HOST, port: pcscfPort, transport: 'UDP' },
    });
    expect(res.status).toBe(200);
    const got = ue.distinct('MESSAGE', message.callId());
    expect(got).toHaveLength(1);
    expect(got[0].body.toString()).toBe('hello');
    expect(got[0].has('Route')).toBe(false);
  });

  it("keeps a large request (> 1300 bytes, e.g. a full reginfo NOTIFY) on the UE's UDP flow instead of switching to TCP", async () => {
    const path = firstRegister.get('Path')!;
    ue.reset((req, tx) => tx?.respond(createResponse(req, 200, undefined, { toTag: 'ue' })));
    const big = createRequest({
      method: 'MESSAGE',
      uri: `sip:alice@${HOST}:${ue.port}`,
      headers: [
        ['Route', path],
        ['Max-Forwards', '70'],
        ['From', `<sip:bob@${DOMAIN}>;tag=${generateTag()}`],
        ['To', `<${impuOf(ALICE)}>`],
        ['Call-ID', `${generateTag()}@scscf`],
        ['CSeq', '1 MESSAGE'],
        ['Content-Type', 'text/plain'],
      ],
      body: 'x'.repeat(2000),
    });
    const res = await scscf.stack.request(big, {
      destination: { host: HOST, port: pcscfPort, transport: 'TCP' },
    });
    expect(res.status).toBe(200);
    const i = ue.received.findIndex((r) => r.callId() === big.callId());
    expect(ue.contexts[i].source.transport).toBe('UDP');
    expect(ue.received[i].body.length).toBe(2000);
  });

  it('sends a large request from the UE on to the S-CSCF over TCP (RFC 3261 §18.1.1), while the UE used UDP', async () => {
    scscf.reset(registrar(() => scscf));
    const big = ueRequest(ue, 'MESSAGE', [['Content-Type', 'text/plain']]);
    big.body = Buffer.from('x'.repeat(2000));
    const res = await toPcscf(ue, big);
    expect(res.status).toBe(200);
    const i = scscf.received.findIndex((r) => r.callId() === big.callId());
    expect(scscf.contexts[i].source.transport).toBe('TCP');
    expect(scscf.received[i].body.length).toBe(2000);
    expect(scscf.received[i].via()[0].transport).toBe('TCP');
  });

  it('answers 430 Flow Failed for a Path token it never issued (RFC 5626 §5.3)', async () => {
    const message = createRequest({
      method: 'MESSAGE',
      uri: `sip:alice@${HOST}:${ue.port}`,
      headers: [
        ['Route', `<sip:forged@${PCSCF_NAME}:${pcscfPort};lr>`],
        ['Max-Forwards', '70'],
        ['From', `<sip:bob@${DOMAIN}>;tag=${generateTag()}`],
        ['To', `<${impuOf(ALICE)}>`],
        ['Call-ID', `${generateTag()}@scscf`],
        ['CSeq', '1 MESSAGE'],
      ],
    });
    const res = await scscf.stack.request(message, {
      destination: { host: HOST, port: pcscfPort, transport: 'UDP' },
    });
    expect(res.status).toBe(430);
  });

  it('registers over TCP and sends terminating requests back on that TCP connection', async () => {
    scscf.reset(registrar(() => scscf));
    const tcpUe = await newUe();
    try {
      const { ok, callId } = await registerUe(tcpUe, 'TCP');
      expect(ok.status).toBe(200);
      const fwd = scscf.distinct('REGISTER', callId)[1];
      const path = fwd.get('Path')!;
      const message = createRequest({
        method: 'MESSAGE',
        uri: `sip:alice@${HOST}:${tcpUe.port}`,
        headers: [
          ['Route', path],
          ['Max-Forwards', '70'],
          ['From', `<sip:bob@${DOMAIN}>;tag=${generateTag()}`],
          ['To', `<${impuOf(ALICE)}>`],
          ['Call-ID', `${generateTag()}@scscf`],
          ['CSeq', '1 MESSAGE'],
        ],
      });
      const res = await scscf.stack.request(message, {
        destination: { host: HOST, port: pcscfPort, transport: 'UDP' },
      });
      expect(res.status).toBe(200);
      const i = tcpUe.received.findIndex((r) => r.callId() === message.callId());
      expect(i).toBeGreaterThanOrEqual(0);
      expect(tcpUe.contexts[i].source.transport).toBe('TCP');
      // The UE's listening TCP socket was not used: the request came over the UE's own
      // connection to the P-CSCF, from the P-CSCF's port.
      expect(tcpUe.contexts[i].source.port).toBe(pcscfPort);
    } finally {
      await tcpUe.stop();
    }
  });

  it('drops the registration when a reg-event NOTIFY says terminated; the UE then gets 403', async () => {
    const subscribe = pcscfSubscribe;
    const reginfo = `<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">
  <registration aor="${impuOf(ALICE)}" id="r1" state="terminated">
    <contact id="c1" state="terminated" event="deactivated"><uri>sip:alice@${HOST}:${ue.port}</uri></contact>
  </registration>
</reginfo>`;
    const notify = createRequest({
      method: 'NOTIFY',
      uri: subscribe.contacts()[0].uri,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<${impuOf(ALICE)}>;tag=scscf-sub`],
        ['To', `<${subscribe.from().uri}>;tag=${subscribe.from().tag}`],
        ['Call-ID', subscribe.callId()],
        ['CSeq', '1 NOTIFY'],
        ['Event', 'reg'],
        ['Subscription-State', 'terminated;reason=deactivated'],
        ['Content-Type', 'application/reginfo+xml'],
      ],
      body: reginfo,
    });
    const res = await scscf.stack.request(notify, {
      destination: { host: HOST, port: pcscfPort, transport: 'UDP' },
    });
    expect(res.status).toBe(200);
    const after = await toPcscf(ue, ueRequest(ue, 'SUBSCRIBE'));
    expect(after.status).toBe(403);

    // The S-CSCF's final NOTIFY to the UE's own reg subscription (in dialog, routed over the
    // P-CSCF's Record-Route) still reaches the UE although it is no longer registered.
    const finalNotify = createRequest({
      method: 'NOTIFY',
      uri: `sip:alice@${HOST}:${ue.port}`,
      headers: [
        ['Route', `<sip:${PCSCF_NAME}:${pcscfPort};lr>`],
        ['Max-Forwards', '70'],
        ['From', `<${impuOf(ALICE)}>;tag=scscf-ue-sub`],
        ['To', `<${impuOf(ALICE)}>;tag=ue-sub`],
        ['Call-ID', `${generateTag()}@ue`],
        ['CSeq', '2 NOTIFY'],
        ['Event', 'reg'],
        ['Subscription-State', 'terminated;reason=deactivated'],
        ['Content-Type', 'application/reginfo+xml'],
      ],
      body: reginfo,
    });
    ue.reset((req, tx) => tx?.respond(createResponse(req, 200)));
    const delivered = await scscf.stack.request(finalNotify, {
      destination: { host: HOST, port: pcscfPort, transport: 'UDP' },
    });
    expect(delivered.status).toBe(200);
    expect(ue.distinct('NOTIFY', finalNotify.callId())).toHaveLength(1);

    // Registering again restores service.
    scscf.reset(registrar(() => scscf));
    registered = await registerUe(ue);
    expect(registered.ok.status).toBe(200);
    expect((await toPcscf(ue, ueRequest(ue, 'SUBSCRIBE'))).status).toBe(200);
  });

  it('de-registration (Expires: 0) goes through the I-CSCF (UAR DE_REGISTRATION) and removes the registration: later requests get 403', async () => {
    scscf.reset(registrar(() => scscf));
    // The fake S-CSCF does no Cx; record the assignment at the HSS as a real one would (SAR).
    const cx = new HssClient({
      hssHost: HOST,
      hssPort: hss.diameterPort,
      originHost: `scscf.${DOMAIN}`,
      originRealm: DOMAIN,
    });
    try {
      await cx.waitUntilConnected();
      const saa = await cx.sar({
        userName: impiOf(ALICE),
        publicIdentities: [impuOf(ALICE)],
        serverName: `sip:${HOST}:${scscf.port}`,
        serverAssignmentType: ServerAssignmentType.REGISTRATION,
        userDataAlreadyAvailable: 0,
      });
      expect(saa.resultCode).toBe(2001);
    } finally {
      await cx.close();
    }
    const res = await toPcscf(
      ue,
      ueRegister(ue, { callId: registered.callId, cseq: 10, withResponse: true, expires: 0 }),
    );
    expect(res.status).toBe(200);
    expect((await toPcscf(ue, ueRequest(ue, 'SUBSCRIBE'))).status).toBe(403);
  });

  it('answers OPTIONS addressed to itself (keep-alive) with 200, from any UE', async () => {
    const stranger = await newUe();
    try {
      const options = createRequest({
        method: 'OPTIONS',
        uri: `sip:${PCSCF_NAME}:${pcscfPort}`,
        headers: [
          ['Max-Forwards', '70'],
          ['From', `<sip:anyone@${DOMAIN}>;tag=${generateTag()}`],
          ['To', `<sip:${PCSCF_NAME}:${pcscfPort}>`],
          ['Call-ID', `${generateTag()}@ue`],
          ['CSeq', '1 OPTIONS'],
        ],
      });
      const res = await toPcscf(stranger, options);
      expect(res.status).toBe(200);
      expect(res.get('Allow')).toContain('REGISTER');
    } finally {
      await stranger.stop();
    }
  });

  it('answers a REGISTER for a domain without I-CSCF with 404 and a Warning', async () => {
    const req = ueRegister(ue);
    req.setUri('sip:other.example.net');
    const res = await toPcscf(ue, req);
    expect(res.status).toBe(404);
    expect(res.get('Warning')).toContain('unknown home domain');
  });
});
