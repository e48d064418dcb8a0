/**
 * The HSS as a Diameter peer (RFC 6733 §5): the device watchdog runs at the configured Tw
 * (RFC 3539 §3.4) towards an idle S-CSCF, and an S-CSCF reconnects by itself after the HSS
 * restarts, then gets answers again (with SQN continuing from the database).
 */
import { once } from 'node:events';
import { connect, Socket } from 'node:net';
import {
  avp,
  CX_APPLICATION_ID,
  createAnswer,
  createRequest,
  decodeMessage,
  DiameterMessage,
  encodeMessage,
  VENDOR_3GPP,
} from '@lib/diameter';
import {
  CxClient,
  DOMAIN,
  impiOf,
  impuOf,
  provision,
  rest,
  SCSCF_HOST,
  startHss,
  tempDb,
} from './cx-support';

// Starting an HSS process (TypeScript compiled on the fly) takes a few seconds.
jest.setTimeout(30_000);

const IMSI = '001010000000501';

/** A bare TCP Diameter peer: frames messages by the header's Message Length. */
class RawPeer {
  private buf = Buffer.alloc(0);
  private readonly queue: DiameterMessage[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 4) {
        const len = this.buf.readUIntBE(1, 3);
        if (this.buf.length < len) break;
        this.queue.push(decodeMessage(this.buf.subarray(0, len)));
        this.buf = this.buf.subarray(len);
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(port: number): Promise<RawPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new RawPeer(socket);
  }

  send(msg: DiameterMessage, hopByHop = 1): void {
    if (msg.flags.request) msg.hopByHop = hopByHop;
    this.socket.write(encodeMessage(msg));
  }

  async next(timeoutMs = 8000): Promise<DiameterMessage> {
    const deadline = Date.now() + timeoutMs;
    while (!this.queue.length) {
      if (Date.now() > deadline) throw new Error('no message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.queue.shift()!;
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('HSS Diameter peer behaviour', () => {
  it('sends DWR at the configured Tw to an idle peer and keeps the connection open (RFC 3539 §3.4)', async () => {
    const db = tempDb();
    const hss = await startHss(db.dbPath, { diameterWatchdogMs: 200 });
    const peer = await RawPeer.open(hss.diameterPort);
    try {
      peer.send(
        createRequest('Capabilities-Exchange-Request', 'Base', [
          avp('Origin-Host', SCSCF_HOST),
          avp('Origin-Realm', DOMAIN),
          avp('Host-IP-Address', { family: 1, address: '127.0.0.1' }),
          avp('Vendor-Id', 0),
          avp('Product-Name', 'raw-peer'),
          avp('Vendor-Specific-Application-Id', {
            'Vendor-Id': VENDOR_3GPP,
            'Auth-Application-Id': CX_APPLICATION_ID,
          }),
        ]),
      );
      const cea = await peer.next();
      expect(cea.commandCode).toBe(257);
      expect(cea.resultCode()).toBe(2001);
      for (let i = 0; i < 2; i++) {
        const dwr = await peer.next();
        expect(dwr.commandCode).toBe(280);
        expect(dwr.flags.request).toBe(true);
        expect(dwr.get('Origin-Host')).toBe(hss.config.diameterOriginHost);
        peer.send(
          createAnswer(dwr, [
            avp('Result-Code', 2001),
            avp('Origin-Host', SCSCF_HOST),
            avp('Origin-Realm', DOMAIN),
          ]),
        );
      }
      const health = await rest(hss.base, 'GET', '/health');
      expect(health.diameter.peers).toEqual(
        expect.arrayContaining([expect.objectContaining({ originHost: SCSCF_HOST })]),
      );
    } finally {
      peer.close();
      await hss.close();
      db.cleanup();
    }
  });

  it('a client peer reconnects after the HSS restarts on the same port and is served again', async () => {
    const db = tempDb();
    let hss = await startHss(db.dbPath);
    const port = hss.diameterPort;
    await provision(hss.base, IMSI, '15550501');
    const client = new CxClient(SCSCF_HOST, { reconnect: { initialMs: 50, maxMs: 200 } });
    try {
      await client.connect(port);
      expect((await client.mar(impiOf(IMSI), impuOf(IMSI))).resultCode).toBe(2001);

      const down = once(client.node, 'peer-down');
      await hss.close();
      await down;
      const up = once(client.node, 'peer-up');
      hss = await startHss(db.dbPath, { diameterPort: port });
      await up;
      const maa = await client.mar(impiOf(IMSI), impuOf(IMSI));
      expect(maa).toMatchObject({ experimental: false, resultCode: 2001 });
      expect(maa.items).toHaveLength(1);
    } finally {
      await client.close();
      await hss.close();
      db.cleanup();
    }
  });
});
