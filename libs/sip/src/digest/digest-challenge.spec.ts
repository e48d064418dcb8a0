import { parseAuthField } from '../message/auth-field';
import { parseAuthHeader, parseAuthParams, formatAuthParams } from './auth-params';
import {
  formatAuthenticationInfo,
  formatChallenge,
  formatCredentials,
  parseChallenge,
  parseCredentials,
} from './digest-challenge';
import { DigestError } from './digest-error';

describe('auth-param lists (RFC 3261 §25.1, RFC 2617 §1.2)', () => {
  it('parses tokens, quoted strings with escapes and commas, any LWS', () => {
    const h = parseAuthHeader(
      'Digest  realm="a \\"quoted\\", realm" ,NONCE = "x,y" ,\r\n algorithm=MD5,stale=TRUE',
    );
    expect(h.scheme).toBe('Digest');
    expect(Object.fromEntries(h.params)).toEqual({
      realm: 'a "quoted", realm',
      nonce: 'x,y',
      algorithm: 'MD5',
      stale: 'TRUE',
    });
  });

  it('resolves quoted-pairs at either end of a value and next to each other', () => {
    const h = parseAuthHeader('Digest a="\\"", b="x\\\\", c="\\a\\bc", d="", e=1');
    expect(Object.fromEntries(h.params)).toEqual({
      a: '"',
      b: 'x\\',
      c: 'abc',
      d: '',
      e: '1',
    });
    // A bare value ends at LWS.
    expect(Object.fromEntries(parseAuthHeader('Digest e=1\t, f=2\r\n ,g=3').params)).toEqual({
      e: '1',
      f: '2',
      g: '3',
    });
    expect(() => parseAuthHeader('Digest a="x\\')).toThrow(/bad quoted-pair/);
    expect(() => parseAuthHeader('Digest a="x\\"')).toThrow(/unterminated/);
  });

  it.each([
    ['Digest realm', /expected "="/],
    ['Digest realm="unterminated', /unterminated/],
    ['Digest realm="a" nonce="b"', /unexpected "nonce="/],
    ['Digest realm="a", realm="b"', /repeats parameter "realm"/],
    ['Digest realm="a", REALM=b', /repeats parameter "realm"/],
    ['Digest realm="a",', /expected auth-param name/],
    ['', /expected auth-scheme/],
    ['Digest,realm="a"', /expected LWS after auth-scheme/],
    ['Digest nonce==abc', /expected a value for "nonce"/],
  ])('rejects %j', (value, message) => {
    expect(() => parseAuthHeader(value)).toThrow(DigestError);
    expect(() => parseAuthHeader(value)).toThrow(message);
  });

  it('accepts unquoted non-token values such as a base64 nonce (interop leniency)', () => {
    const h = parseAuthHeader('Digest nonce=I1U8vpY3qJ0h/7M=, algorithm=AKAv1-MD5');
    expect(Object.fromEntries(h.params)).toEqual({
      nonce: 'I1U8vpY3qJ0h/7M=',
      algorithm: 'AKAv1-MD5',
    });
    expect(() => parseAuthHeader('Digest nonce=ab"c"')).toThrow(/expected a value/);
    expect(() => parseAuthHeader('Digest nonce=,')).toThrow(/expected a value/);
    // The proxies read Authorization through the same grammar (SipMessage.authorizations).
    expect(parseAuthField('Digest nonce=I1U8vpY3qJ0h/7M=').params.get('nonce')).toBe(
      'I1U8vpY3qJ0h/7M=',
    );
  });

  it('parses a bare list (Authentication-Info)', () => {
    expect(
      Object.fromEntries(parseAuthParams('qop=auth, rspauth="abc", cnonce="c", nc=00000001')),
    ).toEqual({
      qop: 'auth',
      rspauth: 'abc',
      cnonce: 'c',
      nc: '00000001',
    });
    expect(parseAuthParams('').size).toBe(0);
  });

  it('quotes what is not a token even when asked for a token', () => {
    expect(formatAuthParams({ algorithm: 'a b' }, new Set(['algorithm']))).toBe('algorithm="a b"');
    expect(formatAuthParams({ realm: 'say "hi"\\' })).toBe('realm="say \\"hi\\"\\\\"');
  });
});

describe('Digest challenges', () => {
  it('parses the RFC 3310 §4 AKA challenge', () => {
    const c = parseChallenge(
      'Digest realm="RoamingUsers@mobile.biz", nonce="CjPk9mRqNuT25eRkajM09uTl9nM09uTl9nMz5OX25PZz==", qop="auth,auth-int", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=AKAv1-MD5',
    );
    expect(c).toEqual({
      realm: 'RoamingUsers@mobile.biz',
      nonce: 'CjPk9mRqNuT25eRkajM09uTl9nM09uTl9nMz5OX25PZz==',
      qop: ['auth', 'auth-int'],
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
      algorithm: 'AKAv1-MD5',
    });
  });

  it('keeps IMS ik/ck as extra parameters and round-trips', () => {
    const c = {
      realm: 'ims.mnc001.mcc001.3gppnetwork.org',
      nonce: 'I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=',
      algorithm: 'AKAv1-MD5',
      qop: ['auth'],
      stale: false,
      extra: { ik: 'f769bcd751044604127672711c6d3441', ck: 'b40ba9a3c58b2a05bbf0d987b21bf8cb' },
    };
    const text = formatChallenge(c);
    expect(text).toBe(
      'Digest realm="ims.mnc001.mcc001.3gppnetwork.org", nonce="I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=", stale=FALSE, algorithm=AKAv1-MD5, qop="auth", ik="f769bcd751044604127672711c6d3441", ck="b40ba9a3c58b2a05bbf0d987b21bf8cb"',
    );
    expect(parseChallenge(text)).toEqual(c);
  });

  it('requires Digest, realm and nonce', () => {
    expect(() => parseChallenge('Basic realm="x"')).toThrow(/not Digest/);
    expect(() => parseChallenge('Digest realm="x"')).toThrow(/"nonce"/);
  });
});

describe('Digest credentials', () => {
  const value =
    'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';

  it('parses the RFC 2617 §3.5 Authorization', () => {
    expect(parseCredentials(value)).toEqual({
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      response: '6629fae49393a05397450978507c4ef1',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    });
  });

  it('formats qop, nc and algorithm bare and round-trips, with auts', () => {
    const c = {
      ...parseCredentials(value),
      algorithm: 'AKAv1-MD5',
      auts: 'uoU/PBIctV7bggBAq0E=',
    };
    const text = formatCredentials(c);
    expect(text).toContain('qop=auth, nc=00000001');
    expect(text).toContain('algorithm=AKAv1-MD5');
    expect(text).toContain('auts="uoU/PBIctV7bggBAq0E="');
    expect(parseCredentials(text)).toEqual(c);
  });

  it('accepts the first IMS REGISTER with empty nonce and response (TS 24.229 §5.1.1.2)', () => {
    const c = parseCredentials(
      'Digest username="001010000000001@ims.mnc001.mcc001.3gppnetwork.org", realm="ims.mnc001.mcc001.3gppnetwork.org", uri="sip:ims.mnc001.mcc001.3gppnetwork.org", nonce="", response=""',
    );
    expect(c.nonce).toBe('');
    expect(c.response).toBe('');
  });

  it('rejects qop without nc/cnonce and a malformed nc', () => {
    expect(() =>
      parseCredentials(
        'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth',
      ),
    ).toThrow(/lacks nc or cnonce/);
    expect(() =>
      parseCredentials(
        'Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=1, cnonce="c"',
      ),
    ).toThrow(/nc must be 8 hex digits/);
    expect(() => parseCredentials('Digest realm="r"')).toThrow(/"username"/);
  });
});

describe('Authentication-Info', () => {
  it('formats and parses back', () => {
    const text = formatAuthenticationInfo({
      qop: 'auth',
      rspauth: 'cae7bfcdd22912ec0ff1fb31b2a811c5',
      cnonce: '0a4f113b',
      nc: '00000001',
    });
    expect(text).toBe(
      'qop=auth, rspauth="cae7bfcdd22912ec0ff1fb31b2a811c5", cnonce="0a4f113b", nc=00000001',
    );
    expect(parseAuthParams(text).get('rspauth')).toBe('cae7bfcdd22912ec0ff1fb31b2a811c5');
  });
});
