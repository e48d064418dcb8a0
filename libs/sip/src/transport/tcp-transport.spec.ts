import * as net from 'node:net';
import { TcpTransport } from './tcp-transport';

/** A plain TCP peer that collects what it receives. */
async function peer(): Promise<{ server: net.Server; port: number; received: () => string }> {
  let text = '';
  const server = net.createServer((s) => s.on('data', (d) => (text += d.toString())));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port, received: () => text };
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
};

describe('TcpTransport writes', () => {
  it('gathers the messages sent to one connection in one event-loop turn into one socket write', async () => {
    const t = new TcpTransport({ host: '127.0.0.1', port: 0 });
    await t.listen();
    const p = await peer();
    try {
      const dest = { host: '127.0.0.1', port: p.port };
      await t.send(Buffer.from('FIRST\r\n'), dest); // opens the connection
      await until(() => p.received().includes('FIRST'));
      const proto = net.Socket.prototype as unknown as Record<string, unknown>;
      const single = jest.spyOn(proto as never, '_write' as never);
      const batch = jest.spyOn(proto as never, '_writev' as never);
      try {
        const sends = ['A', 'B', 'C'].map((m) => t.send(Buffer.from(`${m}\r\n`), dest));
        await Promise.all(sends);
        const ours = (mock: jest.SpyInstance) =>
          mock.mock.contexts.filter((s) => (s as net.Socket).remotePort === p.port).length;
        expect(ours(batch) + ours(single)).toBe(1);
      } finally {
        single.mockRestore();
        batch.mockRestore();
      }
      await until(() => p.received().includes('C\r\n'));
      expect(p.received()).toBe('FIRST\r\nA\r\nB\r\nC\r\n');
      // A message of a later turn goes out on its own.
      await t.send(Buffer.from('D\r\n'), dest);
      await until(() => p.received().endsWith('D\r\n'));
      expect(p.received()).toBe('FIRST\r\nA\r\nB\r\nC\r\nD\r\n');
    } finally {
      await t.close();
      await new Promise((r) => p.server.close(r));
    }
  });
});
