import { parseMessage, type SipRequest, type SipResponse } from '../transport/message-api';
import { Dialog, DialogError, dialogIdOfRequest, dialogIdOfResponse, dialogKey } from './dialog';

/** Alice calls Bob through atlanta.com and biloxi.com, both record-routing (RFC 3261 §24 names). */
function msg(lines: string[], body = ''): SipRequest & SipResponse {
  const withLength = [...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body];
  return parseMessage(withLength.join('\r\n')) as SipRequest & SipResponse;
}

const INVITE = [
  'INVITE sip:bob@biloxi.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.com>',
  'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.com>',
];
const invite = (): SipRequest => msg(INVITE);

/** The INVITE as Bob receives it, after both proxies added Record-Route. */
const receivedInvite = (): SipRequest =>
  msg([...INVITE, 'Record-Route: <sip:ss2.biloxi.com;lr>, <sip:ss1.atlanta.com;lr>']);

function response(
  status: number,
  opts: { tag?: string | null; rr?: string[]; contact?: string; cseq?: string } = {},
): SipResponse {
  const tag = opts.tag === null ? '' : `;tag=${opts.tag ?? 'a6c85cf'}`;
  return msg([
    `SIP/2.0 ${status} Whatever`,
    'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
    ...(opts.rr ?? ['<sip:ss2.biloxi.com;lr>', '<sip:ss1.atlanta.com;lr>']).map(
      (r) => `Record-Route: ${r}`,
    ),
    `To: Bob <sip:bob@biloxi.com>${tag}`,
    'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.atlanta.com',
    `CSeq: ${opts.cseq ?? '314159 INVITE'}`,
    `Contact: <${opts.contact ?? 'sip:bob@192.0.2.4'}>`,
  ]);
}

/** A request Bob sends to Alice in the dialog (Alice's view: To tag is hers). */
function fromBob(method: string, seq: number, extra: string[] = []): SipRequest {
  return msg([
    `${method} sip:alice@pc33.atlanta.com SIP/2.0`,
    'Via: SIP/2.0/UDP ss1.atlanta.com;branch=z9hG4bKbob' + seq,
    'Max-Forwards: 69',
    'From: Bob <sip:bob@biloxi.com>;tag=a6c85cf',
    'To: Alice <sip:alice@atlanta.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.atlanta.com',
    `CSeq: ${seq} ${method}`,
    ...extra,
  ]);
}

describe('Dialog (RFC 3261 §12)', () => {
  describe('UAC side, §12.1.2', () => {
    it('takes the route set from the 2xx Record-Route reversed, the remote target from its Contact', () => {
      const d = Dialog.createAsUac(invite(), response(200));
      expect(d.state).toBe('Confirmed');
      expect(d.role).toBe('UAC');
      expect(d.routeSet).toEqual(['<sip:ss1.atlanta.com;lr>', '<sip:ss2.biloxi.com;lr>']);
      expect(d.remoteTarget).toBe('sip:bob@192.0.2.4');
      expect(d.localTarget).toBe('sip:alice@pc33.atlanta.com');
      expect(d.localSeq).toBe(314159);
      expect(d.remoteSeq).toBeUndefined();
      expect(d.id).toEqual({
        callId: 'a84b4c76e66710@pc33.atlanta.com',
        localTag: '1928301774',
        remoteTag: 'a6c85cf',
      });
      expect(d.localParty).toBe('Alice <sip:alice@atlanta.com>;tag=1928301774');
      expect(d.remoteParty).toBe('Bob <sip:bob@biloxi.com>;tag=a6c85cf');
    });

    it('is Early from a 1xx with To tag; the 2xx confirms it and recomputes the route set (§13.2.2.4)', () => {
      const req = invite();
      const d = Dialog.createAsUac(req, response(180, { rr: ['<sip:early.example.com;lr>'] }));
      expect(d.state).toBe('Early');
      expect(d.routeSet).toEqual(['<sip:early.example.com;lr>']);
      d.receiveResponse(req, response(200, { contact: 'sip:bob@192.0.2.99' }));
      expect(d.state).toBe('Confirmed');
      expect(d.routeSet).toEqual(['<sip:ss1.atlanta.com;lr>', '<sip:ss2.biloxi.com;lr>']);
      expect(d.remoteTarget).toBe('sip:bob@192.0.2.99');
    });

    it.each([
      [100, 'a6c85cf'],
      [180, null],
      [486, 'a6c85cf'],
      [603, 'a6c85cf'],
    ] as [number, string | null][])('a %i (To tag %s) creates no dialog', (status, tag) => {
      expect(() => Dialog.createAsUac(invite(), response(status, { tag }))).toThrow(DialogError);
    });
  });

  describe('requests within the dialog, §12.2.1.1', () => {
    it('BYE: Request-URI = remote target, Route = route set, tags, Call-ID, CSeq + 1, no Contact', () => {
      const d = Dialog.createAsUac(invite(), response(200));
      const bye = d.createRequest('BYE');
      expect(bye.method).toBe('BYE');
      expect(bye.uri).toBe('sip:bob@192.0.2.4');
      expect(bye.getAll('Route')).toEqual(['<sip:ss1.atlanta.com;lr>', '<sip:ss2.biloxi.com;lr>']);
      expect(bye.get('From')).toBe('Alice <sip:alice@atlanta.com>;tag=1928301774');
      expect(bye.get('To')).toBe('Bob <sip:bob@biloxi.com>;tag=a6c85cf');
      expect(bye.callId()).toBe('a84b4c76e66710@pc33.atlanta.com');
      expect(bye.cseq()).toEqual({ seq: 314160, method: 'BYE' });
      expect(bye.has('Contact')).toBe(false);
      expect(bye.has('Via')).toBe(false); // the transaction layer adds it with a new branch
      expect(d.localSeq).toBe(314160);
      // With the Via the transaction layer adds, it serializes to a well-formed request.
      bye.prepend('Via', 'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnew');
      const back = parseMessage(bye.toBuffer()) as SipRequest;
      expect(back.cseq().seq).toBe(314160);
    });

    it('numbers requests one by one; target refresh requests and REFER carry the Contact', () => {
      const d = Dialog.createAsUac(invite(), response(200));
      const info = d.createRequest('INFO', {
        body: 'Signal=5\r\nDuration=160\r\n',
        contentType: 'application/dtmf-relay',
      });
      expect(info.cseq().seq).toBe(314160);
      expect(info.get('Content-Type')).toBe('application/dtmf-relay');
      expect(info.body.toString()).toBe('Signal=5\r\nDuration=160\r\n');
      expect(info.has('Contact')).toBe(false);
      for (const [method, seq] of [
        ['INVITE', 314161],
        ['UPDATE', 314162],
        ['REFER', 314163],
        ['NOTIFY', 314164],
      ] as const) {
        const r = d.createRequest(method, { headers: [['X-Test', method]] });
        expect(r.cseq()).toEqual({ seq, method });
        expect(r.get('Contact')).toBe('<sip:alice@pc33.atlanta.com>');
        expect(r.get('X-Test')).toBe(method);
      }
    });

    it('with an empty route set: no Route at all', () => {
      const d = Dialog.createAsUac(invite(), response(200, { rr: [] }));
      const bye = d.createRequest('BYE');
      expect(bye.uri).toBe('sip:bob@192.0.2.4');
      expect(bye.has('Route')).toBe(false);
    });

    it('strict router first: its URI (without method param or headers) is the Request-URI, the remote target the last Route', () => {
      // Record-Route reversed: the UAC's first route is the last Record-Route value.
      const d = Dialog.createAsUac(
        invite(),
        response(200, {
          rr: ['<sip:ss2.biloxi.com;lr>', '<sip:ss1.atlanta.com;method=INVITE?x=y>'],
        }),
      );
      const bye = d.createRequest('BYE');
      expect(bye.uri).toBe('sip:ss1.atlanta.com');
      expect(bye.getAll('Route')).toEqual(['<sip:ss2.biloxi.com;lr>', '<sip:bob@192.0.2.4>']);
    });

    it('refuses ACK and CANCEL (§13.2.2.4, §9.1) and anything after termination', () => {
      const d = Dialog.createAsUac(invite(), response(200));
      expect(() => d.createRequest('ACK')).toThrow(/createAck/);
      expect(() => d.createRequest('CANCEL')).toThrow(/§9.1/);
      expect(() => d.createRequest('INFO', { body: 'x' })).toThrow(/Content-Type/);
      d.terminate();
      expect(() => d.createRequest('BYE')).toThrow(DialogError);
    });
  });

  describe('ACK for a 2xx, §13.2.2.4', () => {
    it('carries the INVITE CSeq number with method ACK, a fresh branch, and leaves the local CSeq', () => {
      const req = invite();
      const d = Dialog.createAsUac(req, response(200));
      const ack = d.createAck(req);
      expect(ack.method).toBe('ACK');
      expect(ack.uri).toBe('sip:bob@192.0.2.4');
      expect(ack.cseq()).toEqual({ seq: 314159, method: 'ACK' });
      expect(ack.getAll('Route')).toEqual(['<sip:ss1.atlanta.com;lr>', '<sip:ss2.biloxi.com;lr>']);
      expect(ack.topVia().branch).toMatch(/^z9hG4bK/);
      expect(ack.topVia().branch).not.toBe('z9hG4bK776asdhds');
      expect(ack.get('To')).toBe('Bob <sip:bob@biloxi.com>;tag=a6c85cf');
      expect(d.localSeq).toBe(314159);
      // The ACK of a re-INVITE carries that re-INVITE's number; an answer may ride in it.
      const reinvite = d.createRequest('INVITE');
      const ack2 = d.createAck(reinvite.cseq().seq, {
        body: 'v=0\r\n',
        contentType: 'application/sdp',
      });
      expect(ack2.cseq()).toEqual({ seq: 314160, method: 'ACK' });
      expect(ack2.get('Content-Type')).toBe('application/sdp');
      expect(d.localSeq).toBe(314160);
    });
  });

  describe('UAS side, §12.1.1', () => {
    it('keeps Record-Route in order, the Contact as remote target, the CSeq as remote number', () => {
      const d = Dialog.createAsUas(receivedInvite(), 'a6c85cf', {
        localTarget: 'sip:bob@192.0.2.4',
      });
      expect(d.state).toBe('Early');
      expect(d.role).toBe('UAS');
      expect(d.routeSet).toEqual(['<sip:ss2.biloxi.com;lr>', '<sip:ss1.atlanta.com;lr>']);
      expect(d.remoteTarget).toBe('sip:alice@pc33.atlanta.com');
      expect(d.remoteSeq).toBe(314159);
      expect(d.localSeq).toBeUndefined();
      expect(d.id).toEqual({
        callId: 'a84b4c76e66710@pc33.atlanta.com',
        localTag: 'a6c85cf',
        remoteTag: '1928301774',
      });
      d.confirm();
      expect(d.state).toBe('Confirmed');
    });

    it("the callee's BYE: From = To + local tag, To = From, a fresh CSeq below 2**31 (§8.1.1.5)", () => {
      const d = Dialog.createAsUas(receivedInvite(), 'a6c85cf', { confirmed: true });
      const bye = d.createRequest('BYE');
      expect(bye.get('From')).toBe('Bob <sip:bob@biloxi.com>;tag=a6c85cf');
      expect(bye.get('To')).toBe('Alice <sip:alice@atlanta.com>;tag=1928301774');
      expect(bye.uri).toBe('sip:alice@pc33.atlanta.com');
      expect(bye.getAll('Route')).toEqual(['<sip:ss2.biloxi.com;lr>', '<sip:ss1.atlanta.com;lr>']);
      const seq = bye.cseq().seq;
      expect(seq).toBeGreaterThan(0);
      expect(seq).toBeLessThan(2 ** 31);
      expect(d.createRequest('INFO').cseq().seq).toBe(seq + 1);
    });

    it('refuses a To tag other than its own', () => {
      const req = fromBob('INVITE', 1);
      expect(() => Dialog.createAsUas(req, 'other')).toThrow(DialogError);
    });
  });

  describe('requests received in the dialog, §12.2.2', () => {
    const aliceDialog = () => Dialog.createAsUac(invite(), response(200));

    it('takes the first remote CSeq, accepts higher ones, answers a lower one 500', () => {
      const d = aliceDialog();
      expect(d.receiveRequest(fromBob('INFO', 10))).toEqual({ accepted: true });
      expect(d.remoteSeq).toBe(10);
      expect(d.receiveRequest(fromBob('INFO', 12))).toEqual({ accepted: true });
      expect(d.remoteSeq).toBe(12);
      const late = d.receiveRequest(fromBob('INFO', 11));
      expect(late).toMatchObject({ accepted: false, status: 500 });
      expect(d.remoteSeq).toBe(12);
    });

    it('ACK and CANCEL do not move the remote number', () => {
      const d = aliceDialog();
      d.receiveRequest(fromBob('INVITE', 20));
      expect(d.receiveRequest(fromBob('ACK', 5))).toEqual({ accepted: true });
      expect(d.remoteSeq).toBe(20);
    });

    it.each(['INVITE', 'UPDATE', 'NOTIFY', 'SUBSCRIBE'])(
      'a %s with Contact refreshes the remote target',
      (method) => {
        const d = aliceDialog();
        d.receiveRequest(fromBob(method, 30, ['Contact: <sip:bob@192.0.2.77>']));
        expect(d.remoteTarget).toBe('sip:bob@192.0.2.77');
        expect(d.createRequest('BYE').uri).toBe('sip:bob@192.0.2.77');
      },
    );

    it('an INFO with Contact does not (not a target refresh request)', () => {
      const d = aliceDialog();
      d.receiveRequest(fromBob('INFO', 30, ['Contact: <sip:bob@192.0.2.77>']));
      expect(d.remoteTarget).toBe('sip:bob@192.0.2.4');
    });

    it('a terminated dialog answers 481', () => {
      const d = aliceDialog();
      d.terminate();
      expect(d.receiveRequest(fromBob('BYE', 40))).toMatchObject({ accepted: false, status: 481 });
    });

    it('matches requests and responses of the dialog by Call-ID and both tags', () => {
      const d = aliceDialog();
      expect(d.matches(fromBob('BYE', 1))).toBe(true);
      expect(d.matches(response(200, { cseq: '314160 BYE' }))).toBe(true);
      expect(d.matches(response(200, { tag: 'other' }))).toBe(false);
      expect(dialogKey(dialogIdOfRequest(fromBob('BYE', 1))!)).toBe(d.key);
      expect(dialogKey(dialogIdOfResponse(response(200))!)).toBe(d.key);
      expect(dialogIdOfRequest(invite())).toBeUndefined();
      expect(dialogIdOfResponse(response(180, { tag: null }))).toBeUndefined();
    });
  });

  describe('responses to requests in the dialog, §12.2.1.2', () => {
    it('a 2xx to a re-INVITE refreshes the remote target but keeps the route set', () => {
      const d = Dialog.createAsUac(invite(), response(200));
      const re = d.createRequest('INVITE');
      d.receiveResponse(
        re,
        response(200, { cseq: `${re.cseq().seq} INVITE`, rr: [], contact: 'sip:bob@192.0.2.5' }),
      );
      expect(d.remoteTarget).toBe('sip:bob@192.0.2.5');
      expect(d.routeSet).toEqual(['<sip:ss1.atlanta.com;lr>', '<sip:ss2.biloxi.com;lr>']);
    });

    it('a 2xx to INFO leaves the remote target; a failure to a re-INVITE too', () => {
      const d = Dialog.createAsUac(invite(), response(200));
      const info = d.createRequest('INFO');
      d.receiveResponse(
        info,
        response(200, { cseq: `${info.cseq().seq} INFO`, contact: 'sip:x@h' }),
      );
      const re = d.createRequest('INVITE');
      d.receiveResponse(re, response(488, { cseq: `${re.cseq().seq} INVITE`, contact: 'sip:y@h' }));
      expect(d.remoteTarget).toBe('sip:bob@192.0.2.4');
      expect(d.state).toBe('Confirmed');
    });

    it('a 481 to PRACK does not (RFC 3262 §3: no matching reliable provisional)', () => {
      const req = invite();
      const d = Dialog.createAsUac(req, response(183));
      const prack = d.createRequest('PRACK', { headers: [['RAck', '1 314159 INVITE']] });
      d.receiveResponse(prack, response(481, { cseq: `${prack.cseq().seq} PRACK` }));
      expect(d.state).toBe('Early');
    });

    it.each([481, 408])('a %i terminates the dialog', (status) => {
      const d = Dialog.createAsUac(invite(), response(200));
      const info = d.createRequest('INFO');
      d.receiveResponse(info, response(status, { cseq: `${info.cseq().seq} INFO` }));
      expect(d.state).toBe('Terminated');
    });
  });
});
