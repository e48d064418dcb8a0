import { once } from 'node:events';
import * as net from 'node:net';
import { DiameterMessage } from '../codec/diameter-message';
import { avp } from '../codec/message-builder';
import { DiameterConnection } from './diameter-connection';

function dwr(endToEnd: number): DiameterMessage {
  return new DiameterMessage({
    flags: { request: true },
    commandCode: 280,
    endToEnd,
    avps: [avp('Origin-Host', 'a.example'), avp('Origin-Realm', 'example')],
  });
}

describe('DiameterConnection writes (RFC 6733 §2.1 over a real loopback TCP socket)', () => {
  let server: net.Server;
  let client: DiameterConnection;
  let peer: DiameterConnection;

  beforeEach(async () => {
    server = net.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    client = new DiameterConnection(socket, 'I');
    peer = new DiameterConnection((await accepted)[0] as net.Socket, 'R');
  });

  afterEach(async () => {
    client.destroy('done');
    peer.destroy('done');
    server.close();
    await once(server, 'close');
  });

  it('gathers the messages of one event-loop turn into one socket write, in order', async () => {
    const got: number[] = [];
    const all = new Promise<void>((resolve) =>
      peer.on('message', (m) => {
        got.push(m.endToEnd);
        if (got.length === 50) resolve();
      }),
    );
    const writes = jest.spyOn(client.socket, '_writev' as never);
    for (let i = 1; i <= 50; i++) expect(client.send(dwr(i))).toBe(true);
    // Still held back in this turn ...
    expect(client.socket.writableCorked).toBe(1);
    await all;
    // ... and written together once it ended: one vectored write of the 50 messages.
    expect(client.socket.writableCorked).toBe(0);
    expect(writes).toHaveBeenCalledTimes(1);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('a message sent in a later turn goes out on its own; close() flushes what is corked', async () => {
    const got: number[] = [];
    peer.on('message', (m) => got.push(m.endToEnd));
    client.send(dwr(1));
    await new Promise((r) => setImmediate(r));
    client.send(dwr(2));
    const closed = once(peer, 'close');
    client.close('bye');
    await closed;
    expect(got).toEqual([1, 2]);
    expect(client.send(dwr(3))).toBe(false);
  });
});
