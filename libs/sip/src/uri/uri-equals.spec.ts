import { parseUri } from './parse-uri';
import { uriEquals } from './uri-equals';

/** The examples of RFC 3261 §19.1.4, verbatim. */
describe('uriEquals (RFC 3261 §19.1.4)', () => {
  it.each([
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
    [
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    ],
    [
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    ],
  ])('%s == %s', (a, b) => {
    expect(uriEquals(a, b)).toBe(true);
    expect(uriEquals(b, a)).toBe(true);
  });

  it.each([
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'], // user
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'], // explicit default port
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'], // transport in one only
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'], // header
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'], // no DNS resolution
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'], // SIP vs SIPS
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'],
  ])('%s != %s', (a, b) => {
    expect(uriEquals(a, b)).toBe(false);
    expect(uriEquals(b, a)).toBe(false);
  });

  it('tel URIs: visual separators ignored, parameters compared as a set (RFC 3966 §4)', () => {
    expect(uriEquals('tel:+1-201-555-0123', 'tel:+1.201.555.0123')).toBe(true);
    expect(
      uriEquals('tel:7042;phone-context=Example.com', 'tel:7042;phone-context=example.com'),
    ).toBe(true);
    expect(uriEquals('tel:+12015550123', 'tel:+12015550124')).toBe(false);
    expect(uriEquals('tel:7042;phone-context=a.com', 'tel:7042')).toBe(false);
  });

  it('different kinds never match; other schemes compare as text', () => {
    expect(uriEquals('tel:+12015550123', 'sip:+12015550123@example.com')).toBe(false);
    expect(uriEquals('URN:service:sos', 'urn:service:sos')).toBe(true);
    expect(uriEquals(parseUri('urn:a'), parseUri('urn:b'))).toBe(false);
  });
});
