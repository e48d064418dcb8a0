import { parseMessage, type SipRequest } from './message-api';
import type { Transport, TransportAddress } from './transport';
import { SipTransportLayer } from './transport-layer';

/** A UDP transport that keeps what it is asked to send. */
function capturingUdp(local: TransportAddress): Transport & { sent: Buffer[] } {
  const sent: Buffer[] = [];
  return {
    protocol: 'UDP',
    reliable: false,
    local,
    sent,
    setReceiver: () => undefined,
    listen: async () => undefined,
    send: async (data) => {
      sent.push(data);
      return undefined;
    },
    close: async () => undefined,
  };
}

const request = (via: string) =>
  parseMessage(
    `OPTIONS sip:b@127.0.0.2 SIP/2.0\r\nVia: ${via}\r\nMax-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\n` +
      'To: <sip:b@y>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  ) as SipRequest;

describe('RFC 3261 §18.1.1: the top Via of a sent request names the transport and our sent-by', () => {
  const udp = capturingUdp({ host: '127.0.0.1', port: 5070 });
  const layer = new SipTransportLayer({ transports: [udp] });
  const to = { host: '127.0.0.2', port: 5060, transport: 'UDP' as const };

  it('rewrites a placeholder sent-by, keeping the parameters', async () => {
    const req = request('SIP/2.0/TCP 0.0.0.0;branch=z9hG4bKp1;rport');
    await layer.sendRequest(req, to);
    const wire = udp.sent.pop()!.toString();
    expect(wire).toContain('\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKp1;rport\r\n');
    expect(req.topVia().host).toBe('127.0.0.1');
  });

  it('leaves a top Via that already says so untouched (the message goes out as parsed)', async () => {
    const text = 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKp2';
    const req = request(text);
    const bytes = req.toBuffer();
    await layer.sendRequest(req, to);
    expect(req.headers.modified).toBe(false);
    expect(udp.sent.pop()).toBe(bytes);
    // Another port or transport is still rewritten.
    const other = request('SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKp3');
    await layer.sendRequest(other, to);
    expect(udp.sent.pop()!.toString()).toContain(
      'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKp3',
    );
  });
});
