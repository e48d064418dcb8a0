import { parseUri } from '@lib/sip';
import { looseRoute, routeToHome, telephoneNumber, type HomeRoutingConfig } from './home-route';

const A = 'ims.mnc001.mcc001.3gppnetwork.org';
const B = 'ims.mnc002.mcc001.3gppnetwork.org';
const config: HomeRoutingConfig = {
  icscfs: new Map([
    [A, { host: '127.0.0.1', port: 4060 }],
    [B, { host: '127.0.0.1', port: 4061 }],
  ]),
  enumMap: new Map([
    ['+1555', A],
    ['+15569', 'other.example'],
    ['+1556', B],
  ]),
  breakout: '',
};
const route = (uri: string, c: HomeRoutingConfig = config) => routeToHome(parseUri(uri), c);

describe('routing to the callee’s home (TS 24.229 §5.4.3.2 steps 10-11)', () => {
  it('sends a SIP URI of a home domain to that domain’s I-CSCF, the own domain included', () => {
    expect(route(`sip:bob@${A}`)).toEqual({
      kind: 'icscf',
      domain: A,
      uri: `sip:bob@${A}`,
      icscf: { host: '127.0.0.1', port: 4060 },
    });
    expect(route(`sip:carol@${B.toUpperCase()}`)).toMatchObject({ kind: 'icscf', domain: B });
  });

  it('forwards any other SIP URI by its host (RFC 3261 §16.5)', () => {
    expect(route('sip:dave@example.com;transport=tcp')).toEqual({
      kind: 'forward',
      uri: 'sip:dave@example.com;transport=tcp',
    });
  });

  it.each([
    ['tel:+15550001', `sip:+15550001@${A};user=phone`, A],
    ['tel:+1-556-000-1', `sip:+15560001@${B};user=phone`, B],
    [`sip:+15560002@elsewhere.example;user=phone`, `sip:+15560002@${B};user=phone`, B],
  ])('translates %s by the ENUM-style map to %s', (uri, translated, domain) => {
    expect(route(uri)).toMatchObject({ kind: 'icscf', uri: translated, domain });
  });

  it('lets the longest prefix win; a mapped domain without I-CSCF is forwarded to', () => {
    expect(route('tel:+155690001')).toEqual({
      kind: 'forward',
      uri: 'sip:+155690001@other.example;user=phone',
    });
  });

  it('keeps a user=phone SIP URI of a home domain when no prefix maps it', () => {
    expect(route(`sip:+4930123@${A};user=phone`)).toMatchObject({
      kind: 'icscf',
      uri: `sip:+4930123@${A};user=phone`,
    });
  });

  it('sends an unmapped number to the breakout route, else reports it unknown (604)', () => {
    expect(route('tel:+4930123', { ...config, breakout: 'sip:bgcf.example:5070' })).toEqual({
      kind: 'breakout',
      uri: 'tel:+4930123',
      route: '<sip:bgcf.example:5070;lr>',
    });
    expect(route('tel:+4930123')).toEqual({ kind: 'unknown-number', number: '+4930123' });
    expect(route('tel:5551234;phone-context=example.com')).toEqual({
      kind: 'unknown-number',
      number: '5551234',
    });
  });

  it('reads the number of tel and user=phone URIs only', () => {
    expect(telephoneNumber(parseUri('tel:+1-555-0001'))).toBe('+15550001');
    expect(telephoneNumber(parseUri(`sip:+15550001;npdi@${A};user=phone`))).toBe('+15550001');
    expect(telephoneNumber(parseUri(`sip:+15550001@${A}`))).toBeUndefined();
  });

  it('writes loose-route values', () => {
    expect(looseRoute('sip:as.example:5070')).toBe('<sip:as.example:5070;lr>');
    expect(looseRoute('<sip:as.example;lr>')).toBe('<sip:as.example;lr>');
  });
});
