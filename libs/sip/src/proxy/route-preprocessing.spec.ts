import { createRequest, type SipUri } from '../transport/message-api';
import { preprocessRouteInformation } from './route-preprocessing';

const OWN = (uri: SipUri) => uri.host === '127.0.0.1' && uri.port === 6060;

function withRoutes(routes: string[], uri = 'sip:bob@ims.test') {
  return createRequest({
    method: 'BYE',
    uri,
    headers: [
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-p'],
      ['From', '<sip:alice@ims.test>;tag=a'],
      ['To', '<sip:bob@ims.test>;tag=b'],
      ['Call-ID', 'c1'],
      ['CSeq', '2 BYE'],
      ...routes.map((r): [string, string] => ['Route', r]),
    ],
  });
}

describe('route information preprocessing (RFC 3261 §16.4)', () => {
  it('removes its own top Route and keeps the next hop', () => {
    const req = withRoutes(['<sip:127.0.0.1:6060;lr>', '<sip:127.0.0.1:5060;lr>']);
    expect(preprocessRouteInformation(req, OWN)).toEqual({
      strictRouteFixed: false,
      ownRouteRemoved: true,
    });
    expect(req.getAll('Route')).toEqual(['<sip:127.0.0.1:5060;lr>']);
  });

  it('removes both values of its RFC 5658 double Record-Route (same URI, two transports), in either order', () => {
    for (const pair of [
      ['<sip:127.0.0.1:6060;lr>', '<sip:127.0.0.1:6060;transport=tcp;lr>'],
      ['<sip:127.0.0.1:6060;transport=TCP;lr>', '<sip:127.0.0.1:6060;lr>'],
    ]) {
      const req = withRoutes([...pair, '<sip:127.0.0.1:5060;lr>']);
      preprocessRouteInformation(req, OWN);
      expect(req.getAll('Route')).toEqual(['<sip:127.0.0.1:5060;lr>']);
    }
  });

  it('removes one of two equal own values (two legs through this element) and an own value of another user', () => {
    const twice = withRoutes([
      '<sip:127.0.0.1:6060;transport=tcp;lr>',
      '<sip:127.0.0.1:6060;transport=tcp;lr>',
    ]);
    preprocessRouteInformation(twice, OWN);
    expect(twice.getAll('Route')).toEqual(['<sip:127.0.0.1:6060;transport=tcp;lr>']);

    const odi = withRoutes([
      '<sip:127.0.0.1:6060;lr>',
      '<sip:odi-1@127.0.0.1:6060;transport=tcp;lr>',
    ]);
    preprocessRouteInformation(odi, OWN);
    expect(odi.getAll('Route')).toEqual(['<sip:odi-1@127.0.0.1:6060;transport=tcp;lr>']);
  });

  it('leaves a twin of another element alone', () => {
    const req = withRoutes(['<sip:127.0.0.1:6060;lr>', '<sip:127.0.0.1:5060;transport=tcp;lr>']);
    preprocessRouteInformation(req, OWN);
    expect(req.getAll('Route')).toEqual(['<sip:127.0.0.1:5060;transport=tcp;lr>']);
  });
});
