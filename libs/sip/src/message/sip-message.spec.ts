import { SipParseError } from '../errors';
import { SipUri } from '../uri';
import { HeaderList } from './header-list';
import { parseMessage } from './parse-message';
import { SipRequest, SipResponse } from './sip-message';
import { Via } from './via';

/** A typical IMS REGISTER as a UE sends it to the P-CSCF (TS 24.229 §5.1.1.2). */
const REGISTER = [
  'REGISTER sip:ims.mnc001.mcc001.3gppnetwork.org SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-524287-1---a1b2;rport',
  'Max-Forwards: 70',
  'Contact: <sip:001010000000001@127.0.0.1:5080;transport=udp>;expires=600;+sip.instance="<urn:gsma:imei:35209900-176148-0>";+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
  'To: <sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>',
  'From: <sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>;tag=4fa3',
  'Call-ID: 9a8b7c6d@127.0.0.1',
  'CSeq: 1 REGISTER',
  'Expires: 600',
  'Authorization: Digest username="001010000000001@ims.mnc001.mcc001.3gppnetwork.org",realm="ims.mnc001.mcc001.3gppnetwork.org",nonce="",uri="sip:ims.mnc001.mcc001.3gppnetwork.org",response=""',
  'Supported: path, gruu',
  'Require: sec-agree',
  'Proxy-Require: sec-agree',
  'Security-Client: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1111;spi-s=2222;port-c=5100;port-s=5101',
  'Allow: INVITE, ACK, CANCEL, BYE, MESSAGE, OPTIONS, NOTIFY, PRACK, UPDATE, REFER',
  'P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010001000019B',
  'User-Agent: test-ue',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function reg(): SipRequest {
  return parseMessage(REGISTER) as SipRequest;
}

describe('header access (RFC 3261 §7.3)', () => {
  it('names are case-insensitive and compact forms are the same header (§7.3.3)', () => {
    const m = parseMessage(
      'OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nf: <sip:x@y>;tag=1\r\nt: <sip:a@b>\r\ni: abc\r\nCSEQ: 1 OPTIONS\r\nk: path\r\nl: 0\r\n\r\n',
    );
    expect(m.get('Via')).toBe('SIP/2.0/UDP h;branch=z9hG4bK1');
    expect(m.get('VIA')).toBe(m.get('v'));
    expect(m.callId()).toBe('abc');
    expect(m.get('call-id')).toBe('abc');
    expect(m.supported()).toEqual(['path']);
    expect(m.has('Content-Length')).toBe(true);
  });

  it('getAll splits list headers at top-level commas only', () => {
    const m = parseMessage(
      'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n' +
        'Contact: "Doe, John" <sip:j@d;x=1,2>;q=0.5, <sip:k@d>\r\n' +
        'Subject: hello, world\r\n\r\n',
    );
    expect(m.getAll('Contact')).toEqual(['"Doe, John" <sip:j@d;x=1,2>;q=0.5', '<sip:k@d>']);
    expect(m.contacts().map((c) => c.displayName)).toEqual(['Doe, John', undefined]);
    // Subject is not a list header.
    expect(m.getAll('Subject')).toEqual(['hello, world']);
  });

  it('set / append / prepend / remove / removeFirst keep order and invalidate typed views', () => {
    const m = reg();
    expect(m.via()).toHaveLength(1);
    m.prepend('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKpcscf');
    expect(m.via().map((v) => v.port)).toEqual([5060, 5080]);
    expect(m.topVia().branch).toBe('z9hG4bKpcscf');
    expect(m.removeFirst('Via')).toBe('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKpcscf');
    expect(m.topVia().port).toBe(5080);

    m.append('Route', '<sip:scscf.ims.example;lr>');
    m.prepend('Route', '<sip:icscf.ims.example;lr>');
    expect(m.routes().map((r) => r.uri)).toEqual([
      'sip:icscf.ims.example;lr',
      'sip:scscf.ims.example;lr',
    ]);
    m.set('Route', ['<sip:a;lr>', '<sip:b;lr>', '<sip:c;lr>']);
    expect(m.routes().map((r) => r.uri)).toEqual(['sip:a;lr', 'sip:b;lr', 'sip:c;lr']);
    m.remove('Route');
    expect(m.routes()).toEqual([]);
    expect(m.has('Route')).toBe(false);

    m.set('Max-Forwards', String(m.maxForwards()! - 1));
    expect(m.maxForwards()).toBe(69);
    expect(m.toString()).toContain('\r\nMax-Forwards: 69\r\n');
  });

  it('removeFirst on a multi-value line pops only the first value and rewrites the line', () => {
    const m = parseMessage(
      'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP p1;branch=z9hG4bK1, SIP/2.0/TCP p2;branch=z9hG4bK2\r\nVia: SIP/2.0/UDP ua;branch=z9hG4bK3\r\n' +
        'From: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    );
    expect(m.via().map((v) => v.host)).toEqual(['p1', 'p2', 'ua']);
    expect(m.removeFirst('Via')).toBe('SIP/2.0/UDP p1;branch=z9hG4bK1');
    expect(m.via().map((v) => v.host)).toEqual(['p2', 'ua']);
    expect(m.toString()).toContain(
      'Via: SIP/2.0/TCP p2;branch=z9hG4bK2\r\nVia: SIP/2.0/UDP ua;branch=z9hG4bK3\r\n',
    );
  });

  it('setTopVia writes received and rport (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
    const m = reg();
    const via = m.topVia().clone();
    via.received = '192.0.2.7';
    via.rport = 40000;
    m.setTopVia(via);
    expect(m.get('Via')).toBe(
      'SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-524287-1---a1b2;rport=40000;received=192.0.2.7',
    );
    expect(m.topVia().rport).toBe(40000);
    expect(m.via()).toHaveLength(1);
  });
});

describe('serialization', () => {
  it('an untouched message is byte-identical', () => {
    expect(reg().toString()).toBe(REGISTER);
  });

  it('untouched headers stay byte-identical when others change (odd spacing, folding, compact forms)', () => {
    const text =
      'INVITE sip:bob@b SIP/2.0\r\nv:  SIP/2.0/UDP a ;branch=z9hG4bKx\r\nf :<sip:a@a>;tag=1\r\nt: <sip:bob@b>\r\ni: c1\r\nCSeq:   1    INVITE\r\n' +
      'X-Folded: one,\r\n\ttwo\r\nMax-Forwards: 5\r\nl: 3\r\n\r\nabc';
    const m = parseMessage(text) as SipRequest;
    m.set('Max-Forwards', '4');
    m.prepend('Via', 'SIP/2.0/UDP proxy;branch=z9hG4bKp');
    expect(m.toString()).toBe(
      'INVITE sip:bob@b SIP/2.0\r\nVia: SIP/2.0/UDP proxy;branch=z9hG4bKp\r\nv:  SIP/2.0/UDP a ;branch=z9hG4bKx\r\nf :<sip:a@a>;tag=1\r\nt: <sip:bob@b>\r\ni: c1\r\nCSeq:   1    INVITE\r\n' +
        'X-Folded: one,\r\n\ttwo\r\nMax-Forwards: 4\r\nl: 3\r\n\r\nabc',
    );
    expect(m.get('X-Folded')).toBe('one, two');
  });

  it('a rewritten message from a bare-LF sender is written with CRLF, its Content-Length mid-section fixed', () => {
    const m = parseMessage(
      'MESSAGE sip:bob@b SIP/2.0\nVia: SIP/2.0/UDP a;branch=z9hG4bKx\nFrom: <sip:a@a>;tag=1\n' +
        'To: <sip:bob@b>\nContent-Length: 2\nCall-ID: c1\nCSeq: 1 MESSAGE\nMax-Forwards: 5\n\nhi',
    ) as SipRequest;
    m.set('Max-Forwards', '4');
    m.body = Buffer.from('hello');
    expect(m.toString()).toBe(
      'MESSAGE sip:bob@b SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bKx\r\nFrom: <sip:a@a>;tag=1\r\n' +
        'To: <sip:bob@b>\r\nContent-Length: 5\r\nCall-ID: c1\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 4\r\n\r\nhello',
    );
  });

  it('lines of two received messages are written in the order of the header list', () => {
    const a = reg();
    const b = parseMessage(
      'OPTIONS sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP b;branch=z9hG4bKb\r\nFrom: <sip:b@b>;tag=2\r\n' +
        'To: <sip:x@y>\r\nCall-ID: c2\r\nCSeq: 7 OPTIONS\r\nX-One: 1\r\nX-Two: 2\r\n\r\n',
    );
    // Copy b's two adjacent lines into a, between a's own adjacent lines.
    const own = a.headers.all();
    const copied = b.headers.all().filter((f) => f.name.startsWith('X-'));
    a.headers = new HeaderList([...own.slice(0, 2), ...copied, ...own.slice(2)]);
    a.headers.modified = true;
    const lines = a.toString().split('\r\n');
    const original = REGISTER.split('\r\n');
    expect(lines.slice(0, 3)).toEqual(original.slice(0, 3));
    expect(lines.slice(3, 5)).toEqual(['X-One: 1', 'X-Two: 2']);
    expect(lines.slice(5)).toEqual(original.slice(3));
  });

  it('Content-Length is regenerated when the body changes, and added when absent', () => {
    const m = reg();
    m.body = Buffer.from('v=0\r\n');
    expect(m.toString().endsWith('\r\nContent-Length: 5\r\n\r\nv=0\r\n')).toBe(true);
    m.remove('Content-Length');
    expect(m.toString()).toContain('\r\nContent-Length: 5\r\n\r\nv=0');
    const again = parseMessage(m.toBuffer());
    expect(again.body.toString()).toBe('v=0\r\n');
  });

  it('a changed Request-URI or status line is written', () => {
    const m = reg();
    m.setUri('sip:scscf1.ims.mnc001.mcc001.3gppnetwork.org:6060');
    expect(
      m
        .toString()
        .startsWith('REGISTER sip:scscf1.ims.mnc001.mcc001.3gppnetwork.org:6060 SIP/2.0\r\n'),
    ).toBe(true);
    expect((m.requestUri() as SipUri).port).toBe(6060);
    const r = parseMessage(
      'SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    ) as SipResponse;
    r.status = 183;
    r.reason = 'Session Progress';
    expect(r.toString().startsWith('SIP/2.0 183 Session Progress\r\n')).toBe(true);
  });

  it('clone() is independent of the original', () => {
    const m = reg();
    const c = m.clone();
    c.prepend('Via', 'SIP/2.0/TCP x;branch=z9hG4bKc');
    c.body = Buffer.from('x');
    expect(m.via()).toHaveLength(1);
    expect(c.via()).toHaveLength(2);
    expect(m.toString()).toBe(REGISTER);
    expect(c).toBeInstanceOf(SipRequest);
    expect(c.method).toBe('REGISTER');
    const d = m.clone();
    expect(d.toString()).toBe(REGISTER);
    d.body = Buffer.from('y');
    d.set('Content-Type', 'text/plain');
    expect(m.toString()).toBe(REGISTER);
    expect(d.toString()).toContain('Content-Length: 1\r\n');
  });

  it('pushVia() writes the Via and keeps the object as the parsed top Via', () => {
    const m = reg();
    const via = new Via({
      transport: 'UDP',
      host: '::1',
      port: 5070,
      params: new Map([['branch', 'z9hG4bKab12.0']]),
    });
    m.pushVia(via);
    expect(m.topVia()).toBe(via);
    expect(m.getAll('Via')[0]).toBe('SIP/2.0/UDP [::1]:5070;branch=z9hG4bKab12.0');
    expect(m.via()).toHaveLength(2);
    const reparsed = parseMessage(m.toBuffer()).topVia();
    expect({ ...reparsed, params: [...reparsed.params] }).toEqual({
      ...via,
      params: [...via.params],
    });
    m.removeFirst('Via');
    expect(m.topVia()).not.toBe(via);
    expect(m.toString()).toBe(REGISTER);
  });

  it('clone() shares the parsed Request-URI until the copy gets another one', () => {
    const m = reg();
    const c = m.clone();
    expect(c.requestUri()).toBe(m.requestUri());
    c.setUri('sip:other.example.com');
    expect((c.requestUri() as SipUri).host).toBe('other.example.com');
    expect(m.requestUri()).not.toBe(c.requestUri());
    expect(m.toString()).toBe(REGISTER);
  });

  it('clone() of a received message with a body shares its octets and keeps its bytes', () => {
    const bytes = Buffer.from(REGISTER.replace('Content-Length: 0', 'Content-Length: 4') + 'abcd');
    const m = parseMessage(bytes);
    const c = m.clone();
    // Untouched: the clone serializes to the very bytes received, without a copy.
    expect(c.toBuffer()).toBe(m.toBuffer());
    expect(c.body.toString()).toBe('abcd');
    c.prepend('Via', 'SIP/2.0/UDP x;branch=z9hG4bKd');
    expect(c.toString().endsWith('\r\n\r\nabcd')).toBe(true);
    expect(m.toBuffer().equals(bytes)).toBe(true);
    c.body = Buffer.from('xy');
    expect(m.body.toString()).toBe('abcd');
    expect(c.contentLength()).toBe(4); // the header as received; serialization writes 2
    expect(c.toString()).toContain('Content-Length: 2\r\n');
  });
});

describe('typed accessors', () => {
  it('REGISTER: the fields a P-CSCF and registrar read', () => {
    const m = reg();
    expect(m.isRequest()).toBe(true);
    expect(m.isResponse()).toBe(false);
    expect(m.topVia()).toBeInstanceOf(Via);
    expect(m.topVia().rport).toBeNull();
    expect(m.cseq()).toEqual({ seq: 1, method: 'REGISTER' });
    expect(m.expires()).toBe(600);
    const [c] = m.contacts();
    expect(c.expires).toBe(600);
    expect(c.params.get('+sip.instance')).toBe('"<urn:gsma:imei:35209900-176148-0>"');
    expect((c.parsedUri() as SipUri).transport).toBe('udp');
    expect(m.supported()).toEqual(['path', 'gruu']);
    expect(m.require()).toEqual(['sec-agree']);
    expect(m.proxyRequire()).toEqual(['sec-agree']);
    expect(m.allow()).toHaveLength(10);
    const [auth] = m.authorizations();
    expect(auth.scheme).toBe('Digest');
    expect(auth.params.get('username')).toBe('001010000000001@ims.mnc001.mcc001.3gppnetwork.org');
    expect(auth.params.get('nonce')).toBe('');
    expect(m.getAll('Security-Client')).toEqual([
      'ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1111;spi-s=2222;port-c=5100;port-s=5101',
    ]);
    expect(m.pAccessNetworkInfo()).toEqual([
      {
        accessType: '3GPP-E-UTRAN-FDD',
        params: new Map([['utran-cell-id-3gpp', '001010001000019B']]),
      },
    ]);
  });

  it('Contact "*" (RFC 3261 §10.2.2) and its misuse', () => {
    const base =
      'REGISTER sip:r SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: c\r\nCSeq: 2 REGISTER\r\nExpires: 0\r\n';
    const star = parseMessage(base + 'Contact: *\r\n\r\n');
    expect(star.contacts()).toHaveLength(1);
    expect(star.contacts()[0].star).toBe(true);
    expect(star.contacts()[0].toString()).toBe('*');
    const mixed = parseMessage(base + 'Contact: *, <sip:a@b>\r\n\r\n');
    expect(() => mixed.contacts()).toThrow(SipParseError);
  });

  it('Path, Service-Route, Record-Route and the RFC 3325 / 3455 P-headers', () => {
    const m = parseMessage(
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:x@y>;tag=2\r\nCall-ID: c\r\nCSeq: 2 REGISTER\r\n' +
        'Path: <sip:term@pcscf.ims.example;lr>\r\n' +
        'Service-Route: <sip:orig@scscf.ims.example;lr>\r\n' +
        'Record-Route: <sip:p2;lr>, <sip:p1;lr>\r\n' +
        'P-Associated-URI: <sip:+15550001@ims.example>, <tel:+15550001>\r\n' +
        'P-Asserted-Identity: "Alice" <sip:alice@ims.example>\r\n' +
        'P-Asserted-Identity: tel:+15550001\r\n' +
        'P-Preferred-Identity: <sip:alice@ims.example>\r\n' +
        'P-Called-Party-ID: <sip:+15550002@ims.example;user=phone>\r\n' +
        'P-Visited-Network-ID: "Visited network number 1", other.net;x=1\r\n' +
        'P-Charging-Vector: icid-value="AyretyU0dm+6O2IrT5tAFrbHLso=023551024"; orig-ioi=home1.net\r\n' +
        'P-Charging-Function-Addresses: ccf=192.0.8.1; ecf=192.0.8.3; ccf="[5555::b99:c88:d77:e66]"\r\n' +
        'Content-Length: 0\r\n\r\n',
    );
    expect(m.paths().map((p) => p.uri)).toEqual(['sip:term@pcscf.ims.example;lr']);
    expect(m.serviceRoutes()[0].uri).toBe('sip:orig@scscf.ims.example;lr');
    expect(m.recordRoutes().map((r) => r.uri)).toEqual(['sip:p2;lr', 'sip:p1;lr']);
    expect(m.pAssociatedUris().map((u) => u.parsedUri().scheme)).toEqual(['sip', 'tel']);
    expect(m.pAssertedIdentities().map((u) => [u.displayName, u.uri])).toEqual([
      ['Alice', 'sip:alice@ims.example'],
      [undefined, 'tel:+15550001'],
    ]);
    expect(m.pPreferredIdentities()[0].uri).toBe('sip:alice@ims.example');
    expect(m.pCalledPartyId()!.uri).toBe('sip:+15550002@ims.example;user=phone');
    expect(m.pVisitedNetworkIds()).toEqual([
      { value: 'Visited network number 1', params: new Map() },
      { value: 'other.net', params: new Map([['x', '1']]) },
    ]);
    expect(m.pChargingVector()!.get('icid-value')).toBe('"AyretyU0dm+6O2IrT5tAFrbHLso=023551024"');
    expect(m.pChargingVector()!.get('orig-ioi')).toBe('home1.net');
    expect(m.pChargingFunctionAddresses()).toEqual({
      ccf: ['192.0.8.1', '[5555::b99:c88:d77:e66]'],
      ecf: ['192.0.8.3'],
      params: new Map(),
    });
  });

  it('absent optional headers give undefined or an empty list', () => {
    const m = parseMessage(
      'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n',
    );
    expect(m.maxForwards()).toBeUndefined();
    expect(m.expires()).toBeUndefined();
    expect(m.contentLength()).toBeUndefined();
    expect(m.contacts()).toEqual([]);
    expect(m.routes()).toEqual([]);
    expect(m.pCalledPartyId()).toBeUndefined();
    expect(m.pChargingVector()).toBeUndefined();
    expect(m.date()).toBeUndefined();
    expect(m.authorizations()).toEqual([]);
  });

  it.each([
    ['Max-Forwards: 256', 'Max-Forwards', (m: SipRequest) => m.maxForwards()],
    ['Max-Forwards: -1', 'Max-Forwards', (m: SipRequest) => m.maxForwards()],
    ['Expires: 4294967296', 'Expires', (m: SipRequest) => m.expires()],
    ['Expires: soon', 'Expires', (m: SipRequest) => m.expires()],
    ['Require: a b', 'Require', (m: SipRequest) => m.require()],
    ['Route: <sip:a;lr', 'Route', (m: SipRequest) => m.routes()],
    ['Contact: <sip:a@b>;q=2', 'Contact', (m: SipRequest) => m.contacts()],
    ['Contact: <sip:a@b>;expires=-1', 'Contact', (m: SipRequest) => m.contacts()],
    ['Authorization: Digest username="x', 'Authorization', (m: SipRequest) => m.authorizations()],
    ['P-Charging-Vector: orig-ioi=x', 'P-Charging-Vector', (m: SipRequest) => m.pChargingVector()],
  ])('%s -> SipParseError naming %s', (line, header, read) => {
    const text =
      'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n' +
      line +
      '\r\n\r\n';
    let err: unknown;
    try {
      read(parseMessage(text) as SipRequest);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SipParseError);
    expect((err as SipParseError).header).toBe(header);
    expect((err as SipParseError).statusCode).toBe(400);
  });
});
