/**
 * Two DiameterNodes (and a few raw sockets) over real TCP on 127.0.0.1. Timer logic runs on
 * ManualTimers, so nothing here waits on wall-clock time: tests wait for events.
 */
import { EventEmitter, once } from 'node:events';
import { Socket, connect as tcpConnect, createServer } from 'node:net';
import { DiameterRequestError } from '../codec/diameter-error';
import { DiameterMessage, decodeMessage, encodeMessage } from '../codec/diameter-message';
import { avp, createRequest } from '../codec/message-builder';
import { buildRta, buildRtr, buildUaa, buildUar, parseRta, parseUaa } from '../cx';
import { CxExperimentalResult, ResultCode } from '../dictionary/result-codes';
import { buildCea } from './capabilities';
import { CX_AUTH_APPLICATION, DiameterNode, DiameterNodeOptions } from './diameter-node';
import { DiameterPeer, DisconnectCause } from './diameter-peer';
import { ManualTimers } from './manual-timers';
import { MessageFramer } from './message-framer';
import { PeerState } from './peer-state';

const REALM = 'ims.example';
const TW = 6000;
const nodes: DiameterNode[] = [];
const sockets: Socket[] = [];

function node(
  name: string,
  extra: Partial<DiameterNodeOptions> = {},
): { node: DiameterNode; timers: ManualTimers } {
  const timers = new ManualTimers();
  const n = new DiameterNode({
    originHost: `${name}.${REALM}`,
    originRealm: REALM,
    authApplications: [CX_AUTH_APPLICATION],
    watchdogIntervalMs: TW,
    reconnect: { initialMs: 1000, maxMs: 8000 },
    timers,
    ...extra,
  });
  nodes.push(n);
  return { node: n, timers };
}

/** Resolves when the emitter emits `event` with arguments satisfying `pred`. */
function waitFor<T extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  pred: (...args: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const on = (...args: unknown[]) => {
      if (pred(...(args as T))) {
        emitter.off(event, on);
        resolve(args as T);
      }
    };
    emitter.on(event, on);
  });
}

const waitState = (peer: DiameterPeer, state: PeerState) =>
  peer.state === state
    ? Promise.resolve()
    : waitFor(peer, 'state', (_f: PeerState, to: PeerState) => to === state);

async function pair(serverExtra: Partial<DiameterNodeOptions> = {}) {
  const hss = node('hss', serverExtra);
  const scscf = node('scscf');
  const { port } = await hss.node.listen(0);
  const serverUp = waitFor<[DiameterPeer]>(hss.node, 'peer-up');
  const peer = scscf.node.connect({ host: '127.0.0.1', port, expectedHost: `hss.${REALM}` });
  const [serverPeer] = await Promise.all([
    serverUp.then(([p]) => p),
    waitState(peer, PeerState.IOpen),
  ]);
  return { hss, scscf, port, clientPeer: peer, serverPeer };
}

const uar = () =>
  buildUar({
    originHost: `scscf.${REALM}`,
    originRealm: REALM,
    destinationRealm: REALM,
    userName: `alice@${REALM}`,
    publicIdentity: `sip:alice@${REALM}`,
    visitedNetworkIdentifier: REALM,
  });

/** A raw TCP client that speaks bytes, for framing and error-path tests. */
async function rawClient(port: number) {
  const socket = tcpConnect({ host: '127.0.0.1', port });
  sockets.push(socket);
  await once(socket, 'connect');
  const framer = new MessageFramer();
  const inbox: DiameterMessage[] = [];
  const arrivals = new EventEmitter();
  socket.on('data', (chunk) => {
    for (const f of framer.push(chunk)) {
      inbox.push(decodeMessage(f));
      arrivals.emit('message');
    }
  });
  const next = async (): Promise<DiameterMessage> => {
    while (!inbox.length) await once(arrivals, 'message');
    return inbox.shift()!;
  };
  return { socket, next };
}

function cer(originHost: string, apps: number[] = [16777216]): DiameterMessage {
  return createRequest('CER', 'Base', [
    avp('Origin-Host', originHost),
    avp('Origin-Realm', REALM),
    avp('Host-IP-Address', '127.0.0.1'),
    avp('Vendor-Id', 0),
    avp('Product-Name', 'raw'),
    ...apps.map((id) =>
      avp('Vendor-Specific-Application-Id', { 'Vendor-Id': 10415, 'Auth-Application-Id': id }),
    ),
  ]);
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

describe('capabilities exchange (RFC 6733 §5.3)', () => {
  it('opens I-Open on the client and R-Open on the server with Cx as common application', async () => {
    const { clientPeer, serverPeer } = await pair();
    expect(clientPeer.state).toBe(PeerState.IOpen);
    expect(serverPeer.state).toBe(PeerState.ROpen);
    expect(clientPeer.applications).toEqual([16777216]);
    expect(serverPeer.applications).toEqual([16777216]);
    expect(clientPeer.originHost).toBe(`hss.${REALM}`);
    expect(serverPeer.originHost).toBe(`scscf.${REALM}`);
  });

  it('a peer refused by acceptPeer gets CEA 3010 DIAMETER_UNKNOWN_PEER and is disconnected', async () => {
    const hss = node('hss', { acceptPeer: (host) => host === `icscf.${REALM}` });
    const { port } = await hss.node.listen(0);
    const raw = await rawClient(port);
    raw.socket.write(encodeMessage(cer(`intruder.${REALM}`)));
    const cea = await raw.next();
    expect(cea.commandName).toBe('Capabilities-Exchange-Answer');
    expect(cea.resultCode()).toBe(ResultCode.UNKNOWN_PEER);
    expect(cea.flags.error).toBe(true);
    await once(raw.socket, 'close');
    // A DiameterNode client sees the same and goes back to Closed.
    const client = node('intruder');
    const peer = client.node.connect({ host: '127.0.0.1', port });
    await waitFor(peer, 'state', (_f: PeerState, to: PeerState) => to === PeerState.Closed);
    expect(peer.lastError).toBe('CEA Result-Code 3010');
  });

  it('a CER without a common application gets 5010 DIAMETER_NO_COMMON_APPLICATION', async () => {
    const hss = node('hss');
    const { port } = await hss.node.listen(0);
    const raw = await rawClient(port);
    raw.socket.write(encodeMessage(cer(`other.${REALM}`, [16777217])));
    expect((await raw.next()).resultCode()).toBe(ResultCode.NO_COMMON_APPLICATION);
  });

  it('resolves an election when both sides connect at once (§5.6.4): one connection stays', async () => {
    const a = node('a-node');
    const b = node('b-node');
    const { port: pa } = await a.node.listen(0);
    const { port: pb } = await b.node.listen(0);
    const pA = a.node.connect({ host: '127.0.0.1', port: pb, expectedHost: `b-node.${REALM}` });
    const pB = b.node.connect({ host: '127.0.0.1', port: pa, expectedHost: `a-node.${REALM}` });
    const open = (p: DiameterPeer) =>
      p.isOpen
        ? Promise.resolve()
        : waitFor(
            p,
            'state',
            (_f: PeerState, to: PeerState) => to === PeerState.IOpen || to === PeerState.ROpen,
          );
    await Promise.all([open(pA), open(pB)]);
    // b-node wins as responder (its Origin-Host succeeds a-node's), so both use the connection a-node initiated.
    expect(a.node.peers()).toHaveLength(1);
    expect(b.node.peers()).toHaveLength(1);
    const ans = await a.node.sendRequest(uar(), { peerHost: `b-node.${REALM}` });
    expect(ans.resultCode()).toBe(ResultCode.UNABLE_TO_COMPLY); // b has no handler
    expect([pA.state, pB.state].sort()).toEqual([PeerState.IOpen, PeerState.ROpen].sort());
  });
});

describe('requests and answers', () => {
  it('carries Cx requests both ways, matched by Hop-by-Hop Identifier', async () => {
    const { hss, scscf } = await pair();
    hss.node.onRequest((req) =>
      buildUaa(req, {
        resultCode: CxExperimentalResult.FIRST_REGISTRATION,
        experimental: true,
        serverName: 'sip:scscf',
      }),
    );
    scscf.node.onRequest((req) => buildRta(req, { resultCode: ResultCode.SUCCESS }));
    const answers = await Promise.all([1, 2, 3].map(() => scscf.node.sendRequest(uar())));
    for (const a of answers)
      expect(parseUaa(a)).toMatchObject({
        resultCode: 2001,
        experimental: true,
        originHost: `hss.${REALM}`,
      });
    const rtr = buildRtr({
      originHost: `hss.${REALM}`,
      originRealm: REALM,
      destinationHost: `scscf.${REALM}`,
      destinationRealm: REALM,
      userName: `alice@${REALM}`,
      deregistrationReason: { reasonCode: 0 },
    });
    const rta = parseRta(await hss.node.sendRequest(rtr));
    expect(rta).toMatchObject({
      resultCode: 2001,
      experimental: false,
      originHost: `scscf.${REALM}`,
    });
  });

  it('answers a retransmission (T flag, same End-to-End and Origin-Host) without running the handler again (§5.5.4)', async () => {
    const hss = node('hss');
    let calls = 0;
    hss.node.onRequest(
      (req) => (
        calls++,
        buildUaa(req, { resultCode: 2001, experimental: true, serverName: `sip:s${calls}` })
      ),
    );
    const { port } = await hss.node.listen(0);
    const raw = await rawClient(port);
    raw.socket.write(encodeMessage(cer(`raw.${REALM}`)));
    await raw.next();
    const req = uar();
    req.hopByHop = 1;
    raw.socket.write(encodeMessage(req));
    const first = await raw.next();
    req.hopByHop = 2;
    req.flags.retransmit = true;
    raw.socket.write(encodeMessage(req));
    const second = await raw.next();
    expect(calls).toBe(1);
    expect([first.hopByHop, second.hopByHop]).toEqual([1, 2]);
    expect(parseUaa(second).serverName).toBe('sip:s1');
    // A new request (new End-to-End) is processed.
    const other = uar();
    other.flags.retransmit = true;
    raw.socket.write(encodeMessage(other));
    expect(parseUaa(await raw.next()).serverName).toBe('sip:s2');
  });

  it('answers an invalid request from the dictionary: 5005 with Failed-AVP', async () => {
    const { hss, scscf } = await pair();
    hss.node.onRequest(() => {
      throw new Error('must not be called');
    });
    const req = uar();
    req.avps = req.avps.filter((a) => a.name !== 'Public-Identity');
    const ans = await scscf.node.sendRequest(req);
    expect(ans.resultCode()).toBe(ResultCode.MISSING_AVP);
    expect(ans.find('Failed-AVP')!.children[0].name).toBe('Public-Identity');
  });

  it('rejects with a timeout when no answer comes', async () => {
    const { hss, scscf } = await pair();
    const seen = new Promise<void>((resolve) =>
      hss.node.onRequest(() => (resolve(), new Promise<DiameterMessage>(() => undefined))),
    );
    const pending = scscf.node.sendRequest(uar(), { timeoutMs: 5000 });
    await seen;
    scscf.timers.advance(5000);
    await expect(pending).rejects.toMatchObject({ reason: 'timeout' });
    await expect(pending).rejects.toBeInstanceOf(DiameterRequestError);
  });

  it('rejects with no-peer when no open peer supports the application', async () => {
    const lonely = node('lonely');
    await expect(lonely.node.sendRequest(uar())).rejects.toMatchObject({ reason: 'no-peer' });
  });
});

describe('raw bytes against a DiameterNode server', () => {
  async function openRaw() {
    const hss = node('hss');
    hss.node.onRequest((req) => buildUaa(req, { resultCode: 2001, experimental: true }));
    const { port } = await hss.node.listen(0);
    const raw = await rawClient(port);
    raw.socket.write(encodeMessage(cer(`raw.${REALM}`)));
    expect((await raw.next()).resultCode()).toBe(2001);
    return raw;
  }

  it('reads a request written byte by byte', async () => {
    const raw = await openRaw();
    const bytes = encodeMessage(uar());
    for (const b of bytes)
      await new Promise<void>((r) => raw.socket.write(Buffer.from([b]), () => r()));
    const ans = await raw.next();
    expect(ans.commandName).toBe('User-Authorization-Answer');
  });

  it('answers three DWRs written in one chunk', async () => {
    const raw = await openRaw();
    const dwrs = [11, 12, 13].map((hbh) => {
      const m = createRequest('DWR', 'Base', [
        avp('Origin-Host', `raw.${REALM}`),
        avp('Origin-Realm', REALM),
      ]);
      m.hopByHop = hbh;
      return encodeMessage(m);
    });
    raw.socket.write(Buffer.concat(dwrs));
    const answers = [await raw.next(), await raw.next(), await raw.next()];
    expect(answers.map((a) => [a.commandName, a.hopByHop, a.resultCode()])).toEqual([
      ['Device-Watchdog-Answer', 11, 2001],
      ['Device-Watchdog-Answer', 12, 2001],
      ['Device-Watchdog-Answer', 13, 2001],
    ]);
  });

  it('answers an unknown command of Cx with 3001 DIAMETER_COMMAND_UNSUPPORTED and the E bit', async () => {
    const raw = await openRaw();
    const req = uar();
    req.commandCode = 399;
    raw.socket.write(encodeMessage(req));
    const ans = await raw.next();
    expect([ans.resultCode(), ans.flags.error, ans.commandCode]).toEqual([3001, true, 399]);
  });

  it('answers an unsupported application with 3007 and the E bit', async () => {
    const raw = await openRaw();
    const req = uar();
    req.applicationId = 16777217;
    raw.socket.write(encodeMessage(req));
    const ans = await raw.next();
    expect([ans.resultCode(), ans.flags.error, ans.hopByHop]).toEqual([3007, true, req.hopByHop]);
  });

  it('answers an undecodable request with its decode error (5014) and Failed-AVP', async () => {
    const raw = await openRaw();
    const bytes = encodeMessage(uar());
    // Session-Id is the first AVP; give it an AVP Length running past the message.
    bytes.writeUIntBE(bytes.length, 20 + 5, 3);
    raw.socket.write(bytes);
    const ans = await raw.next();
    expect(ans.resultCode()).toBe(ResultCode.INVALID_AVP_LENGTH);
    expect(ans.find('Failed-AVP')!.children[0].code).toBe(263);
  });
});

describe('watchdog (RFC 3539) and disconnection (RFC 6733 §5.4)', () => {
  it('sends DWR after Tw of silence and receives the DWA', async () => {
    const { scscf, clientPeer } = await pair();
    const dwa = waitFor<[DiameterMessage]>(clientPeer, 'watchdog');
    scscf.timers.advance(TW);
    const [answer] = await dwa;
    expect(answer.commandName).toBe('Device-Watchdog-Answer');
    expect(answer.get('Origin-Host')).toBe(`hss.${REALM}`);
    expect(clientPeer.watchdog).toBe('OKAY');
  });

  it('traffic resets Tw: no DWR while messages flow, one Tw after the last message', async () => {
    // RFC 3539 §3.4.1: every message received resets the watchdog timer.
    const { hss, scscf, clientPeer } = await pair();
    hss.node.onRequest((req) => buildUaa(req, { resultCode: ResultCode.SUCCESS }));
    let dwas = 0;
    clientPeer.on('watchdog', () => dwas++);
    const settle = () => new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 4; i++) {
      scscf.timers.advance(TW / 2);
      await scscf.node.sendRequest(uar()); // the answer resets the client's Tw
    }
    // 3 Tw since the connection opened, just under Tw since the last answer: no DWR yet.
    scscf.timers.advance(TW - 1);
    await settle();
    expect(dwas).toBe(0);
    const dwa = waitFor<[DiameterMessage]>(clientPeer, 'watchdog');
    scscf.timers.advance(1);
    await dwa;
    expect(dwas).toBe(1);
  });

  it('fails over when DWRs go unanswered, closes, and reconnects', async () => {
    // A raw server that completes CER/CEA and then ignores everything.
    const server = createServer((s) => {
      sockets.push(s);
      const framer = new MessageFramer();
      s.on('data', (chunk) => {
        for (const f of framer.push(chunk)) {
          const m = decodeMessage(f);
          if (m.commandCode === 257) {
            s.write(
              encodeMessage(
                buildCea(
                  m,
                  {
                    originHost: `mute.${REALM}`,
                    originRealm: REALM,
                    hostIpAddresses: ['127.0.0.1'],
                    vendorId: 0,
                    productName: 'mute',
                    originStateId: 1,
                    authApplications: [CX_AUTH_APPLICATION],
                  },
                  2001,
                ),
              ),
            );
          }
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const c = node('scscf');
      const peer = c.node.connect({ host: '127.0.0.1', port });
      await waitState(peer, PeerState.IOpen);
      const suspect = waitFor(peer, 'suspect');
      c.timers.advance(TW); // DWR sent
      c.timers.advance(TW); // no DWA: SUSPECT
      await suspect;
      expect(peer.watchdog).toBe('SUSPECT');
      expect(peer.isAvailable).toBe(false);
      const down = waitFor(c.node, 'peer-down');
      c.timers.advance(TW); // still nothing: CloseConnection
      const [, reason] = await down;
      expect(reason).toBe('watchdog: no answer to DWR');
      expect(peer.reconnectScheduled).toBe(true);
      c.timers.advance(1000);
      await waitState(peer, PeerState.IOpen);
    } finally {
      // The mute server never answers DPR: drop its sockets so the client closes at once.
      const closed = new Promise((r) => server.close(r));
      for (const s of sockets.splice(0)) s.destroy();
      await closed;
    }
  });

  it('DPR/DPA on close(): both sides go down, the closing side does not reconnect', async () => {
    const { hss, scscf, clientPeer, serverPeer } = await pair();
    const serverDown = waitFor<[DiameterPeer, string]>(hss.node, 'peer-down');
    await clientPeer.close();
    const [p, reason] = await serverDown;
    expect(p).toBe(serverPeer);
    expect(reason).toMatch(/closed|DPA|Disc/i);
    expect(clientPeer.state).toBe(PeerState.Closed);
    expect(clientPeer.reconnectScheduled).toBe(false);
    expect(scscf.timers.pending()).toEqual([]);
  });

  it.each([
    ['BUSY', DisconnectCause.BUSY, [8000]],
    ['REBOOTING', DisconnectCause.REBOOTING, [1000]],
    ['DO_NOT_WANT_TO_TALK_TO_YOU', DisconnectCause.DO_NOT_WANT_TO_TALK_TO_YOU, []],
  ])(
    'after a DPR with Disconnect-Cause %s the client reconnects after %j ms',
    async (_n, cause, expected) => {
      const { scscf, clientPeer, serverPeer } = await pair();
      const closed = waitState(clientPeer, PeerState.Closed);
      await serverPeer.close(cause as DisconnectCause);
      await closed;
      expect(scscf.timers.pending()).toEqual(expected);
    },
  );

  it('reconnects with exponential backoff after the server goes away, then requests work again', async () => {
    const { hss, scscf, port, clientPeer } = await pair();
    const down = waitFor(scscf.node, 'peer-down');
    await hss.node.close(); // DPR (REBOOTING) then the listener is gone
    await down;
    expect(clientPeer.reconnectScheduled).toBe(true);
    // Nobody listens: each attempt is refused and the delay doubles up to maxMs.
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [delay] = scscf.timers.pending();
      delays.push(delay);
      const refused = waitFor(
        clientPeer,
        'state',
        (_f: PeerState, to: PeerState) => to === PeerState.Closed,
      );
      scscf.timers.advance(delay);
      await refused;
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000]);
    // The HSS comes back on the same port.
    const hss2 = node('hss');
    hss2.node.onRequest((req) =>
      buildUaa(req, { resultCode: 2002, experimental: true, serverName: 'sip:s' }),
    );
    await hss2.node.listen(port);
    scscf.timers.advance(scscf.timers.pending()[0]);
    await waitState(clientPeer, PeerState.IOpen);
    expect(parseUaa(await scscf.node.sendRequest(uar())).resultCode).toBe(2002);
  });
});
