import { SipParseError } from '../errors';
import { AbsoluteUri } from './absolute-uri';
import { escapeUri, unescapeUri } from './escape';
import { parseUri } from './parse-uri';
import { SipUri } from './sip-uri';
import { TelUri } from './tel-uri';
import { uriEquals } from './uri-equals';

function sip(text: string): SipUri {
  const u = parseUri(text);
  if (!(u instanceof SipUri)) throw new Error('not a SIP URI');
  return u;
}

describe('parseUri: SIP and SIPS URIs (RFC 3261 §19.1.1, §25.1)', () => {
  it('splits user, password, host, port, parameters and headers', () => {
    const u = sip(
      'sips:alice:secretword@atlanta.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent',
    );
    expect(u.scheme).toBe('sips');
    expect(u.user).toBe('alice');
    expect(u.password).toBe('secretword');
    expect(u.host).toBe('atlanta.com');
    expect(u.port).toBe(5061);
    expect(u.transport).toBe('tcp');
    expect(u.lr).toBe(true);
    expect([...u.params]).toEqual([
      ['transport', 'tcp'],
      ['lr', null],
    ]);
    expect([...u.headers]).toEqual([
      ['subject', 'project%20x'],
      ['priority', 'urgent'],
    ]);
    expect(u.toString()).toBe(
      'sips:alice:secretword@atlanta.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent',
    );
  });

  it('keeps the headers component through clone, mutation and equality', () => {
    const plain = sip('sip:alice@atlanta.com;lr');
    expect(plain.hasHeaders).toBe(false);
    const withHeaders = sip('sip:alice@atlanta.com;lr?subject=x');
    expect(withHeaders.hasHeaders).toBe(true);
    expect(uriEquals(plain, withHeaders)).toBe(false);
    expect(uriEquals(withHeaders, sip('sip:alice@atlanta.com;lr?Subject=x'))).toBe(true);
    const copy = withHeaders.clone();
    copy.headers.set('priority', 'urgent');
    expect(copy.toString()).toBe('sip:alice@atlanta.com;lr?subject=x&priority=urgent');
    expect(withHeaders.toString()).toBe('sip:alice@atlanta.com;lr?subject=x');
    const grown = plain.clone();
    grown.headers.set('subject', 'x');
    expect(grown.hasHeaders).toBe(true);
    expect(uriEquals(grown, withHeaders)).toBe(true);
    expect(plain.toString()).toBe('sip:alice@atlanta.com;lr');
    expect(plain.hasHeaders).toBe(false);
  });

  it.each([
    ['sip:atlanta.com', undefined, 'atlanta.com', undefined],
    [
      'sip:+1-212-555-1212:1234@gateway.com;user=phone',
      '+1-212-555-1212',
      'gateway.com',
      undefined,
    ],
    ['sip:alice@192.0.2.4', 'alice', '192.0.2.4', undefined],
    ['sip:[2001:db8::10]:5070', undefined, '2001:db8::10', 5070],
    ['sip:bob@[::1]', 'bob', '::1', undefined],
    ['SIP:ALICE@AtLanTa.CoM', 'ALICE', 'AtLanTa.CoM', undefined],
  ])('%s', (text, user, host, port) => {
    const u = sip(text);
    expect(u.user).toBe(user);
    expect(u.host).toBe(host);
    expect(u.port).toBe(port);
  });

  it('writes IPv6 references back in brackets', () => {
    expect(sip('sip:[::1]:5060;transport=udp').toString()).toBe('sip:[::1]:5060;transport=udp');
    expect(sip('sip:[::1]').hostport).toBe('[::1]');
  });

  it('keeps %-escapes as written; unescapeUri decodes them once', () => {
    const u = sip('sip:%61lice%20b@example.com;n%61me=v%61lue%2541');
    expect(u.user).toBe('%61lice%20b');
    expect(unescapeUri(u.user!)).toBe('alice b');
    // parameter names are case-insensitive: stored unescaped and lower-cased
    expect(u.params.get('name')).toBe('v%61lue%2541');
    expect(unescapeUri(u.params.get('name')!)).toBe('value%41');
  });

  it('escapeUri encodes what a component may not contain, as UTF-8', () => {
    expect(escapeUri('a b;é', (c) => c !== 0x20 && c !== 0x3b)).toBe('a%20b%3B%C3%A9');
  });

  it.each([
    ['sip:', 'missing host'],
    ['sip:alice@', 'missing host'],
    ['sip:@example.com', 'bad user part'],
    ['sip:alice@example.com:99999', 'bad port'],
    ['sip:alice@example.com:', 'bad port'],
    ['sip:alice@[::1', 'unterminated IPv6'],
    ['sip:alice@[zz]', 'bad IPv6'],
    ['sip:al ice@example.com', 'bad user part'],
    ['sip:alice@example.com;=x', 'bad uri-parameter'],
    ['sip:alice@example.com;a=', 'empty uri-parameter'],
    ['sip:alice@example.com;a=<b>', 'bad uri-parameter'],
    ['sip:alice@example.com?noequals', 'bad URI header'],
    ['sip:%zz@example.com', 'bad escape'],
    ['sip:alice@example.com>', 'unexpected'],
    ['<sip:alice@example.com>', 'no scheme'],
    ['alice@example.com', 'no scheme'],
    ['1sip:x', 'no scheme'],
  ])('rejects %s (%s)', (text, detail) => {
    let err: unknown;
    try {
      parseUri(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SipParseError);
    expect((err as SipParseError).statusCode).toBe(400);
    expect((err as SipParseError).reasonPhrase).toContain(detail);
  });
});

describe('parseUri: tel URIs (RFC 3966)', () => {
  it('global number with visual separators and parameters', () => {
    const u = parseUri('tel:+1-201-555-0123;EXT=1234;isub=abc') as TelUri;
    expect(u).toBeInstanceOf(TelUri);
    expect(u.number).toBe('+1-201-555-0123');
    expect(u.digits).toBe('+12015550123');
    expect(u.isGlobal).toBe(true);
    expect(u.params.get('ext')).toBe('1234');
    expect(u.toString()).toBe('tel:+1-201-555-0123;ext=1234;isub=abc');
  });

  it('local number with phone-context', () => {
    const u = parseUri('tel:7042;phone-context=example.com') as TelUri;
    expect(u.isGlobal).toBe(false);
    expect(u.params.get('phone-context')).toBe('example.com');
  });

  it.each(['tel:', 'tel:+', 'tel:12+34', 'tel:12 34', 'tel:123;;x', 'tel:abc-xyz', 'tel:+12a4'])(
    'rejects %s',
    (t) => {
      expect(() => parseUri(t)).toThrow(SipParseError);
    },
  );
});

describe('parseUri: other schemes (RFC 3261 §25.1 absoluteURI)', () => {
  it.each([
    ['urn:service:sos', 'urn', 'service:sos'],
    ['http://www.example.com', 'http', '//www.example.com'],
    ['mailto:alice@example.com', 'mailto', 'alice@example.com'],
  ])('%s', (text, scheme, value) => {
    const u = parseUri(text) as AbsoluteUri;
    expect(u).toBeInstanceOf(AbsoluteUri);
    expect(u.scheme).toBe(scheme);
    expect(u.value).toBe(value);
    expect(u.toString()).toBe(text);
  });

  it.each(['urn:', 'urn:a b', 'x:<y>'])('rejects %s', (t) => {
    expect(() => parseUri(t)).toThrow(SipParseError);
  });
});
