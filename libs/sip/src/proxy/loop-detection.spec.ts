import { createRequest } from '../transport/message-api';
import { isLoop, loopHash, proxyBranch } from './loop-detection';

const OWN = (host: string, port: number | undefined) => host === '127.0.0.1' && port === 6060;

/** The request as an element at 127.0.0.1:6060 forwarded it (its Via on top of `below`). */
function forwarded(route: string[], below = 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-p') {
  const req = createRequest({
    method: 'INVITE',
    uri: 'sip:bob@ims.test',
    headers: [
      ['Via', below],
      ['From', '<sip:alice@ims.test>;tag=a'],
      ['To', '<sip:bob@ims.test>'],
      ['Call-ID', 'c1'],
      ['CSeq', '1 INVITE'],
      ...route.map((r): [string, string] => ['Route', r]),
    ],
  });
  return { req, branch: proxyBranch(loopHash(req, below), 0) };
}

describe('loop detection (RFC 3261 §16.3 step 4, §16.6 step 8)', () => {
  it('detects the same request coming back with the same route set', () => {
    const { req, branch } = forwarded(['<sip:orig@scscf.ims.test;lr>']);
    const back = req.clone();
    back.prepend('Via', `SIP/2.0/UDP 127.0.0.1:6060;branch=${branch}`);
    back.prepend('Via', 'SIP/2.0/UDP 127.0.0.1:4060;branch=z9hG4bK-i');
    expect(isLoop(back, OWN)).toBe(true);
  });

  it('lets a spiral with another route set through (IMS originating then terminating leg)', () => {
    const { req, branch } = forwarded(['<sip:orig@scscf.ims.test;lr>']);
    const term = req.clone();
    term.set('Route', '<sip:scscf.ims.test;lr>');
    term.prepend('Via', `SIP/2.0/UDP 127.0.0.1:6060;branch=${branch}`);
    term.prepend('Via', 'SIP/2.0/UDP 127.0.0.1:4060;branch=z9hG4bK-i');
    expect(isLoop(term, OWN)).toBe(false);
  });
});
