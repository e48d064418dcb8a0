/**
 * The transport layer's message trace (`SipTracer`, `SipStackOptions.onMessage`,
 * `SipTransportLayer.addTracer`) over real loopback sockets: what the tracer sees must be
 * exactly the bytes that crossed the wire, with the peer and the local listening point.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import {
  createRequest,
  createResponse,
  generateTag,
  parseMessage,
  type SipResponse,
} from './message-api';
import { SipStack } from '../stack/sip-stack';
import type { SipTraceDirection } from './transport-layer';
import type { Destination, TransportAddress } from './transport';

const FAST = { T1: 20, T2: 160, T4: 200, timerD: 400 };

interface Traced {
  direction: SipTraceDirection;
  text: string;
  remote: Destination;
  local: TransportAddress;
}

function options(via: string, branch: string): string {
  return [
    'OPTIONS sip:uas@127.0.0.1 SIP/2.0',
    `Via: ${via};branch=${branch};rport`,
    'Max-Forwards: 70',
    'From: <sip:alice@test>;tag=f1',
    'To: <sip:uas@test>',
    `Call-ID: ${branch}@trace`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const stacks: SipStack[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  for (const s of stacks.splice(0)) await s.stop();
});

/** A stack answering 200 to everything, tracing into `traced` through SipStackOptions.onMessage. */
async function tracedUas(host: string, onError: (e: Error) => void = () => undefined) {
  const traced: Traced[] = [];
  const stack = new SipStack({
    host,
    port: 0,
    timers: FAST,
    onError,
    onMessage: (direction, data, remote, local) =>
      traced.push({ direction, text: data.toString('latin1'), remote, local }),
  });
  stacks.push(stack);
  stack.setHandler({
    onRequest: (req, tx) => tx?.respond(createResponse(req, 200, undefined, { toTag: 'uas' })),
  });
  await stack.start();
  return { stack, traced };
}

async function udpPeer(host: string) {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  closers.push(() => socket.close());
  await new Promise<void>((r) => socket.bind(0, host, () => r()));
  const inbox: Buffer[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (m) => {
    inbox.push(m);
    waiters.splice(0).forEach((w) => w());
  });
  return {
    port: socket.address().port,
    send: (text: string, port: number) =>
      new Promise<void>((r) => socket.send(text, port, host, () => r())),
    next: async (): Promise<Buffer> => {
      while (inbox.length === 0) await new Promise<void>((r) => waiters.push(r));
      return inbox.shift()!;
    },
  };
}

async function tcpPeer(host: string, port: number) {
  const socket = net.connect({ host, port });
  closers.push(() => socket.destroy());
  await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
  let data = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (d) => {
    data += d.toString('latin1');
    waiters.splice(0).forEach((w) => w());
  });
  return {
    port: socket.localPort!,
    write: (text: string) => socket.write(text),
    until: async (cond: (text: string) => boolean) => {
      while (!cond(data)) await new Promise<void>((r) => waiters.push(r));
      return data;
    },
  };
}

const sentBy = (host: string) => (host.includes(':') ? `[${host}]` : host);

describe.each(['127.0.0.1', '::1'])('message trace on %s', (host) => {
  it('UDP: traces the request received and the response sent, byte for byte, with peer and local address', async () => {
    const { stack, traced } = await tracedUas(host);
    const peer = await udpPeer(host);
    const request = options(`SIP/2.0/UDP ${sentBy(host)}:${peer.port}`, 'z9hG4bKtu1');
    await peer.send(request, stack.port);
    const response = (await peer.next()).toString('latin1');
    expect((parseMessage(Buffer.from(response, 'latin1')) as SipResponse).status).toBe(200);
    const peerAddress = { host, port: peer.port, transport: 'UDP' };
    const local = { host, port: stack.port };
    expect(traced).toEqual([
      { direction: 'in', text: request, remote: peerAddress, local },
      { direction: 'out', text: response, remote: peerAddress, local },
    ]);
  });

  it('TCP: traces both directions on the connection', async () => {
    const { stack, traced } = await tracedUas(host);
    const peer = await tcpPeer(host, stack.port);
    const request = options(`SIP/2.0/TCP ${sentBy(host)}:${peer.port}`, 'z9hG4bKtt1');
    peer.write(request);
    const response = await peer.until((t) => t.includes('\r\n\r\n'));
    expect(response).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(traced.map((t) => [t.direction, t.remote.transport, t.remote.port])).toEqual([
      ['in', 'TCP', peer.port],
      ['out', 'TCP', peer.port],
    ]);
    expect(traced[0].text).toBe(request);
    expect(traced[1].text).toBe(response);
  });

  it('traces malformed input too, and the 400 sent for it', async () => {
    const { stack, traced } = await tracedUas(host);
    const peer = await udpPeer(host);
    const bad = options(`SIP/2.0/UDP ${sentBy(host)}:${peer.port}`, 'z9hG4bKtb1').replace(
      'CSeq: 1 OPTIONS',
      'CSeq: one OPTIONS',
    );
    await peer.send(bad, stack.port);
    const answer = (await peer.next()).toString('latin1');
    expect(answer).toMatch(/^SIP\/2\.0 400 /);
    expect(traced.map((t) => [t.direction, t.text])).toEqual([
      ['in', bad],
      ['out', answer],
    ]);
  });

  it('traces what a stack sends as a client (addTracer on the transport layer), until removed', async () => {
    const { stack: uas } = await tracedUas(host);
    // T1 of 1 s, not 20 ms: the test counts the datagrams sent, and a 200 OK slower than T1
    // (a loaded machine) would add a Timer E retransmission (RFC 3261 §17.1.2.2) to them.
    const uac = new SipStack({
      host,
      port: 0,
      timers: { ...FAST, T1: 1000, T2: 4000 },
      transports: ['UDP'],
    });
    stacks.push(uac);
    await uac.start();
    const seen: [SipTraceDirection, string, number][] = [];
    const remove = uac.transportLayer.addTracer((direction, data, remote) =>
      seen.push([direction, data.toString('latin1').split('\r\n')[0], remote.port]),
    );
    const request = () =>
      createRequest({
        method: 'OPTIONS',
        uri: 'sip:uas@127.0.0.1',
        headers: [
          ['Max-Forwards', '70'],
          ['From', `<sip:alice@test>;tag=${generateTag()}`],
          ['To', '<sip:uas@test>'],
          ['Call-ID', `${generateTag()}@trace`],
          ['CSeq', '1 OPTIONS'],
        ],
      });
    const destination = { host, port: uas.port, transport: 'UDP' as const };
    const res = await uac.request(request(), { destination });
    expect(res.status).toBe(200);
    expect(seen).toEqual([
      ['out', 'OPTIONS sip:uas@127.0.0.1 SIP/2.0', uas.port],
      ['in', 'SIP/2.0 200 OK', uas.port],
    ]);
    remove();
    expect((await uac.request(request(), { destination })).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it('hands tracers the parsed message (in) and the message sent (out), none for malformed input', async () => {
    const { stack } = await tracedUas(host);
    const seen: [SipTraceDirection, string | number | undefined, string][] = [];
    stack.transportLayer.addTracer((direction, data, _remote, _local, message) =>
      seen.push([
        direction,
        message === undefined ? undefined : message.isRequest() ? message.method : message.status,
        message === undefined ? '' : message.toBuffer().equals(data) ? 'same bytes' : 'other bytes',
      ]),
    );
    const peer = await udpPeer(host);
    await peer.send(options(`SIP/2.0/UDP ${sentBy(host)}:${peer.port}`, 'z9hG4bKtp1'), stack.port);
    await peer.next();
    const bad = options(`SIP/2.0/UDP ${sentBy(host)}:${peer.port}`, 'z9hG4bKtp2').replace(
      'CSeq: 1 OPTIONS',
      'CSeq: one OPTIONS',
    );
    await peer.send(bad, stack.port);
    await peer.next();
    expect(seen).toEqual([
      ['in', 'OPTIONS', 'same bytes'],
      ['out', 200, 'same bytes'],
      ['in', undefined, ''],
      ['out', undefined, ''],
    ]);
  });

  it('a tracer that throws is reported to onError and the message is still served', async () => {
    const errors: Error[] = [];
    const { stack } = await tracedUas(host, (e) => errors.push(e));
    stack.transportLayer.addTracer(() => {
      throw new Error('tracer broke');
    });
    const peer = await udpPeer(host);
    await peer.send(options(`SIP/2.0/UDP ${sentBy(host)}:${peer.port}`, 'z9hG4bKtx1'), stack.port);
    expect((parseMessage(await peer.next()) as SipResponse).status).toBe(200);
    expect(errors.map((e) => e.message)).toEqual(['tracer broke', 'tracer broke']);
  });
});
