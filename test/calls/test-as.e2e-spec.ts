/**
 * The test application server (test/support/test-as.ts) on real loopback sockets, between a
 * UAC standing for the S-CSCF's ISC side and a UAS standing for the S-CSCF receiving the
 * request back on its original-dialog-identifier route (TS 24.229 §5.4.3.2 steps 4 and 5).
 */
import {
  createRequest,
  createResponse,
  generateTag,
  SipRequest,
  SipResponse,
  SipStack,
} from '@lib/sip';
import { AS_MARK_HEADER, TestAs } from '../support/test-as';

jest.setTimeout(30000);

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

describe('test application server', () => {
  let uac: SipStack;
  let back: SipStack;
  const backReceived: SipRequest[] = [];
  let as: TestAs | undefined;

  beforeAll(async () => {
    uac = new SipStack({ host: '127.0.0.1', port: 0, transports: ['UDP'], timers: { T1: 100 } });
    back = new SipStack({ host: '127.0.0.1', port: 0, transports: ['UDP'], timers: { T1: 100 } });
    back.setHandler({
      onRequest: (req, tx) => {
        backReceived.push(req);
        tx?.respond(
          createResponse(req, req.method === 'INVITE' ? 603 : 200, undefined, {
            toTag: generateTag(),
          }),
        );
      },
    });
    uac.setHandler({ onRequest: () => undefined });
    await uac.start();
    await back.start();
  });

  afterEach(async () => {
    await as?.stop();
    as = undefined;
    backReceived.length = 0;
  });

  afterAll(async () => {
    await uac.stop();
    await back.stop();
  });

  /** A request as the S-CSCF sends it over ISC: Route = AS, then the S-CSCF's ODI entry. */
  function iscRequest(method: string, body?: string): SipRequest {
    return createRequest({
      method,
      uri: 'sip:callee@ims.test',
      headers: [
        ['Route', `<${as!.uri}>`],
        ['Route', `<sip:odi-4711@127.0.0.1:${back.port};lr>`],
        ['Max-Forwards', '70'],
        ['From', `<sip:caller@ims.test>;tag=${generateTag()}`],
        ['To', '<sip:callee@ims.test>'],
        ['Call-ID', `${generateTag()}@as-spec`],
        ['CSeq', `1 ${method}`],
        ['Contact', `<sip:caller@127.0.0.1:${uac.port}>`],
        ...(body ? ([['Content-Type', 'application/sdp']] as [string, string][]) : []),
      ],
      body,
    });
  }

  it('proxies: marks the request and sends it on along the remaining Route, body untouched', async () => {
    as = await TestAs.start({ name: 'as-1', timers: { T1: 100 } });
    const provisionals: SipResponse[] = [];
    const final = await uac.request(iscRequest('INVITE', SDP), {
      destination: { host: '127.0.0.1', port: as.stack.port, transport: 'UDP' },
      onProvisional: (r) => provisionals.push(r),
    });
    expect(final.status).toBe(603); // the far end's answer comes back through the AS
    expect(as.initial('INVITE')).toHaveLength(1);
    expect(backReceived).toHaveLength(1);
    const got = backReceived[0];
    expect(got.get(AS_MARK_HEADER)).toBe('as-1');
    // The AS popped its own Route entry (RFC 3261 §16.4) and kept the ODI one.
    expect(got.routes().map((r) => r.uri)).toEqual([`sip:odi-4711@127.0.0.1:${back.port};lr`]);
    expect(got.getAll('Via')).toHaveLength(2);
    expect(got.maxForwards()).toBe(69);
    expect(got.has('Record-Route')).toBe(false);
    expect(got.body.toString()).toBe(SDP);
    expect(as.forwarded.some((r) => r.method === 'INVITE')).toBe(true);
  });

  it('record-routes when asked to stay in the dialog', async () => {
    as = await TestAs.start({ recordRoute: true, timers: { T1: 100 } });
    await uac.request(iscRequest('MESSAGE'), {
      destination: { host: '127.0.0.1', port: as.stack.port, transport: 'UDP' },
    });
    expect(backReceived[0].recordRoutes().map((r) => r.uri)).toEqual([
      `sip:127.0.0.1:${as.stack.port};lr`,
    ]);
  });

  it.each([486, 200])('answers itself with %i and forwards nothing', async (status) => {
    as = await TestAs.start({
      timers: { T1: 100 },
      behaviour: () => ({ kind: 'respond', status }),
    });
    const final = await uac.request(iscRequest('MESSAGE'), {
      destination: { host: '127.0.0.1', port: as.stack.port, transport: 'UDP' },
    });
    expect(final.status).toBe(status);
    expect(final.to().tag).toBeTruthy();
    expect(backReceived).toHaveLength(0);
  });

  it('stays silent: no 100 Trying, nothing forwarded, retransmissions recorded', async () => {
    as = await TestAs.start({ timers: { T1: 100 }, behaviour: () => ({ kind: 'silent' }) });
    const provisionals: SipResponse[] = [];
    const final = await uac.request(iscRequest('INVITE', SDP), {
      destination: { host: '127.0.0.1', port: as.stack.port, transport: 'UDP' },
      onProvisional: (r) => provisionals.push(r),
    });
    // Timer B (64*T1) fires at the UAC: a local 408 (RFC 3261 §17.1.1.2).
    expect(final.status).toBe(408);
    expect(provisionals).toHaveLength(0);
    expect(backReceived).toHaveLength(0);
    expect(as.initial('INVITE')).toHaveLength(1);
    expect(as.received.length).toBeGreaterThan(1); // Timer A retransmissions reached it
    expect(as.sent).toHaveLength(0);
  });

  it('answers a third-party REGISTER 200 (TS 24.229 §5.4.1.7)', async () => {
    as = await TestAs.start({ timers: { T1: 100 } });
    const register = createRequest({
      method: 'REGISTER',
      uri: `sip:127.0.0.1:${as.stack.port}`,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<sip:scscf.ims.test>;tag=${generateTag()}`],
        ['To', '<sip:user@ims.test>'],
        ['Call-ID', `${generateTag()}@as-spec`],
        ['CSeq', '1 REGISTER'],
        ['Contact', '<sip:scscf.ims.test>'],
        ['Expires', '600'],
      ],
    });
    const final = await uac.request(register, {
      destination: { host: '127.0.0.1', port: as.stack.port, transport: 'UDP' },
    });
    expect(final.status).toBe(200);
    expect(as.registers).toHaveLength(1);
    expect(await as.waitFor((r) => r.method === 'REGISTER')).toBe(as.registers[0]);
    expect(backReceived).toHaveLength(0);
  });
});
