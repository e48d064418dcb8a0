import { parseMessage, type SipRequest, type SipResponse } from '../transport/message-api';
import { buildAckFor2xx } from './ack-for-2xx';

const invite = parseMessage(
  [
    'INVITE sip:bob@biloxi.com SIP/2.0',
    'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8',
    'Max-Forwards: 70',
    'To: Bob <sip:bob@biloxi.com>',
    'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710',
    'CSeq: 314159 INVITE',
    'Contact: <sip:alice@pc33.atlanta.com>',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
) as SipRequest;

function ok(recordRoutes: string[]): SipResponse {
  return parseMessage(
    [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8',
      ...recordRoutes.map((r) => `Record-Route: ${r}`),
      'To: Bob <sip:bob@biloxi.com>;tag=a6c85cf',
      'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
      'Call-ID: a84b4c76e66710',
      'CSeq: 314159 INVITE',
      'Contact: <sip:bob@192.0.2.4>',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ) as SipResponse;
}

describe('buildAckFor2xx (RFC 3261 §13.2.2.4, route set per §12.1.2 / §12.2.1.1)', () => {
  it('targets the Contact through the reversed Record-Route with loose routers', () => {
    const ack = buildAckFor2xx(invite, ok(['<sip:p2.biloxi.com;lr>', '<sip:p1.atlanta.com;lr>']));
    expect(ack.method).toBe('ACK');
    expect(ack.uri).toBe('sip:bob@192.0.2.4');
    expect(ack.getAll('Route')).toEqual(['<sip:p1.atlanta.com;lr>', '<sip:p2.biloxi.com;lr>']);
    expect(ack.cseq()).toEqual({ seq: 314159, method: 'ACK' });
    expect(ack.to().tag).toBe('a6c85cf');
    expect(ack.from().tag).toBe('1928301774');
    expect(ack.callId()).toBe('a84b4c76e66710');
    // A new transaction: a fresh branch, not the INVITE's.
    expect(ack.topVia().branch).toMatch(/^z9hG4bK/);
    expect(ack.topVia().branch).not.toBe('z9hG4bKnashds8');
  });

  it('uses the strict-router form when the first route has no lr', () => {
    const ack = buildAckFor2xx(invite, ok(['<sip:p2.biloxi.com;lr>', '<sip:p1.atlanta.com>']));
    expect(ack.uri).toBe('sip:p1.atlanta.com');
    expect(ack.getAll('Route')).toEqual(['<sip:p2.biloxi.com;lr>', '<sip:bob@192.0.2.4>']);
  });

  it('sends straight to the Contact without Record-Route', () => {
    const ack = buildAckFor2xx(invite, ok([]));
    expect(ack.uri).toBe('sip:bob@192.0.2.4');
    expect(ack.has('Route')).toBe(false);
  });
});
