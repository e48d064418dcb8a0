import * as fs from 'node:fs';
import { DEFAULT_UDP_BUFFER_SIZE, UdpTransport } from './udp-transport';

/** net.core.rmem_max / wmem_max: the most SO_RCVBUF / SO_SNDBUF can be (Linux). */
function sysctl(name: string): number | undefined {
  try {
    return Number(fs.readFileSync(`/proc/sys/net/core/${name}`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

describe('UdpTransport socket buffers', () => {
  let transport: UdpTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    transport = undefined;
  });

  it('asks for 4 MB receive and send buffers by default (capped by the kernel)', async () => {
    transport = new UdpTransport({ host: '127.0.0.1', port: 0 });
    await transport.listen();
    const sizes = transport.bufferSizes()!;
    // Linux reports twice the size it granted: min(requested, *mem_max) * 2.
    const rmax = sysctl('rmem_max');
    const wmax = sysctl('wmem_max');
    if (rmax !== undefined)
      expect(sizes.receive).toBeGreaterThanOrEqual(Math.min(DEFAULT_UDP_BUFFER_SIZE, rmax));
    if (wmax !== undefined)
      expect(sizes.send).toBeGreaterThanOrEqual(Math.min(DEFAULT_UDP_BUFFER_SIZE, wmax));
  });

  it('keeps the system default with bufferSize 0', async () => {
    const plain = new UdpTransport({ host: '127.0.0.1', port: 0, bufferSize: 0 });
    transport = new UdpTransport({ host: '127.0.0.1', port: 0, bufferSize: 1 << 20 });
    await plain.listen();
    await transport.listen();
    try {
      const system = plain.bufferSizes()!.receive;
      const rmax = sysctl('rmem_max') ?? 0;
      // 1 MB was applied when the system default is smaller and the kernel allows it.
      if (system < 1 << 20 && rmax >= 1 << 20)
        expect(transport.bufferSizes()!.receive).toBeGreaterThan(system);
    } finally {
      await plain.close();
    }
  });
});
