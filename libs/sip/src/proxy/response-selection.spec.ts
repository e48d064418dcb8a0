import { createRequest, createResponse, type SipResponse } from '../transport/message-api';
import { aggregateChallenges, selectBestResponse } from './response-selection';

const req = createRequest({
  method: 'INVITE',
  uri: 'sip:bob@example.com',
  headers: [
    ['Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKsel'],
    ['From', '<sip:alice@example.com>;tag=1'],
    ['To', '<sip:bob@example.com>'],
    ['Call-ID', 'sel@test'],
    ['CSeq', '1 INVITE'],
  ],
});
const r = (status: number, extra: [string, string][] = []): SipResponse => {
  const res = createResponse(req, status, undefined, { toTag: String(status) });
  for (const [n, v] of extra) res.append(n, v);
  return res;
};

describe('RFC 3261 §16.7 step 6: choosing the best response', () => {
  it.each([
    [[486, 302, 503], 302],
    [[503, 404], 404],
    [[404, 603, 302], 603],
    [[500, 404, 407], 407],
    [[404, 415, 486], 415],
    [[480, 420], 420],
    [[404, 484], 484],
    [[503], 503],
  ])('from %j picks %i', (statuses, expected) => {
    expect(selectBestResponse(statuses.map((s) => r(s)))!.status).toBe(expected);
  });

  it('returns undefined without final responses', () => {
    expect(selectBestResponse([r(180)])).toBeUndefined();
  });
});

describe('RFC 3261 §16.7 step 7: aggregating challenges', () => {
  it('adds every WWW-Authenticate and Proxy-Authenticate of the other 401/407 responses', () => {
    const a = r(401, [['WWW-Authenticate', 'Digest realm="a", nonce="1"']]);
    const b = r(407, [['Proxy-Authenticate', 'Digest realm="b", nonce="2"']]);
    const c = r(401, [['WWW-Authenticate', 'Digest realm="c", nonce="3"']]);
    const out = aggregateChallenges(a, [a, r(404), b, c]);
    expect(out.getAll('WWW-Authenticate')).toEqual([
      'Digest realm="a", nonce="1"',
      'Digest realm="c", nonce="3"',
    ]);
    expect(out.getAll('Proxy-Authenticate')).toEqual(['Digest realm="b", nonce="2"']);
    expect(a.getAll('WWW-Authenticate')).toHaveLength(1); // input untouched
  });

  it('leaves other responses alone', () => {
    const x = r(486);
    expect(aggregateChallenges(x, [x, r(401, [['WWW-Authenticate', 'Digest realm="a"']])])).toBe(x);
  });
});
