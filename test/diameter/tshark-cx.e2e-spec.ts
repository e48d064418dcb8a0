/**
 * tshark as the judge of our bytes (DESIGN.md): an S-CSCF-like and an HSS-like DiameterNode
 * exchange CER/CEA, DWR/DWA, UAR/UAA, MAR/MAA, SAR/SAA, LIR/LIA, RTR/RTA, PPR/PPA and DPR/DPA
 * over real TCP on 127.0.0.1 through a recording relay. The recorded byte streams are written
 * as a pcap file (see pcap-writer.ts for why the file is synthesised rather than captured with
 * `tshark -i lo`), then `tshark -r` must decode every message without a malformed packet or an
 * error-level expert item, with the command codes and (experimental) result codes we sent.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { Server, Socket, connect, createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CX_AUTH_APPLICATION,
  CxExperimentalResult,
  DiameterNode,
  ManualTimers,
  PeerState,
  ResultCode,
  ServerAssignmentType,
  buildLia,
  buildLir,
  buildMaa,
  buildMar,
  buildPpa,
  buildPpr,
  buildRta,
  buildRtr,
  buildSaa,
  buildSar,
  buildUaa,
  buildUar,
} from '@lib/diameter';
import { PcapWriter } from './pcap-writer';

const TSHARK = spawnSync('tshark', ['--version']).error ? undefined : 'tshark';
if (!TSHARK)
  console.warn('tshark-cx.e2e-spec: tshark is not installed, skipping the Wireshark decode check');
const describeWithTshark = TSHARK ? describe : describe.skip;

const REALM = 'ims.mnc001.mcc001.3gppnetwork.org';
const IMPI = `001010000000001@${REALM}`;
const IMPU = `sip:001010000000001@${REALM}`;
const SCSCF_URI = `sip:scscf.${REALM}:6060`;
const USER_DATA = fs.readFileSync(
  path.join(__dirname, '../vectors/imssubscription-example.xml'),
  'utf8',
);

describeWithTshark('Cx exchange decoded by tshark', () => {
  const closers: (() => Promise<unknown> | void)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('decodes every message with the codes we sent and no malformed or error items', async () => {
    // HSS
    const hss = new DiameterNode({
      originHost: `hss.${REALM}`,
      originRealm: REALM,
      authApplications: [CX_AUTH_APPLICATION],
      vendorId: 10415,
      timers: new ManualTimers(),
    });
    hss.onRequest((req) => {
      switch (req.commandCode) {
        case 300:
          return buildUaa(req, {
            resultCode: CxExperimentalResult.FIRST_REGISTRATION,
            experimental: true,
            serverCapabilities: { mandatory: [1], optional: [2], serverNames: [SCSCF_URI] },
          });
        case 303:
          return buildMaa(req, {
            resultCode: ResultCode.SUCCESS,
            userName: IMPI,
            publicIdentity: IMPU,
            items: [
              {
                itemNumber: 1,
                scheme: 'Digest-AKAv1-MD5',
                authenticate: Buffer.alloc(32, 0xab),
                authorization: Buffer.alloc(8, 0xcd),
                confidentialityKey: Buffer.alloc(16, 1),
                integrityKey: Buffer.alloc(16, 2),
              },
            ],
          });
        case 301:
          return buildSaa(req, {
            resultCode: ResultCode.SUCCESS,
            userName: IMPI,
            userData: USER_DATA,
          });
        case 302:
          return buildLia(req, {
            resultCode: CxExperimentalResult.ERROR_IDENTITY_NOT_REGISTERED,
            experimental: true,
          });
      }
      throw new Error('unexpected');
    });
    const { port: hssPort } = await hss.listen(0);
    closers.push(() => hss.close());

    // Recording relay between the S-CSCF and the HSS.
    const segments: { fromClient: boolean; data: Buffer }[] = [];
    let clientPort = 0;
    const relay: Server = createServer((inbound: Socket) => {
      clientPort = inbound.remotePort!;
      const outbound = connect({ host: '127.0.0.1', port: hssPort });
      inbound.on('data', (d) => {
        segments.push({ fromClient: true, data: Buffer.from(d) });
        outbound.write(d);
      });
      outbound.on('data', (d) => {
        segments.push({ fromClient: false, data: Buffer.from(d) });
        inbound.write(d);
      });
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const relayPort = (relay.address() as { port: number }).port;
    closers.push(() => new Promise((r) => relay.close(r)));

    // S-CSCF
    const timers = new ManualTimers();
    const scscf = new DiameterNode({
      originHost: `scscf.${REALM}`,
      originRealm: REALM,
      authApplications: [CX_AUTH_APPLICATION],
      watchdogIntervalMs: 30000,
      timers,
    });
    scscf.onRequest((req) =>
      req.commandCode === 304
        ? buildRta(req, { resultCode: ResultCode.SUCCESS })
        : buildPpa(req, { resultCode: ResultCode.SUCCESS }),
    );
    closers.push(() => scscf.close());
    const peer = scscf.connect({
      host: '127.0.0.1',
      port: relayPort,
      expectedHost: `hss.${REALM}`,
    });
    await new Promise<void>((r) => peer.on('state', (_f, to) => to === PeerState.IOpen && r()));

    const head = { originHost: `scscf.${REALM}`, originRealm: REALM, destinationRealm: REALM };
    const dwa = once(peer, 'watchdog');
    timers.advance(30000);
    await dwa;
    await scscf.sendRequest(
      buildUar({ ...head, userName: IMPI, publicIdentity: IMPU, visitedNetworkIdentifier: REALM }),
    );
    await scscf.sendRequest(
      buildMar({
        ...head,
        userName: IMPI,
        publicIdentity: IMPU,
        serverName: SCSCF_URI,
        numberAuthItems: 1,
        authDataItem: { scheme: 'Digest-AKAv1-MD5' },
      }),
    );
    await scscf.sendRequest(
      buildSar({
        ...head,
        userName: IMPI,
        publicIdentities: [IMPU],
        serverName: SCSCF_URI,
        serverAssignmentType: ServerAssignmentType.REGISTRATION,
        userDataAlreadyAvailable: 0,
      }),
    );
    await scscf.sendRequest(buildLir({ ...head, publicIdentity: 'tel:+15551230001' }));
    const hssHead = {
      originHost: `hss.${REALM}`,
      originRealm: REALM,
      destinationHost: `scscf.${REALM}`,
      destinationRealm: REALM,
    };
    await hss.sendRequest(
      buildRtr({
        ...hssHead,
        userName: IMPI,
        publicIdentities: [IMPU],
        deregistrationReason: { reasonCode: 0, reasonInfo: 'test' },
      }),
    );
    await hss.sendRequest(buildPpr({ ...hssHead, userName: IMPI, userData: USER_DATA }));
    await peer.close();

    // The pcap, then tshark.
    const pcap = new PcapWriter(clientPort, hssPort);
    for (const s of segments) pcap.add(s.fromClient, s.data);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cx-')), 'cx.pcap');
    fs.writeFileSync(file, pcap.toBuffer());
    closers.push(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));

    // Wireshark 4.0 has no "diameter.tcp.ports" preference; Decode-As maps the port instead.
    const portPref = ['-d', `tcp.port==${hssPort},diameter`];
    const verbose = execFileSync(TSHARK!, ['-r', file, '-V', ...portPref], { encoding: 'utf8' });
    expect(verbose).not.toMatch(/Malformed/i);
    const fields = execFileSync(
      TSHARK!,
      [
        '-r',
        file,
        ...portPref,
        '-T',
        'fields',
        '-E',
        'separator=|',
        '-e',
        'diameter.cmd.code',
        '-e',
        'diameter.flags.request',
        '-e',
        'diameter.Result-Code',
        '-e',
        'diameter.Experimental-Result-Code',
        '-e',
        '_ws.expert.severity',
        '-e',
        '_ws.expert.message',
      ],
      { encoding: 'utf8' },
    );
    // One line per frame (TCP-only frames have no Diameter fields); a frame may carry several
    // messages (comma-separated occurrences).
    const decoded: { code: number; request: boolean }[] = [];
    const results: number[] = [];
    for (const line of fields.trim().split('\n')) {
      const [codes, requests, rc, erc, severity] = line.split('|');
      const r = requests.split(',');
      if (codes)
        codes
          .split(',')
          .forEach((c, i) =>
            decoded.push({ code: Number(c), request: r[i] === '1' || r[i] === 'True' }),
          );
      for (const v of [rc, erc]) if (v) results.push(...v.split(',').map(Number));
      // Expert severity PI_ERROR is 0x00800000 (warnings 0x00600000, chat 0x00200000).
      const errors = (severity ? severity.split(',').map(Number) : []).filter(
        (s) => s >= 0x00800000,
      );
      expect({ line, errors }).toEqual({ line, errors: [] });
    }
    expect(decoded.map((d) => `${d.code}${d.request ? 'R' : 'A'}`)).toEqual([
      '257R',
      '257A',
      '280R',
      '280A',
      '300R',
      '300A',
      '303R',
      '303A',
      '301R',
      '301A',
      '302R',
      '302A',
      '304R',
      '304A',
      '305R',
      '305A',
      '282R',
      '282A',
    ]);
    // CEA, DWA, UAA (experimental 2001), MAA, SAA, LIA (experimental 5003), RTA, PPA, DPA
    expect(results.sort()).toEqual([2001, 2001, 2001, 2001, 2001, 2001, 2001, 2001, 5003].sort());
  });
});
