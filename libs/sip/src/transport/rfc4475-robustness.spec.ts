/**
 * RFC 4475 torture messages fed to a running stack over real UDP and TCP loopback sockets
 * (test case R24: no crash, the stack keeps serving). The parser's verdict on each message
 * is tested by the message specs; here the point is the transport and transaction layers.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createResponse } from './message-api';
import { SipStack } from '../stack/sip-stack';
import type { Destination } from './transport';

const DIR = path.join(__dirname, '../../../../test/vectors/rfc4475');
const vectors = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.sip'))
  .map((f) => ({ name: f, data: fs.readFileSync(path.join(DIR, f)) }));

const FAST = { T1: 20, T2: 160, T4: 200, timerD: 400 };

describe('RFC 4475 torture messages against a live stack', () => {
  let stack: SipStack;
  let sentTo: Destination[];
  const handlerErrors: Error[] = [];

  beforeAll(async () => {
    stack = new SipStack({
      host: '127.0.0.1',
      port: 0,
      timers: FAST,
      onError: (e) => handlerErrors.push(e),
    });
    stack.setHandler({
      onRequest: (req, tx) => tx?.respond(createResponse(req, 200, undefined, { toTag: 'ok' })),
    });
    await stack.start();
    // The vectors' Via headers name hosts such as 192.0.2.x or example.com. Record where
    // the UDP answers would go instead of sending them (tests talk to loopback only).
    sentTo = [];
    const layer = stack.transportLayer;
    const real = layer.sendRaw.bind(layer);
    layer.sendRaw = async (data, destination, connectionId) => {
      if (destination.transport === 'UDP') {
        sentTo.push(destination);
        return undefined;
      }
      return real(data, destination, connectionId);
    };
  });
  afterAll(() => stack.stop());

  it(`survives all ${vectors.length} vectors over UDP and still answers`, async () => {
    expect(vectors.length).toBe(49);
    const peer = dgram.createSocket('udp4');
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
    for (const v of vectors)
      await new Promise<void>((r) => peer.send(v.data, stack.port, '127.0.0.1', () => r()));
    await new Promise((r) => setTimeout(r, 100));
    peer.close();
    // Answers were produced (valid requests -> 200, broken ones -> 4xx/5xx), never to a name.
    expect(sentTo.length).toBeGreaterThan(20);
    for (const d of sentTo) expect(net.isIP(d.host)).not.toBe(0);
    const res = await stack.request(
      (await import('./message-api')).createRequest({
        method: 'OPTIONS',
        uri: `sip:${stack.host}:${stack.port}`,
        headers: [
          ['From', '<sip:probe@test>;tag=p'],
          ['To', '<sip:probe@test>'],
          ['Call-ID', 'probe@test'],
          ['CSeq', '1 OPTIONS'],
        ],
      }),
      { destination: { host: '127.0.0.1', port: stack.port, transport: 'TCP' } },
    );
    expect(res.status).toBe(200);
  });

  it('survives every vector on its own TCP connection; every answer is a SIP response', async () => {
    for (const v of vectors) {
      const sock = net.connect({ host: '127.0.0.1', port: stack.port });
      let got = '';
      sock.on('data', (d) => (got += d.toString('latin1')));
      sock.on('error', () => undefined);
      await new Promise<void>((r) => sock.once('connect', () => r()));
      sock.write(v.data);
      await new Promise((r) => setTimeout(r, 15));
      sock.destroy();
      if (got !== '') expect(got).toMatch(/^SIP\/2\.0 [1-6]\d\d /);
    }
    const probe = net.connect({ host: '127.0.0.1', port: stack.port });
    let answer = '';
    probe.on('data', (d) => (answer += d.toString()));
    await new Promise<void>((r) => probe.once('connect', () => r()));
    probe.write(
      'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKprobe\r\n' +
        'From: <sip:p@t>;tag=1\r\nTo: <sip:p@t>\r\nCall-ID: probe2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    );
    const end = Date.now() + 2000;
    while (!answer.includes('200 OK') && Date.now() < end)
      await new Promise((r) => setTimeout(r, 5));
    probe.destroy();
    expect(answer).toMatch(/^SIP\/2\.0 200 OK/);
  });
});
