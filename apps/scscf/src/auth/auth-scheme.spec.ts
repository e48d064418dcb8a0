import { marScheme, sipAlgorithm } from './auth-scheme';

describe('authentication scheme names (TS 29.229 §6.3.9, RFC 3310 §3.1)', () => {
  it('asks the HSS with "Unknown" when the UE names no algorithm (TS 29.228 §6.3)', () => {
    expect(marScheme(undefined)).toBe('Unknown');
    expect(marScheme('')).toBe('Unknown');
    expect(marScheme(undefined, 'SIP Digest')).toBe('SIP Digest');
  });

  it.each([
    ['AKAv1-MD5', 'Digest-AKAv1-MD5'],
    ['akav2-md5', 'Digest-AKAv2-MD5'],
    ['MD5', 'SIP Digest'],
  ])('maps algorithm %s to %s', (algorithm, scheme) => {
    expect(marScheme(algorithm)).toBe(scheme);
  });

  it('maps the MAA scheme back to the Digest algorithm and family', () => {
    expect(sipAlgorithm('Digest-AKAv1-MD5')).toEqual({ algorithm: 'AKAv1-MD5', family: 'aka' });
    expect(sipAlgorithm('Digest-AKAv2-MD5')).toEqual({ algorithm: 'AKAv2-MD5', family: 'aka' });
    expect(sipAlgorithm('SIP Digest')).toEqual({ algorithm: 'MD5', family: 'digest' });
    expect(sipAlgorithm('NASS-Bundled')).toBeUndefined();
  });
});
