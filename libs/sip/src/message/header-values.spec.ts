import { SipParseError } from '../errors';
import { SipUri } from '../uri';
import { formatAuthChallenge, formatAuthCredentials, parseAuthField } from './auth-field';
import { listHead, quote, splitList, unfold, unquote } from './grammar';
import { canonicalName, headerKey } from './header-names';
import { NameAddr, parseContact, parseNameAddr } from './name-addr';
import { MAGIC_COOKIE, Via, generateBranch, generateTag, parseVia } from './via';

describe('grammar helpers (RFC 3261 §25.1)', () => {
  it('unfold replaces CRLF + WSP by one SP (§7.3.1)', () => {
    expect(unfold('a\r\n   b\r\n\tc')).toBe('a b c');
    expect(unfold('plain')).toBe('plain');
  });

  it('quote / unquote handle quoted-pairs', () => {
    expect(quote('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
    expect(unquote(quote('say "hi" \\o/'))).toBe('say "hi" \\o/');
    expect(unquote('token')).toBe('token');
  });

  it('listHead cuts the first element off as splitList would, and keeps the rest as written', () => {
    const v = 'a, "b, \\"c" <sip:d,e>;x, f';
    expect(listHead(v)).toEqual({ first: 'a', rest: '"b, \\"c" <sip:d,e>;x, f' });
    expect(listHead(v).first).toBe(splitList(v)[0]);
    expect(listHead(' <sip:d,e>;lr ')).toEqual({ first: '<sip:d,e>;lr' });
    expect(listHead('SIP/2.0/UDP h;branch=z9hG4bK1 ,SIP/2.0/TCP g')).toEqual({
      first: 'SIP/2.0/UDP h;branch=z9hG4bK1',
      rest: 'SIP/2.0/TCP g',
    });
    // An unbalanced quote or <> anywhere in the line is still an error.
    expect(() => listHead('a, "open', 'Via')).toThrow(SipParseError);
    expect(() => listHead('<sip:a>, <sip:b', 'Route')).toThrow(SipParseError);
  });

  it('splitList respects quotes, quoted-pairs and <>', () => {
    expect(splitList('a, "b, \\"c" <sip:d,e>;x, f')).toEqual(['a', '"b, \\"c" <sip:d,e>;x', 'f']);
    expect(() => splitList('"open, b', 'Contact')).toThrow(SipParseError);
    // '<' inside quotes and '"' inside <...> are plain characters; a trailing escape is open.
    expect(splitList('"a<b", <sip:c"d>, e')).toEqual(['"a<b"', '<sip:c"d>', 'e']);
    expect(() => splitList('"a\\', 'Contact')).toThrow(SipParseError);
    expect(() => splitList('<sip:a, b', 'Route')).toThrow(SipParseError);
  });

  it('header names: compact forms and canonical spelling', () => {
    expect(headerKey('i')).toBe('call-id');
    expect(headerKey('M')).toBe('contact');
    expect(headerKey('o')).toBe('event');
    expect(headerKey('X-Custom')).toBe('x-custom');
    expect(canonicalName('call-id')).toBe('Call-ID');
    expect(canonicalName('www-authenticate')).toBe('WWW-Authenticate');
    expect(canonicalName('cseq')).toBe('CSeq');
    expect(canonicalName('X-Custom')).toBe('X-Custom');
  });
});

describe('name-addr / addr-spec (RFC 3261 §20.10, §20.20, §20.39)', () => {
  it.each([
    [
      '"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s',
      'A. G. Bell',
      'sip:agb@bell-telephone.com',
      'a48s',
    ],
    [
      'Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8',
      'Anonymous',
      'sip:c8oqz84zk7z@privacy.org',
      'hyh8',
    ],
    [
      'sip:+12125551212@server.phone2net.com;tag=887s',
      undefined,
      'sip:+12125551212@server.phone2net.com',
      '887s',
    ],
    ['<sip:alice@atlanta.com>', undefined, 'sip:alice@atlanta.com', undefined],
    ['"" <sip:alice@atlanta.com>', '', 'sip:alice@atlanta.com', undefined],
    ['Bob Smith<sip:bob@b>', 'Bob Smith', 'sip:bob@b', undefined],
    ['<tel:+1-212-555-1212>;tag=1', undefined, 'tel:+1-212-555-1212', '1'],
  ])('%s', (text, displayName, uri, tag) => {
    const na = parseNameAddr(text, 'From');
    expect(na.displayName).toBe(displayName);
    expect(na.uri).toBe(uri);
    expect(na.tag).toBe(tag);
  });

  it.each([
    ['"unterminated <sip:a@b>', 'unterminated'],
    ['<sip:a@b', 'unbalanced'],
    ['< sip:a@b>', 'whitespace'],
    ['sip:a@b?x=y', 'enclosed'],
    ['Bob, Smith <sip:a@b>', 'enclosed'],
    ['<sip:a@b> junk', 'unexpected'],
    ['<sip:a@b>;', 'parameter name'],
    ['<sip:a@b>;tag="x', 'unterminated'],
    ['<>', 'empty URI'],
    ['<nocolon>', 'scheme'],
    ['', 'empty URI'],
  ])('rejects %j (%s)', (text, detail) => {
    let e: unknown;
    try {
      parseNameAddr(text, 'To');
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(SipParseError);
    expect((e as SipParseError).header).toBe('To');
    expect((e as SipParseError).reasonPhrase).toContain(detail);
  });

  it('toString always writes the name-addr form and quotes display names when needed', () => {
    expect(parseNameAddr('sip:a@b;tag=1').toString()).toBe('<sip:a@b>;tag=1');
    expect(new NameAddr('sip:a@b', new Map(), 'Alice').toString()).toBe('Alice <sip:a@b>');
    expect(new NameAddr('sip:a@b', new Map(), 'Doe, "J"').toString()).toBe(
      '"Doe, \\"J\\"" <sip:a@b>',
    );
    const na = parseNameAddr('<sip:a@b>');
    na.tag = 'xyz';
    expect(na.toString()).toBe('<sip:a@b>;tag=xyz');
    expect(parseNameAddr(na.toString()).tag).toBe('xyz');
  });

  it('parsedUri follows changes of uri', () => {
    const na = parseNameAddr('<sip:a@b>');
    expect((na.parsedUri() as SipUri).host).toBe('b');
    na.uri = 'sip:a@c';
    expect((na.parsedUri() as SipUri).host).toBe('c');
  });

  it('parsedUri caches without changing what the value compares equal to', () => {
    const na = parseNameAddr('<sip:a@b>;tag=1');
    const first = na.parsedUri();
    expect(na.parsedUri()).toBe(first);
    expect(na).toEqual(parseNameAddr('<sip:a@b>;tag=1'));
    expect(Object.keys(na)).toEqual(Object.keys(parseNameAddr('<sip:a@b>;tag=1')));
    expect(na.clone().parsedUri()).not.toBe(first);
  });

  it('Contact expires and q', () => {
    const c = parseContact('<sip:a@b>;expires=3600;q=0.7');
    expect(c.expires).toBe(3600);
    expect(c.q).toBe(0.7);
    c.expires = 0;
    expect(c.toString()).toBe('<sip:a@b>;expires=0;q=0.7');
    expect(() => parseContact('<sip:a@b>;expires=4294967296')).toThrow(SipParseError);
    expect(() => parseContact('<sip:a@b>;q=1.5')).toThrow(SipParseError);
  });
});

describe('Via (RFC 3261 §20.42, RFC 3581)', () => {
  it('parses protocol, transport, sent-by and parameters', () => {
    const [v] = parseVia(
      'SIP/2.0/tcp [2001:db8::9]:5070;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5071;maddr=x',
    );
    expect(v.protocol).toBe('SIP/2.0');
    expect(v.transport).toBe('TCP');
    expect(v.host).toBe('2001:db8::9');
    expect(v.port).toBe(5070);
    expect(v.branch).toBe('z9hG4bK776asdhds');
    expect(v.received).toBe('192.0.2.1');
    expect(v.rport).toBe(5071);
    expect(v.params.get('maddr')).toBe('x');
    expect(v.sentBy).toBe('[2001:db8::9]:5070');
    expect(v.toString()).toBe(
      'SIP/2.0/TCP [2001:db8::9]:5070;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5071;maddr=x',
    );
  });

  it('several values per line and IPv6 received', () => {
    const vias = parseVia(
      'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/WS b.invalid;branch=z9hG4bK2;received=[::1]',
    );
    expect(vias.map((v) => v.transport)).toEqual(['UDP', 'WS']);
    expect(vias[1].received).toBe('[::1]');
  });

  it.each([
    'SIP/2.0/UDP h.example:5060;rport',
    'SIP / 2.0 / UDP h.example:5060;rport',
    'sip/2.0/udp h.example : 5060 ;rport',
    'SIP/2.0/UDP \t h.example:5060;RPORT',
  ])('reads %j like the usual spelling (fast path and scanner agree)', (text) => {
    const [v] = parseVia(text);
    expect([v.protocol.toUpperCase(), v.transport, v.host, v.port, v.rport]).toEqual([
      'SIP/2.0',
      'UDP',
      'h.example',
      5060,
      null,
    ]);
  });

  it('keeps another protocol version as written', () => {
    expect(parseVia('SIP/3.0/UDP h')[0].protocol).toBe('SIP/3.0');
    expect(parseVia('SIP/2.0/SCTP h')[0].transport).toBe('SCTP');
  });

  it.each([
    '',
    'SIP/2.0/UDP',
    'SIP/2.0/UDP h:',
    'SIP/2.0/UDP h:65536',
    'SIP/2.0/UDP h:050600',
    'SIP/2.0/UDP h;rport=123456',
    'SIP/2.0/UDP h;rport=000001',
    'SIP/2.0/UDP h;rport=5x',
    'SIP/2.0/UDP a;',
    'SIP/2.0/UDP a;;b',
    'SIP/2.0/UDP a,',
    'SIP/2.0/UDPa',
    'SIP/2.0/UDP a b',
  ])('rejects %j', (text) => {
    expect(() => parseVia(text)).toThrow(SipParseError);
  });

  it('builds a Via and manipulates received / rport', () => {
    const v = new Via({
      transport: 'udp',
      host: '127.0.0.1',
      port: 5060,
      params: new Map([['branch', generateBranch()]]),
    });
    v.rport = null;
    expect(v.toString()).toMatch(
      /^SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=z9hG4bK[0-9a-f]{16};rport$/,
    );
    v.rport = 5062;
    v.received = '10.0.0.1';
    expect(parseVia(v.toString())[0].rport).toBe(5062);
    v.received = undefined;
    v.rport = undefined;
    expect(v.toString()).not.toMatch(/received|rport/);
  });

  it('generateBranch / generateTag are unique and well-formed', () => {
    const branches = new Set(Array.from({ length: 100 }, generateBranch));
    expect(branches.size).toBe(100);
    for (const b of branches) expect(b.startsWith(MAGIC_COOKIE)).toBe(true);
    const tags = new Set(Array.from({ length: 100 }, generateTag));
    expect(tags.size).toBe(100);
    for (const t of tags) expect(t).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('authentication headers (RFC 3261 §20.7, §20.44; RFC 3310)', () => {
  it('parses a Digest AKA challenge; quoted strings unescaped', () => {
    const c = parseAuthField(
      'Digest realm="ims.mnc001.mcc001.3gppnetwork.org", nonce="CjPk9mRqNuT25eRkajM09uTl9nM09uTl9nMz5OX25PZz==",\r\n qop="auth,auth-int", algorithm=AKAv1-MD5, opaque="a\\"b"',
      'WWW-Authenticate',
    );
    expect(c.scheme).toBe('Digest');
    expect(c.params.get('realm')).toBe('ims.mnc001.mcc001.3gppnetwork.org');
    expect(c.params.get('qop')).toBe('auth,auth-int');
    expect(c.params.get('algorithm')).toBe('AKAv1-MD5');
    expect(c.params.get('opaque')).toBe('a"b');
  });

  it('formats challenges and credentials with the RFC quoting rules', () => {
    const challenge = {
      scheme: 'Digest',
      params: new Map([
        ['realm', 'ims.example'],
        ['nonce', 'abc'],
        ['qop', 'auth'],
        ['algorithm', 'AKAv1-MD5'],
        ['stale', 'TRUE'],
      ]),
    };
    expect(formatAuthChallenge(challenge)).toBe(
      'Digest realm="ims.example", nonce="abc", qop="auth", algorithm=AKAv1-MD5, stale=TRUE',
    );
    const credentials = {
      scheme: 'Digest',
      params: new Map([
        ['username', 'alice@ims.example'],
        ['realm', 'ims.example'],
        ['nonce', 'abc'],
        ['uri', 'sip:ims.example'],
        ['response', '6629fae49393a05397450978507c4ef1'],
        ['qop', 'auth'],
        ['nc', '00000001'],
        ['cnonce', '0a4f113b'],
        ['algorithm', 'MD5'],
      ]),
    };
    const text = formatAuthCredentials(credentials);
    expect(text).toBe(
      'Digest username="alice@ims.example", realm="ims.example", nonce="abc", uri="sip:ims.example", response="6629fae49393a05397450978507c4ef1", qop=auth, nc=00000001, cnonce="0a4f113b", algorithm=MD5',
    );
    expect(parseAuthField(text)).toEqual(credentials);
  });

  it('other schemes may carry a token68', () => {
    expect(parseAuthField('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toEqual({
      scheme: 'Basic',
      params: new Map(),
      token68: 'QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    });
  });

  it.each([
    '',
    'Digest realm',
    'Digest realm="x',
    'Digest realm="x",',
    'Digest realm="x" nonce="y"',
  ])('rejects %j', (text) => {
    expect(() => parseAuthField(text, 'Authorization')).toThrow(SipParseError);
  });
});
