/**
 * The RFC 3261 §18 transport layer over real loopback sockets (127.0.0.1 and ::1): raw
 * dgram/net peers talk to a SipStack whose TU answers 200 to everything.
 */
import * as path from 'node:path';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { createResponse, parseMessage, type SipResponse } from './message-api';
import { SipStack } from '../stack/sip-stack';
import { TcpTransport } from './tcp-transport';
import type { ReceivedData } from './transport';

const FAST = { T1: 20, T2: 160, T4: 200, timerD: 400 };

function options(via: string, callId = 'c1@test', cseq = 1): string {
  return [
    'OPTIONS sip:uas@127.0.0.1 SIP/2.0',
    `Via: ${via}`,
    'Max-Forwards: 70',
    'From: <sip:alice@test>;tag=f1',
    'To: <sip:uas@test>',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} OPTIONS`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const stacks: SipStack[] = [];
const sockets: { close(): void }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const s of stacks.splice(0)) await s.stop();
});

async function startUas(
  host: string,
  extra: Partial<ConstructorParameters<typeof SipStack>[0]> = {},
) {
  const errors: Error[] = [];
  const stack = new SipStack({
    host,
    port: 0,
    timers: FAST,
    onError: (e) => errors.push(e),
    ...extra,
  });
  stacks.push(stack);
  stack.setHandler({
    onRequest: (req, tx) => tx?.respond(createResponse(req, 200, undefined, { toTag: 'uas' })),
  });
  await stack.start();
  return { stack, errors };
}

async function udpPeer(host: string) {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  sockets.push(socket);
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
    inbox,
  };
}

async function tcpPeer(host: string, port: number) {
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  sockets.push({ close: () => socket.destroy() });
  await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
  let data = Buffer.alloc(0);
  let closed = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (d) => {
    data = Buffer.concat([data, d]);
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  socket.on('error', () => undefined);
  return {
    socket,
    write: (b: string | Buffer) => socket.write(b),
    get text() {
      return data.toString('latin1');
    },
    get closed() {
      return closed;
    },
    until: async (cond: () => boolean) => {
      while (!cond()) await new Promise<void>((r) => waiters.push(r));
    },
  };
}

describe.each(['127.0.0.1', '::1'])('UDP on %s', (host) => {
  it('fills rport and adds received (RFC 3581 §4) and answers to received:rport', async () => {
    const { stack } = await startUas(host);
    const peer = await udpPeer(host);
    // sent-by names another address and port: only rport makes the answer come back here.
    await peer.send(options('SIP/2.0/UDP 192.0.2.7:5999;branch=z9hG4bKr1;rport'), stack.port);
    const res = parseMessage(await peer.next()) as SipResponse;
    expect(res.status).toBe(200);
    const via = res.topVia();
    expect(via.received).toBe(host);
    expect(via.rport).toBe(peer.port);
  });

  it('adds received when the sent-by host differs and answers to received:sent-by-port (RFC 3261 §18.2.1/§18.2.2)', async () => {
    const { stack } = await startUas(host);
    const peer = await udpPeer(host);
    await peer.send(options(`SIP/2.0/UDP 192.0.2.7:${peer.port};branch=z9hG4bKr2`), stack.port);
    const res = parseMessage(await peer.next()) as SipResponse;
    expect(res.topVia().received).toBe(host);
    expect(res.topVia().rport).toBeUndefined();
  });

  it('adds no received when sent-by equals the source address', async () => {
    const { stack } = await startUas(host);
    const peer = await udpPeer(host);
    const sentBy = host.includes(':') ? `[${host}]` : host;
    await peer.send(options(`SIP/2.0/UDP ${sentBy}:${peer.port};branch=z9hG4bKr3`), stack.port);
    const res = parseMessage(await peer.next()) as SipResponse;
    expect(res.getAll('Via')[0]).not.toContain('received=');
  });

  it('absorbs a retransmitted request: the TU sees it once, the response is re-sent', async () => {
    const { stack } = await startUas(host);
    let seen = 0;
    stack.setHandler({
      onRequest: (req, tx) => {
        seen++;
        tx?.respond(createResponse(req, 200, undefined, { toTag: 'x' }));
      },
    });
    const peer = await udpPeer(host);
    const req = options('SIP/2.0/UDP 192.0.2.7:5999;branch=z9hG4bKabs;rport');
    await peer.send(req, stack.port);
    await peer.next();
    await peer.send(req, stack.port);
    expect((parseMessage(await peer.next()) as SipResponse).status).toBe(200);
    expect(seen).toBe(1);
  });

  it('answers a malformed but parseable-enough request with 400 and the parse error reason, drops garbage, keeps serving', async () => {
    const { stack, errors } = await startUas(host);
    const peer = await udpPeer(host);
    const bad = options('SIP/2.0/UDP 192.0.2.7:5999;branch=z9hG4bKbad;rport').replace(
      'CSeq: 1 OPTIONS',
      'CSeq: one OPTIONS',
    );
    await peer.send(bad, stack.port);
    // The answer copies the bad CSeq as received, so read it as text.
    const text = (await peer.next()).toString();
    expect(text).toMatch(/^SIP\/2\.0 400 Bad Request: .*CSeq/);
    expect(text).toMatch(/\r\nTo: <sip:uas@test>;tag=\S+\r\n/);
    expect(text).toContain('\r\nCSeq: one OPTIONS\r\n');
    await peer.send('\x00\x01 not SIP at all', stack.port);
    await peer.send(options('SIP/2.0/UDP 192.0.2.7:5999;branch=z9hG4bKok;rport'), stack.port);
    expect((parseMessage(await peer.next()) as SipResponse).status).toBe(200);
    expect(peer.inbox).toHaveLength(0);
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it('answers a malformed INVITE and its retransmission with one To tag, and drops the ACK for it (RFC 3261 §8.2.7)', async () => {
    const { stack } = await startUas(host);
    const acks: string[] = [];
    stack.setHandler({
      onRequest: (req) => void (req.method === 'ACK' && acks.push(req.callId())),
    });
    const peer = await udpPeer(host);
    const via = 'SIP/2.0/UDP 192.0.2.7:5999;branch=z9hG4bKinv1;rport';
    const invite = options(via, 'inv1@test')
      .replace(/OPTIONS/g, 'INVITE')
      .replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nMax-Forwards: 69');
    const tagOf = (b: Buffer) => /\r\nTo: <sip:uas@test>;tag=(\S+)\r\n/.exec(b.toString())?.[1];
    await peer.send(invite, stack.port);
    const first = await peer.next();
    expect(first.toString()).toMatch(/^SIP\/2\.0 400 .*Max-Forwards/);
    await peer.send(invite, stack.port); // retransmitted: no transaction, answered again
    const tag = tagOf(first);
    expect(tag).toBeDefined();
    expect(tagOf(await peer.next())).toBe(tag);
    // The UAC's ACK for the 400: well formed, same Call-ID and branch, the 400's To tag.
    const ack = (callId: string, branch: string) =>
      options(`SIP/2.0/UDP 192.0.2.7:5999;branch=${branch};rport`, callId)
        .replace(/OPTIONS/g, 'ACK')
        .replace('To: <sip:uas@test>', `To: <sip:uas@test>;tag=${tag}`);
    await peer.send(ack('inv1@test', 'z9hG4bKinv1'), stack.port);
    // The same tag on an ACK of another transaction is not ours: the TU gets that one.
    await peer.send(ack('inv2@test', 'z9hG4bKinv2'), stack.port);
    await new Promise((r) => setTimeout(r, 200));
    expect(acks).toEqual(['inv2@test']);
    expect(stack.statelessTags.acksAbsorbed).toBe(1);
  });

  it('answers an RFC 4475 torture request with the status the parser names (3.1.2.16 badvers -> 505)', async () => {
    const { stack } = await startUas(host);
    const peer = await udpPeer(host);
    const fs = await import('node:fs');
    const raw = fs.readFileSync(
      path.join(__dirname, '../../../../test/vectors/rfc4475/3.1.2.16-badvers.sip'),
      'latin1',
    );
    await peer.send(raw, stack.port);
    // The request's Via names another host without rport: the answer goes to that host, so
    // send it again with our Via to observe the status.
    const patched = raw.replace(
      /^Via:.*$/m,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKbv;rport`,
    );
    await peer.send(host === '::1' ? patched.replace('127.0.0.1', '[::1]') : patched, stack.port);
    const res = parseMessage(await peer.next()) as SipResponse;
    expect(res.status).toBe(505);
  });
});

describe.each(['127.0.0.1', '::1'])('TCP on %s', (host) => {
  it('frames two requests sent in one chunk and answers both on the same connection', async () => {
    const { stack } = await startUas(host);
    const peer = await tcpPeer(host, stack.port);
    peer.write(
      options('SIP/2.0/TCP client.invalid;branch=z9hG4bKt1', 'a@x') +
        options('SIP/2.0/TCP client.invalid;branch=z9hG4bKt2', 'b@x'),
    );
    await peer.until(() => (peer.text.match(/SIP\/2\.0 200/g) ?? []).length === 2);
    expect(peer.text).toContain('Call-ID: a@x');
    expect(peer.text).toContain('Call-ID: b@x');
    expect(peer.text).toContain(`received=${host}`);
  });

  it('answers a CRLFCRLF keep-alive ping with a CRLF pong (RFC 5626 §3.5.1)', async () => {
    const { stack } = await startUas(host);
    const peer = await tcpPeer(host, stack.port);
    peer.write('\r\n\r\n');
    await peer.until(() => peer.text.length >= 2);
    expect(peer.text).toBe('\r\n');
    peer.write(options('SIP/2.0/TCP client.invalid;branch=z9hG4bKka'));
    await peer.until(() => peer.text.includes('200 OK'));
  });

  it('answers 413 and closes a connection that exceeds the maximum message size', async () => {
    const { stack } = await startUas(host, { maxMessageSize: 600 });
    const peer = await tcpPeer(host, stack.port);
    const big =
      options('SIP/2.0/TCP client.invalid;branch=z9hG4bKbig').replace(
        'Content-Length: 0',
        `Content-Length: 1000`,
      ) + 'x'.repeat(1000);
    peer.write(big);
    await peer.until(() => peer.closed);
    expect(peer.text).toMatch(/^SIP\/2\.0 413/);
    const other = await tcpPeer(host, stack.port);
    other.write(options('SIP/2.0/TCP client.invalid;branch=z9hG4bKafter'));
    await other.until(() => other.text.includes('200 OK'));
  });

  it('closes a connection on a framing error and keeps serving the others', async () => {
    const { stack, errors } = await startUas(host);
    const good = await tcpPeer(host, stack.port);
    const bad = await tcpPeer(host, stack.port);
    bad.write('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP x;branch=z9hG4bKnocl\r\n\r\n');
    await bad.until(() => bad.closed);
    expect(errors.some((e) => /Content-Length/.test(e.message))).toBe(true);
    good.write(options('SIP/2.0/TCP client.invalid;branch=z9hG4bKgood'));
    await good.until(() => good.text.includes('200 OK'));
  });

  it('opens a new connection to received:sent-by port when the request connection closed (RFC 3261 §18.2.2)', async () => {
    const { stack } = await startUas(host);
    stack.setHandler({
      onRequest: (req, tx) =>
        setTimeout(() => tx?.respond(createResponse(req, 200, undefined, { toTag: 'late' })), 50),
    });
    // The "client" listens on its sent-by port for the response connection.
    const server = net.createServer();
    const accepted: string[] = [];
    server.on('connection', (sock) => sock.on('data', (d) => accepted.push(d.toString())));
    await new Promise<void>((r) => server.listen(0, host, () => r()));
    sockets.push({ close: () => server.close() });
    const listenPort = (server.address() as net.AddressInfo).port;
    const peer = await tcpPeer(host, stack.port);
    const sentBy = host.includes(':') ? `[${host}]` : host;
    peer.write(options(`SIP/2.0/TCP ${sentBy}:${listenPort};branch=z9hG4bKreopen`));
    await new Promise((r) => setTimeout(r, 10));
    peer.socket.destroy();
    const end = Date.now() + 3000;
    while (!accepted.join('').includes('200 OK') && Date.now() < end)
      await new Promise((r) => setTimeout(r, 5));
    expect(accepted.join('')).toMatch(/^SIP\/2\.0 200 OK/);
  });

  it('closes an idle connection after the idle timeout', async () => {
    const { stack } = await startUas(host, { tcpIdleTimeout: 50 });
    const peer = await tcpPeer(host, stack.port);
    peer.write(options('SIP/2.0/TCP client.invalid;branch=z9hG4bKidle'));
    await peer.until(() => peer.text.includes('200 OK'));
    await peer.until(() => peer.closed);
    expect(peer.closed).toBe(true);
  });

  it('refuses connections beyond the limit', async () => {
    const { stack } = await startUas(host, { maxConnections: 1 });
    const first = await tcpPeer(host, stack.port);
    const second = await tcpPeer(host, stack.port);
    await second.until(() => second.closed);
    first.write(options('SIP/2.0/TCP client.invalid;branch=z9hG4bKfirst'));
    await first.until(() => first.text.includes('200 OK'));
  });
});

describe('TcpTransport: a two-message chunk cut at every byte boundary over a real socket', () => {
  it.each(['127.0.0.1', '::1'])('frames both messages for every cut on %s', async (host) => {
    const transport = new TcpTransport({ host, port: 0 });
    const received: ReceivedData[] = [];
    const waiters: (() => void)[] = [];
    transport.setReceiver({
      onData: (d) => {
        received.push(d);
        waiters.splice(0).forEach((w) => w());
      },
    });
    await transport.listen();
    sockets.push({ close: () => void transport.close() });
    const m1 = 'MESSAGE sip:b@x SIP/2.0\r\nCall-ID: 1\r\nContent-Length: 4\r\n\r\nbody';
    const m2 = 'SIP/2.0 200 OK\r\nCall-ID: 2\r\nl: 0\r\n\r\n';
    const chunk = Buffer.from(m1 + m2);
    const peer = await tcpPeer(host, transport.local.port);
    for (let cut = 1; cut < chunk.length; cut++) {
      const before = received.length;
      peer.write(chunk.subarray(0, cut));
      await new Promise((r) => setImmediate(r));
      peer.write(chunk.subarray(cut));
      while (received.length < before + 2) await new Promise<void>((r) => waiters.push(r));
      expect(received[before].data.toString()).toBe(m1);
      expect(received[before + 1].data.toString()).toBe(m2);
    }
    expect(received).toHaveLength(2 * (chunk.length - 1));
    expect(new Set(received.map((r) => r.connectionId)).size).toBe(1);
  });
});
