import { createHash } from 'node:crypto';
import {
  computeDigestResponse,
  computeHa1,
  computeHa2,
  computeRspauth,
  computeUserhash,
  digestResponsesEqual,
  formatNonceCount,
} from './digest-response';
import { parseDigestAlgorithm } from './digest-algorithm';
import { DigestError } from './digest-error';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('RFC 2617 §3.5 example (MD5, qop=auth)', () => {
  const input = {
    username: 'Mufasa',
    realm: 'testrealm@host.com',
    password: 'Circle Of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    qop: 'auth' as const,
    nc: '00000001',
    cnonce: '0a4f113b',
  };
  it('response = 6629fae49393a05397450978507c4ef1', () => {
    expect(computeDigestResponse(input)).toBe('6629fae49393a05397450978507c4ef1');
  });
  it('the same from a stored H(A1), from a Buffer password and from nc as a number', () => {
    const ha1 = computeHa1(input);
    expect(computeDigestResponse({ ...input, password: undefined, ha1 })).toBe(
      '6629fae49393a05397450978507c4ef1',
    );
    expect(computeDigestResponse({ ...input, password: Buffer.from('Circle Of Life') })).toBe(
      '6629fae49393a05397450978507c4ef1',
    );
    expect(computeDigestResponse({ ...input, nc: 1 })).toBe('6629fae49393a05397450978507c4ef1');
  });
  it('changes with any input', () => {
    const r = computeDigestResponse(input);
    expect(computeDigestResponse({ ...input, nc: 2 })).not.toBe(r);
    expect(computeDigestResponse({ ...input, password: 'Circle of Life' })).not.toBe(r);
    expect(computeDigestResponse({ ...input, method: 'POST' })).not.toBe(r);
    expect(computeDigestResponse({ ...input, cnonce: '0a4f113c' })).not.toBe(r);
  });
});

describe('RFC 7616 §3.9.1 examples', () => {
  const input = {
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    qop: 'auth' as const,
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  it('MD5: 8ca523f5e9506fed4657c9700eebdbec', () => {
    expect(computeDigestResponse({ ...input, algorithm: 'MD5' })).toBe(
      '8ca523f5e9506fed4657c9700eebdbec',
    );
  });
  it('SHA-256: 753927fa…cb6c1', () => {
    expect(computeDigestResponse({ ...input, algorithm: 'SHA-256' })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });
});

describe('H(A1), H(A2) variants', () => {
  it('without qop (RFC 2069 compatibility): KD(H(A1), nonce ":" H(A2))', () => {
    const ha1 = computeHa1({ username: 'u', realm: 'r', password: 'p' });
    const ha2 = computeHa2({ method: 'REGISTER', uri: 'sip:r' });
    expect(ha1).toBe(md5('u:r:p'));
    expect(ha2).toBe(md5('REGISTER:sip:r'));
    expect(
      computeDigestResponse({
        username: 'u',
        realm: 'r',
        password: 'p',
        method: 'REGISTER',
        uri: 'sip:r',
        nonce: 'n',
      }),
    ).toBe(md5(`${ha1}:n:${ha2}`));
  });

  it('auth-int hashes the body into A2', () => {
    expect(computeHa2({ method: 'INVITE', uri: 'sip:b@x', qop: 'auth-int', body: 'v=0\r\n' })).toBe(
      md5(`INVITE:sip:b@x:${md5('v=0\r\n')}`),
    );
    expect(computeHa2({ method: 'INVITE', uri: 'sip:b@x', qop: 'auth-int' })).toBe(
      md5(`INVITE:sip:b@x:${md5('')}`),
    );
  });

  it('-sess covers nonce and cnonce in A1, and needs cnonce', () => {
    const base = { username: 'u', realm: 'r', password: 'p' };
    expect(computeHa1({ ...base, algorithm: 'MD5-sess', nonce: 'n', cnonce: 'c' })).toBe(
      md5(`${md5('u:r:p')}:n:c`),
    );
    expect(() => computeHa1({ ...base, algorithm: 'MD5-sess' })).toThrow(DigestError);
  });

  it('binary passwords are hashed as octets (Digest-AKAv1 RES)', () => {
    const res = Buffer.from('a54211d5e3ba50bf', 'hex');
    const expected = createHash('md5')
      .update(Buffer.concat([Buffer.from('u:r:'), res]))
      .digest('hex');
    expect(computeHa1({ algorithm: 'AKAv1-MD5', username: 'u', realm: 'r', password: res })).toBe(
      expected,
    );
    // and that differs from hashing the hex text
    expect(computeHa1({ username: 'u', realm: 'r', password: 'a54211d5e3ba50bf' })).not.toBe(
      expected,
    );
  });
});

describe('rspauth (RFC 2617 §3.2.3, A2 = ":" digest-uri)', () => {
  it('equals the request-digest computed with an empty method', () => {
    const input = {
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      qop: 'auth' as const,
      nc: '00000001',
      cnonce: '0a4f113b',
    };
    const rspauth = computeRspauth(input);
    expect(rspauth).toBe(computeDigestResponse({ ...input, method: '' }));
    expect(rspauth).not.toBe(computeDigestResponse(input));
  });
});

describe('algorithms', () => {
  it.each([
    [undefined, 'MD5', false, undefined],
    ['MD5', 'MD5', false, undefined],
    ['md5-sess', 'MD5', true, undefined],
    ['SHA-256', 'SHA-256', false, undefined],
    ['SHA-512-256-sess', 'SHA-512-256', true, undefined],
    ['AKAv1-MD5', 'MD5', false, 1],
    ['AKAv2-SHA-256', 'SHA-256', false, 2],
  ])('%s', (name, hash, session, aka) => {
    const a = parseDigestAlgorithm(name);
    expect(a.hash).toBe(hash);
    expect(a.session).toBe(session);
    expect(a.akaVersion).toBe(aka);
  });
  it('rejects unsupported algorithms with a typed error', () => {
    expect(() => parseDigestAlgorithm('SHA-1')).toThrow(DigestError);
    expect(() =>
      computeDigestResponse({
        algorithm: 'XYZ',
        username: 'u',
        realm: 'r',
        password: 'p',
        method: 'M',
        uri: 'u',
        nonce: 'n',
      }),
    ).toThrow(/algorithm/);
  });
  it('rejects unsupported qop and qop without nc/cnonce', () => {
    const base = { username: 'u', realm: 'r', password: 'p', method: 'M', uri: 'u', nonce: 'n' };
    expect(() => computeDigestResponse({ ...base, qop: 'bogus' as never })).toThrow(/qop/);
    expect(() => computeDigestResponse({ ...base, qop: 'auth' })).toThrow(/nc are required/);
  });
});

describe('helpers', () => {
  it('formats nc as 8 hex digits and rejects bad values', () => {
    expect(formatNonceCount(1)).toBe('00000001');
    expect(formatNonceCount(0x1ab)).toBe('000001ab');
    expect(formatNonceCount('000001AB')).toBe('000001ab');
    expect(() => formatNonceCount(0)).toThrow(DigestError);
    expect(() => formatNonceCount('1')).toThrow(DigestError);
  });
  it('userhash = H(username ":" realm) (RFC 7616 §3.4.4)', () => {
    expect(computeUserhash('SHA-256', 'Mufasa', 'r')).toBe(
      createHash('sha256').update('Mufasa:r').digest('hex'),
    );
  });
  it('compares responses case-insensitively and by length', () => {
    expect(digestResponsesEqual('6629fae4', '6629FAE4')).toBe(true);
    expect(digestResponsesEqual('6629fae4', '6629fae5')).toBe(false);
    expect(digestResponsesEqual('6629fae4', '6629fae')).toBe(false);
  });
});
