import { createRequest, createResponse } from './create-message';
import { parseMessage } from './parse-message';
import { reasonPhrase } from './reason-phrase';
import { SipRequest } from './sip-message';

const INVITE = [
  'INVITE sip:bob@biloxi.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8',
  'v: SIP/2.0/UDP  bigbox3.site3.atlanta.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.com>',
  'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.com>',
  'Record-Route: <sip:bigbox3.site3.atlanta.com;lr>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\n',
].join('\r\n');

describe('createResponse (RFC 3261 §8.2.6.2)', () => {
  const req = parseMessage(INVITE) as SipRequest;

  it.each([100, 180, 200, 486, 503, 600])(
    '%d copies Via (in order), From, To, Call-ID, CSeq byte for byte',
    (status) => {
      const res = createResponse(req, status);
      expect(res.status).toBe(status);
      expect(res.reason).toBe(reasonPhrase(status));
      const text = res.toString();
      expect(text).toBe(
        [
          `SIP/2.0 ${status} ${reasonPhrase(status)}`,
          'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8',
          'v: SIP/2.0/UDP  bigbox3.site3.atlanta.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2',
          'To: Bob <sip:bob@biloxi.com>',
          'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
          'Call-ID: a84b4c76e66710',
          'CSeq: 314159 INVITE',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      const back = parseMessage(text);
      expect(back.via().map((v) => v.branch)).toEqual(req.via().map((v) => v.branch));
      expect(back.cseq()).toEqual(req.cseq());
    },
  );

  it('adds the To tag when the request has none, not otherwise', () => {
    const res = createResponse(req, 200, undefined, { toTag: 'a6c85cf' });
    expect(res.to().tag).toBe('a6c85cf');
    expect(res.get('To')).toBe('Bob <sip:bob@biloxi.com>;tag=a6c85cf');
    const again = createResponse(
      parseMessage(
        res
          .toBuffer()
          .toString()
          .replace('SIP/2.0 200 OK', 'BYE sip:a@b SIP/2.0')
          .replace('314159 INVITE', '314160 BYE'),
      ) as SipRequest,
      200,
      'OK',
      { toTag: 'other' },
    );
    expect(again.to().tag).toBe('a6c85cf');
  });

  it('100 Trying copies Timestamp (§8.2.6.1); recordRoute copies Record-Route in order (§12.1.1)', () => {
    const withTs = parseMessage(
      INVITE.replace('Max-Forwards: 70', 'Timestamp: 54\r\nMax-Forwards: 70'),
    ) as SipRequest;
    expect(createResponse(withTs, 100).get('Timestamp')).toBe('54');
    expect(createResponse(withTs, 180).has('Timestamp')).toBe(false);
    const rr = parseMessage(
      INVITE.replace(
        'Record-Route: <sip:bigbox3.site3.atlanta.com;lr>',
        'Record-Route: <sip:p2;lr>, <sip:p1;lr>;x=1\r\nRecord-Route: <sip:p0;lr>',
      ),
    ) as SipRequest;
    expect(createResponse(rr, 200, undefined, { toTag: 't' }).has('Record-Route')).toBe(false);
    const ok = createResponse(rr, 200, undefined, { toTag: 't', recordRoute: true });
    expect(ok.getAll('Record-Route')).toEqual(['<sip:p2;lr>', '<sip:p1;lr>;x=1', '<sip:p0;lr>']);
  });

  it('a custom reason phrase', () => {
    expect(
      createResponse(req, 480, 'Not Registered')
        .toString()
        .startsWith('SIP/2.0 480 Not Registered\r\n'),
    ).toBe(true);
  });

  it('changing the response does not change the request', () => {
    const res = createResponse(req, 200, undefined, { toTag: 'x' });
    res.prepend('Via', 'SIP/2.0/UDP x;branch=z9hG4bKx');
    expect(req.via()).toHaveLength(2);
    expect(req.to().tag).toBeUndefined();
    expect(req.toString()).toBe(INVITE);
  });
});

describe('createRequest', () => {
  it('builds a request that parses back', () => {
    const req = createRequest({
      method: 'OPTIONS',
      uri: 'sip:scscf.ims.example:6060',
      headers: [
        ['Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKping'],
        ['Max-Forwards', '70'],
        ['From', '<sip:pcscf.ims.example>;tag=p1'],
        ['To', '<sip:scscf.ims.example>'],
        ['call-id', 'ping-1'],
        ['cseq', '1 OPTIONS'],
      ],
      body: 'hello',
    });
    const text = req.toString();
    expect(text).toBe(
      [
        'OPTIONS sip:scscf.ims.example:6060 SIP/2.0',
        'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKping',
        'Max-Forwards: 70',
        'From: <sip:pcscf.ims.example>;tag=p1',
        'To: <sip:scscf.ims.example>',
        'Call-ID: ping-1',
        'CSeq: 1 OPTIONS',
        'Content-Length: 5',
        '',
        'hello',
      ].join('\r\n'),
    );
    const back = parseMessage(text) as SipRequest;
    expect(back.method).toBe('OPTIONS');
    expect(back.maxForwards()).toBe(70);
    expect(back.body.toString()).toBe('hello');
  });

  it('refuses header values with bare line breaks (header injection)', () => {
    expect(() =>
      createRequest({ method: 'OPTIONS', uri: 'sip:a', headers: [['Subject', 'x\r\nVia: evil']] }),
    ).toThrow();
  });
});
