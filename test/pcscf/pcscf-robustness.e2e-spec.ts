/**
 * TS 24.229 R24 / RFC 4475 §3: the P-CSCF, the element exposed to every UE, survives the
 * RFC 4475 torture messages (all 49, test/vectors/rfc4475) over UDP and TCP: no crash,
 * no message forwarded into the core (none comes from a registered UE), and it still
 * serves afterwards.
 */
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createRequest, generateTag } from '@lib/sip';
import {
  DOMAIN,
  FakeElement,
  FAST,
  HOST,
  newUac,
  startRole,
  type RunningRole,
} from '../icscf/cscf-support';

jest.setTimeout(30000);

const DIR = join(__dirname, '../vectors/rfc4475');
const index = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as {
  messages: { file: string; kind: string }[];
};
const torture = index.messages.map((m) => readFileSync(join(DIR, m.file)));

describe('P-CSCF under the RFC 4475 torture messages', () => {
  let pcscf: RunningRole;
  let icscf: FakeElement;

  beforeAll(async () => {
    icscf = await FakeElement.start();
    pcscf = await startRole({
      role: 'pcscf',
      env: {
        IMS_DOMAIN: DOMAIN,
        PCSCF_SIP_PORT: '0',
        PCSCF_ICSCF: `${DOMAIN}=${HOST}:${icscf.port}`,
        PCSCF_LOG_LEVEL: 'error',
      },
      runtime: { timers: FAST },
    });
  });

  afterAll(async () => {
    await pcscf?.close();
    await icscf?.stop();
  });

  async function stillServes(): Promise<void> {
    const uac = await newUac();
    try {
      const port = pcscf.ports.sipPort;
      const options = createRequest({
        method: 'OPTIONS',
        uri: `sip:pcscf.${DOMAIN}:${port}`,
        headers: [
          ['Max-Forwards', '70'],
          ['From', `<sip:probe@${DOMAIN}>;tag=${generateTag()}`],
          ['To', `<sip:pcscf.${DOMAIN}:${port}>`],
          ['Call-ID', `${generateTag()}@probe`],
          ['CSeq', '1 OPTIONS'],
        ],
      });
      const res = await uac.request(options, {
        destination: { host: HOST, port, transport: 'UDP' },
      });
      expect(res.status).toBe(200);
    } finally {
      await uac.stop();
    }
  }

  it('has all 49 vectors', () => {
    expect(torture).toHaveLength(49);
  });

  it('survives them over UDP and forwards none into the core', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, HOST, r));
    try {
      for (const msg of torture) {
        await new Promise<void>((resolve, reject) =>
          socket.send(msg, pcscf.ports.sipPort, HOST, (err) => (err ? reject(err) : resolve())),
        );
      }
      await stillServes();
      expect(icscf.received).toHaveLength(0);
    } finally {
      socket.close();
    }
  });

  it('survives them over TCP (one connection each) and still serves', async () => {
    for (const msg of torture) {
      const s = connect(pcscf.ports.sipPort, HOST);
      await once(s, 'connect');
      s.on('error', () => undefined);
      s.write(msg);
      // An answer, a close (framing error), or nothing for a message still waiting for its
      // Content-Length worth of body: then give up on this connection.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 300);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        s.once('data', done);
        s.once('close', done);
      });
      s.destroy();
    }
    await stillServes();
    expect(icscf.received).toHaveLength(0);
  });
});
