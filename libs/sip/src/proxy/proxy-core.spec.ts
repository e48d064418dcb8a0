/**
 * A real stateful proxy over loopback UDP between a UAC and one or two UASs, all built on
 * SipStack (RFC 3261 §16). Short T1 per stack instance keeps it fast.
 */
import {
  createRequest,
  createResponse,
  generateTag,
  type SipRequest,
  type SipResponse,
} from '../transport/message-api';
import type { Destination } from '../transport/transport';
import type { ServerTransaction } from '../transaction/server-transaction';
import { TransactionState } from '../transaction/transaction-state';
import { buildCancel } from '../transaction/build-cancel';
import type { TimerSettings } from '../transaction/timers';
import { SipStack } from '../stack/sip-stack';
import { buildAckFor2xx } from '../stack/ack-for-2xx';
import { ProxyCore, type ProxyCoreOptions } from './proxy-core';
import type {
  BranchesFailedHook,
  FailedBranch,
  ForwardTarget,
  ProxyProcessor,
} from './proxy-request';

const HOST = '127.0.0.1';
const FAST: Partial<TimerSettings> = { T1: 20, T2: 160, T4: 200, timerD: 400 };

type Behaviour = (req: SipRequest, tx: ServerTransaction | undefined, uas: Uas) => void;

interface Uas {
  stack: SipStack;
  received: SipRequest[];
  behaviour: Behaviour;
  dest: Destination;
  uri(user?: string): string;
}

const stacks: SipStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

async function newStack(timers: Partial<TimerSettings> = FAST): Promise<SipStack> {
  const stack = new SipStack({ host: HOST, port: 0, timers, transports: ['UDP', 'TCP'] });
  stacks.push(stack);
  await stack.start();
  return stack;
}

/** 200 to everything; copies Record-Route into 2xx to INVITE as a UAS must (RFC 3261 §12.1.1). */
function answer(status: number, extra: [string, string][] = []): Behaviour {
  return (req, tx) => {
    if (!tx) return;
    const res = createResponse(req, status, undefined, { toTag: 'uas-tag' });
    if (status < 300 && req.method === 'INVITE')
      for (const rr of req.getAll('Record-Route')) res.append('Record-Route', rr);
    for (const [n, v] of extra) res.append(n, v);
    tx.respond(res);
  };
}

/** 180 and wait; a CANCEL gets 200 and the INVITE 487 (RFC 3261 §9.2). */
const ringForever: Behaviour = (req, tx, uas) => {
  if (!tx) return;
  if (req.method === 'INVITE') {
    tx.respond(createResponse(req, 180, undefined, { toTag: 'uas-tag' }));
  } else if (req.method === 'CANCEL') {
    tx.respond(createResponse(req, 200));
    const invite = uas.stack.transactions.findInviteServerTransactionForCancel(req);
    invite?.respond(createResponse(invite.request, 487, undefined, { toTag: 'uas-tag' }));
  } else {
    tx.respond(createResponse(req, 200));
  }
};

async function newUas(behaviour: Behaviour = answer(200)): Promise<Uas> {
  const stack = await newStack();
  const uas: Uas = {
    stack,
    received: [],
    behaviour,
    dest: { host: HOST, port: stack.port, transport: 'UDP' },
    uri: (user = 'bob') => `sip:${user}@${HOST}:${stack.port}`,
  };
  stack.setHandler({
    onRequest: (req, tx) => {
      uas.received.push(req);
      uas.behaviour(req, tx, uas);
    },
  });
  return uas;
}

async function newProxy(options: ProxyCoreOptions = {}, timers: Partial<TimerSettings> = FAST) {
  const stack = await newStack(timers);
  const proxy = new ProxyCore(stack, options).attach();
  return { stack, proxy, dest: { host: HOST, port: stack.port, transport: 'UDP' as const } };
}

function makeRequest(method: string, uri: string, headers: [string, string][] = []): SipRequest {
  return createRequest({
    method,
    uri,
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<sip:alice@${HOST}>;tag=${generateTag()}`],
      ['To', `<${uri}>`],
      ['Call-ID', `${generateTag()}@uac`],
      ['CSeq', `1 ${method}`],
      ['Contact', `<sip:alice@${HOST}>`],
      ...headers,
    ],
  });
}

async function waitFor(cond: () => boolean, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('RFC 3261 §16 stateful proxy over loopback UDP', () => {
  it('forwards a request (§16.6: Max-Forwards-1, own Via with loop branch) and pops its Via from the response (§16.7)', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { dest, stack: proxyStack, proxy } = await newProxy();
    const res = await uac.request(makeRequest('OPTIONS', uas.uri()), { destination: dest });
    expect(res.status).toBe(200);
    expect(res.getAll('Via')).toHaveLength(1);
    const fwd = uas.received[0];
    expect(fwd.maxForwards()).toBe(69);
    const vias = fwd.via();
    expect(vias).toHaveLength(2);
    expect(vias[0].port).toBe(proxyStack.port);
    expect(vias[0].branch).toMatch(/^z9hG4bK[0-9a-f]{20}\.0$/);
    expect(vias[1].received).toBe(HOST);
    expect(fwd.uri).toBe(uas.uri());
    // Everything drains: client, server and proxy transactions.
    await waitFor(() => [uac, uas.stack, proxyStack].every((s) => s.transactions.count === 0));
    expect(proxy.pendingCount).toBe(0);
  });

  it('lets go of a non-INVITE context once the final went upstream, while Timer J still runs', async () => {
    const uac = await newStack();
    const uas = await newUas();
    // T1 = 1 s: the proxy's server transaction stays Completed for 64 s over UDP.
    const { dest, stack: proxyStack, proxy } = await newProxy({}, { ...FAST, T1: 1000 });
    const res = await uac.request(makeRequest('OPTIONS', uas.uri()), { destination: dest });
    expect(res.status).toBe(200);
    await waitFor(() => proxy.pendingCount === 0);
    const server = proxyStack.transactions
      .transactions()
      .find((t) => t.kind === 'NonInviteServerTransaction');
    expect(server?.state).toBe(TransactionState.Completed);
    // Nothing of the proxy is left on the transaction: its user is no longer the context's.
    expect(Object.keys((server as ServerTransaction).user)).not.toContain('onCompleted');
  });

  it('answers 483 Too Many Hops to Max-Forwards: 0 and forwards nothing (§16.3 step 3)', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { dest } = await newProxy();
    const req = makeRequest('OPTIONS', uas.uri());
    req.set('Max-Forwards', '0');
    const res = await uac.request(req, { destination: dest });
    expect(res.status).toBe(483);
    expect(uas.received).toHaveLength(0);
  });

  it('adds Max-Forwards: 70 when the request has none (§16.6 step 3)', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { dest } = await newProxy();
    const req = makeRequest('OPTIONS', uas.uri());
    req.remove('Max-Forwards');
    await uac.request(req, { destination: dest });
    expect(uas.received[0].maxForwards()).toBe(70);
  });

  it('detects a loop (482) but lets a spiral through (§16.3 step 4)', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { dest, stack: proxyStack } = await newProxy({
      processors: [
        {
          name: 'retarget-alias',
          // "alias" is retargeted to the UAS but routed through this proxy again (a spiral).
          process: (pr) => {
            const uri = pr.request.requestUri().toString();
            if (uri.startsWith('sip:alias@')) pr.addTarget(uas.uri(), dest);
            // "loop" is misrouted back to this proxy with the same Request-URI: a loop.
            if (uri.startsWith('sip:loop@')) pr.addTarget(undefined, dest);
            return 'continue';
          },
        },
      ],
    });
    const looped = await uac.request(makeRequest('OPTIONS', `sip:loop@${HOST}:9`), {
      destination: dest,
    });
    expect(looped.status).toBe(482);
    expect(uas.received).toHaveLength(0);
    const spiral = await uac.request(
      makeRequest('OPTIONS', `sip:alias@${HOST}:${proxyStack.port}`),
      { destination: dest },
    );
    expect(spiral.status).toBe(200);
    expect(uas.received).toHaveLength(1);
    expect(uas.received[0].via()).toHaveLength(3); // proxy twice, then the UAC
  });

  it('inserts Record-Route for INVITE (§16.6 step 4) but not for REGISTER; forwards the ACK to the 2xx statelessly', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { dest, stack: proxyStack } = await newProxy();
    const invite = makeRequest('INVITE', uas.uri());
    const res = await uac.request(invite, { destination: dest });
    expect(res.status).toBe(200);
    const rr = `<sip:${HOST}:${proxyStack.port};lr>`;
    expect(uas.received[0].getAll('Record-Route')).toEqual([rr]);
    expect(res.getAll('Record-Route')).toEqual([rr]);
    // ACK for the 2xx: a new transaction, routed by the route set through the proxy.
    const ack = buildAckFor2xx(invite, res);
    expect(ack.getAll('Route')).toEqual([rr]);
    await uac.sendStateless(ack);
    await waitFor(() => uas.received.some((r) => r.method === 'ACK'));
    const fwdAck = uas.received.find((r) => r.method === 'ACK')!;
    expect(fwdAck.has('Route')).toBe(false); // loose routing: own Route popped
    expect(fwdAck.via()).toHaveLength(2);

    const register = makeRequest('REGISTER', `sip:${HOST}:${uas.stack.port}`);
    expect((await uac.request(register, { destination: dest })).status).toBe(200);
    expect(uas.received.find((r) => r.method === 'REGISTER')!.has('Record-Route')).toBe(false);
  });

  it('Record-Routes twice when the two sides use different transports (RFC 5658), and pops both on the way back', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { dest, stack: proxyStack } = await newProxy();
    const uasUri = `${uas.uri()};transport=tcp`;
    const invite = makeRequest('INVITE', uasUri);
    const res = await uac.request(invite, { destination: dest });
    expect(res.status).toBe(200);
    const udpSide = `<sip:${HOST}:${proxyStack.port};lr>`;
    const tcpSide = `<sip:${HOST}:${proxyStack.port};transport=tcp;lr>`;
    // The UAS side (TCP) on top: the value the UAS reaches the proxy by.
    expect(uas.received[0].getAll('Record-Route')).toEqual([tcpSide, udpSide]);
    expect(uas.received[0].topVia().transport).toBe('TCP');
    // The UAC's route set is the reverse: its own side (UDP) first.
    const ack = buildAckFor2xx(invite, res);
    expect(ack.getAll('Route')).toEqual([udpSide, tcpSide]);
    await uac.sendStateless(ack);
    await waitFor(() => uas.received.some((r) => r.method === 'ACK'));
    const fwdAck = uas.received.find((r) => r.method === 'ACK')!;
    expect(fwdAck.has('Route')).toBe(false); // both own values popped
    expect(fwdAck.via()).toHaveLength(2);
    expect(fwdAck.topVia().transport).toBe('TCP');
  });

  it('Record-Routes once with transport=tcp when both sides are TCP', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { stack: proxyStack } = await newProxy();
    const invite = makeRequest('INVITE', `${uas.uri()};transport=tcp`);
    const res = await uac.request(invite, {
      destination: { host: HOST, port: proxyStack.port, transport: 'TCP' },
    });
    expect(res.status).toBe(200);
    expect(uas.received[0].getAll('Record-Route')).toEqual([
      `<sip:${HOST}:${proxyStack.port};transport=tcp;lr>`,
    ]);
  });

  it('loose routing: pops its own Route and sends to the next Route, keeping the Request-URI (§16.4, §16.6 step 7)', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { dest, stack: proxyStack } = await newProxy();
    const req = makeRequest('OPTIONS', 'sip:bob@unresolvable.example', [
      ['Route', `<sip:${HOST}:${proxyStack.port};lr>`],
      ['Route', `<sip:${HOST}:${uas.stack.port};lr>`],
    ]);
    expect((await uac.request(req, { destination: dest })).status).toBe(200);
    expect(uas.received[0].uri).toBe('sip:bob@unresolvable.example');
    expect(uas.received[0].getAll('Route')).toEqual([`<sip:${HOST}:${uas.stack.port};lr>`]);
  });

  it('strict-route fix-up: a Request-URI naming the proxy is replaced by the last Route (§16.4)', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { dest, stack: proxyStack } = await newProxy();
    const req = makeRequest('OPTIONS', `sip:${HOST}:${proxyStack.port}`, [
      ['Route', `<${uas.uri()}>`],
    ]);
    expect((await uac.request(req, { destination: dest })).status).toBe(200);
    expect(uas.received[0].uri).toBe(uas.uri());
    expect(uas.received[0].has('Route')).toBe(false);
  });

  it('strict-route postprocessing: a next Route without lr becomes the Request-URI (§16.6 step 6)', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { dest, stack: proxyStack } = await newProxy();
    const strict = `sip:${HOST}:${uas.stack.port}`;
    const req = makeRequest('OPTIONS', 'sip:bob@far.example', [
      ['Route', `<sip:${HOST}:${proxyStack.port};lr>`],
      ['Route', `<${strict}>`],
    ]);
    expect((await uac.request(req, { destination: dest })).status).toBe(200);
    expect(uas.received[0].uri).toBe(strict);
    expect(uas.received[0].getAll('Route')).toEqual(['<sip:bob@far.example>']);
  });

  it('answers 420 Bad Extension with Unsupported for an unknown Proxy-Require (§16.3 step 5)', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const { dest } = await newProxy({ supported: ['path'] });
    const res = await uac.request(
      makeRequest('OPTIONS', uas.uri(), [['Proxy-Require', 'path, foo']]),
      { destination: dest },
    );
    expect(res.status).toBe(420);
    expect(res.getAll('Unsupported')).toEqual(['foo']);
  });

  it('answers 416 for a Request-URI scheme it does not understand (§16.3 step 2)', async () => {
    const uac = await newStack();
    const { dest } = await newProxy();
    const res = await uac.request(makeRequest('OPTIONS', 'mailto:bob@example.com'), {
      destination: dest,
    });
    expect(res.status).toBe(416);
  });

  it('sends 100 Trying for INVITE (§16.2) and forwards 180 but not the UAS 100', async () => {
    const uac = await newStack();
    const uas = await newUas((req, tx) => {
      if (!tx) return;
      tx.respond(createResponse(req, 100));
      tx.respond(createResponse(req, 180, undefined, { toTag: 'uas-tag' }));
      tx.respond(createResponse(req, 486, undefined, { toTag: 'uas-tag' }));
    });
    const { dest } = await newProxy();
    const provisional: number[] = [];
    const res = await uac.request(makeRequest('INVITE', uas.uri()), {
      destination: dest,
      onProvisional: (r) => provisional.push(r.status),
    });
    expect(res.status).toBe(486);
    // The proxy's own 100, then the UAS's 180 (a slow run may see the 100 again: the proxy
    // answers an INVITE retransmitted over UDP with its last provisional response, §17.2.1).
    expect([...new Set(provisional)]).toEqual([100, 180]);
  });

  it('CANCEL: 200 to the CANCEL, CANCEL forwarded to the pending branch, 487 back (§16.10)', async () => {
    const uac = await newStack();
    const uas = await newUas(ringForever);
    const { dest } = await newProxy();
    const invite = makeRequest('INVITE', uas.uri());
    let cancelStatus = 0;
    let cancelled = false;
    const final = await uac.request(invite, {
      destination: dest,
      onProvisional: (r) => {
        // Once: a 180 retransmitted on a loaded machine must not send a second CANCEL.
        if (r.status !== 180 || cancelled) return;
        cancelled = true;
        void uac
          .request(buildCancel(invite), { destination: dest })
          .then((c) => (cancelStatus = c.status));
      },
    });
    expect(final.status).toBe(487);
    await waitFor(() => cancelStatus !== 0);
    expect(cancelStatus).toBe(200);
    expect(uas.received.map((r) => r.method)).toEqual(['INVITE', 'CANCEL']);
  });

  it('answers 480 for its own URI without targets (§16.5) and 200 to OPTIONS addressed to itself', async () => {
    const uac = await newStack();
    const { dest, stack: proxyStack } = await newProxy();
    const own = `sip:nobody@${HOST}:${proxyStack.port}`;
    expect((await uac.request(makeRequest('MESSAGE', own), { destination: dest })).status).toBe(
      480,
    );
    const ping = makeRequest('OPTIONS', `sip:${HOST}:${proxyStack.port}`);
    expect((await uac.request(ping, { destination: dest })).status).toBe(200);
  });

  it('answers 487 itself when the CANCEL arrives while a processor is still working (§16.10)', async () => {
    const uac = await newStack();
    const uas = await newUas();
    let release: () => void = () => undefined;
    const { dest } = await newProxy({
      processors: [
        {
          name: 'slow-lookup',
          process: async (): Promise<'continue'> => {
            await new Promise<void>((r) => (release = r));
            return 'continue';
          },
        },
      ],
    });
    const invite = makeRequest('INVITE', uas.uri());
    const final = uac.request(invite, { destination: dest });
    await waitFor(() => uac.transactions.clientCount === 1);
    await new Promise((r) => setTimeout(r, 30));
    const cancel = await uac.request(buildCancel(invite), { destination: dest });
    expect(cancel.status).toBe(200);
    release();
    expect((await final).status).toBe(487);
    expect(uas.received).toHaveLength(0);
  });

  it('answers 500 when a processor throws, and keeps serving', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const errors: Error[] = [];
    const { dest } = await newProxy({
      onError: (e) => errors.push(e),
      processors: [
        {
          name: 'buggy',
          process: (pr) => {
            if (pr.request.uri.includes('boom')) throw new Error('processor bug');
            return 'continue';
          },
        },
      ],
    });
    expect(
      (await uac.request(makeRequest('MESSAGE', `sip:boom@${HOST}:1`), { destination: dest }))
        .status,
    ).toBe(500);
    expect(errors.map((e) => e.message)).toEqual(['processor bug']);
    expect(
      (await uac.request(makeRequest('MESSAGE', uas.uri()), { destination: dest })).status,
    ).toBe(200);
  });

  it('answers 481 to a CANCEL that matches nothing', async () => {
    const uac = await newStack();
    const { dest } = await newProxy();
    const res = await uac.request(makeRequest('CANCEL', 'sip:bob@127.0.0.1:9'), {
      destination: dest,
    });
    expect(res.status).toBe(481);
  });

  describe('forking (§16.7 best response)', () => {
    async function fork(b1: Behaviour, b2: Behaviour, method = 'INVITE') {
      const uac = await newStack();
      const uas1 = await newUas(b1);
      const uas2 = await newUas(b2);
      const { dest } = await newProxy({
        processors: [
          {
            name: 'fork',
            process: (pr) => {
              pr.addTarget(uas1.uri());
              pr.addTarget(uas2.uri());
              return 'continue';
            },
          },
        ],
      });
      const res = await uac.request(makeRequest(method, 'sip:bob@forked.example'), {
        destination: dest,
      });
      return { res, uas1, uas2 };
    }

    it('chooses the lowest class (404 over 503)', async () => {
      const { res, uas1, uas2 } = await fork(answer(503), answer(404));
      expect(res.status).toBe(404);
      expect(uas1.received).toHaveLength(1);
      expect(uas2.received).toHaveLength(1);
    });

    it('prefers 401/407 within 4xx and aggregates their challenges (§16.7 steps 6-7)', async () => {
      const { res } = await fork(
        answer(401, [['WWW-Authenticate', 'Digest realm="a.example", nonce="n1"']]),
        answer(407, [['Proxy-Authenticate', 'Digest realm="b.example", nonce="n2"']]),
        'MESSAGE',
      );
      expect([401, 407]).toContain(res.status);
      expect(res.getAll('WWW-Authenticate')).toEqual(['Digest realm="a.example", nonce="n1"']);
      expect(res.getAll('Proxy-Authenticate')).toEqual(['Digest realm="b.example", nonce="n2"']);
    });

    it('turns a lone 503 into 500 (§16.7 step 6)', async () => {
      const { res } = await fork(answer(503), answer(503));
      expect(res.status).toBe(500);
    });

    it('forwards a 2xx at once and cancels the other ringing branch', async () => {
      const { res, uas1, uas2 } = await fork((req, tx, u) => {
        // answer after the other branch has started ringing
        setTimeout(() => answer(200)(req, tx, u), 50);
      }, ringForever);
      expect(res.status).toBe(200);
      await waitFor(() => uas2.received.some((r) => r.method === 'CANCEL'));
      expect(uas1.received.map((r) => r.method)).toEqual(['INVITE']);
    });

    it('on a 6xx cancels the pending branch and forwards the 6xx', async () => {
      const { res, uas2 } = await fork(
        (req, tx, u) => setTimeout(() => answer(600)(req, tx, u), 50),
        ringForever,
      );
      expect(res.status).toBe(600);
      expect(uas2.received.map((r) => r.method)).toEqual(['INVITE', 'CANCEL']);
    });
  });

  it('absorbs retransmissions: the processors and the UAS see a slow request once', async () => {
    const uac = await newStack();
    const uas = await newUas((req, tx, u) => setTimeout(() => answer(200)(req, tx, u), 200)); // > several T1
    let runs = 0;
    const { dest } = await newProxy({
      processors: [{ name: 'count', process: () => (runs++, 'continue') }],
    });
    const sent: number[] = [];
    const req = makeRequest('MESSAGE', uas.uri());
    const original = uac.transportLayer.sendRequest.bind(uac.transportLayer);
    uac.transportLayer.sendRequest = (r, d) => {
      sent.push(Date.now());
      return original(r, d);
    };
    expect((await uac.request(req, { destination: dest })).status).toBe(200);
    expect(sent.length).toBeGreaterThan(2); // the UAC did retransmit (timer E)
    expect(runs).toBe(1);
    expect(uas.received).toHaveLength(1);
  });

  it('synthesises 408 for a branch whose transaction timed out (§16.7, timer F)', async () => {
    const uac = await newStack({ ...FAST, T1: 80 }); // the UAC waits longer than the proxy
    const uas = await newUas(() => undefined);
    const { dest } = await newProxy({}, { ...FAST, T1: 10, T2: 80 });
    let got: SipResponse | undefined;
    let localTimeout = false;
    await new Promise<void>((resolve) => {
      uac.sendRequest(makeRequest('OPTIONS', uas.uri()), dest, {
        receiveResponse: (r) => {
          got = r;
          resolve();
        },
        onRequestTimeout: () => {
          localTimeout = true;
          resolve();
        },
      });
    });
    expect(localTimeout).toBe(false);
    expect(got!.status).toBe(408);
  });

  it('answers 500 when the target cannot be resolved (503 from the branch, §16.7 step 6)', async () => {
    const uac = await newStack();
    const { dest } = await newProxy();
    const res = await uac.request(makeRequest('OPTIONS', 'sip:bob@no-such-host.invalid'), {
      destination: dest,
    });
    expect(res.status).toBe(500);
  });

  it('treats a transport error on a branch as 503 (§16.9) and answers 500 upstream', async () => {
    const uac = await newStack();
    const closed = await newStack();
    const port = closed.port;
    await closed.stop();
    const { dest } = await newProxy({
      processors: [
        {
          name: 'to-closed-tcp-port',
          process: (pr) => {
            pr.addTarget(undefined, { host: HOST, port, transport: 'TCP' });
            return 'continue';
          },
        },
      ],
    });
    const res = await uac.request(makeRequest('OPTIONS', `sip:bob@${HOST}:${port}`), {
      destination: dest,
    });
    expect(res.status).toBe(500);
  });

  it('proxies over IPv6 loopback as well', async () => {
    const v6 = async () => {
      const s = new SipStack({ host: '::1', port: 0, timers: FAST });
      stacks.push(s);
      await s.start();
      return s;
    };
    const uac = await v6();
    const uasStack = await v6();
    uasStack.setHandler({
      onRequest: (req, tx) => tx?.respond(createResponse(req, 200, undefined, { toTag: 't' })),
    });
    const proxyStack = await v6();
    new ProxyCore(proxyStack).attach();
    const res = await uac.request(makeRequest('OPTIONS', `sip:bob@[::1]:${uasStack.port}`), {
      destination: { host: '::1', port: proxyStack.port, transport: 'UDP' },
    });
    expect(res.status).toBe(200);
    expect(res.topVia().received).toBe('::1');
  });

  it('timer C cancels a ringing INVITE branch that never answers (§16.8)', async () => {
    const uac = await newStack();
    const uas = await newUas(ringForever);
    const { dest } = await newProxy({}, { ...FAST, timerC: 150 });
    const res = await uac.request(makeRequest('INVITE', uas.uri()), { destination: dest });
    expect(res.status).toBe(487);
    expect(uas.received.map((r) => r.method)).toEqual(['INVITE', 'CANCEL']);
  });

  /**
   * A UAS that rang and then answered 200, but whose 2xx (and every retransmission of it) was
   * lost on the way: the CANCEL gets 200, the INVITE nothing more.
   */
  const answeredButLost: Behaviour = (req, tx) => {
    if (!tx) return;
    if (req.method === 'INVITE')
      tx.respond(createResponse(req, 180, undefined, { toTag: 'uas-tag' }));
    else tx.respond(createResponse(req, 200));
  };

  it.each([
    ['timer C fired', undefined, 408],
    ['the UAC cancelled', 'cancel', 487],
  ] as const)(
    'a CANCEL that gets no final response for the INVITE within 64*T1 ends the branch (§9.1, %s)',
    async (_what, byUac, status) => {
      const uac = await newStack();
      const uas = await newUas(answeredButLost);
      const { dest, stack: proxyStack } = await newProxy({}, { ...FAST, timerC: 150 });
      const invite = makeRequest('INVITE', uas.uri());
      const final = new Promise<SipResponse>((resolve) =>
        uac.sendRequest(invite, dest, {
          receiveResponse: (r) => {
            if (r.status === 180 && byUac)
              void uac.request(buildCancel(invite), { destination: dest });
            if (r.status >= 200) resolve(r);
          },
        }),
      );
      const res = await Promise.race([
        final,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 4000)),
      ]);
      expect(res?.status).toBe(status);
      expect(uas.received.map((r) => r.method)).toEqual(['INVITE', 'CANCEL']);
      // Nothing is left behind: the proxy's INVITE client transaction was destroyed and its
      // server transaction ends normally (ACK, timer I).
      await waitFor(() => proxyStack.transactions.count === 0, 3000);
    },
  );

  it('lets processors answer locally, rewrite, await async work, and pick an explicit next hop', async () => {
    const uac = await newStack();
    const uas = await newUas();
    const registrar: ProxyProcessor = {
      name: 'registrar',
      process: (pr) => {
        if (pr.method !== 'REGISTER') return 'continue';
        pr.respond(200, undefined, [['Contact', '<sip:alice@127.0.0.1>;expires=60']]);
        return 'stop';
      },
    };
    const diameterLike: ProxyProcessor = {
      name: 'async-lookup',
      process: async (pr): Promise<'continue'> => {
        await new Promise((r) => setTimeout(r, 20)); // stands for a Cx query
        pr.request.prepend('Path', '<sip:term@pcscf.example;lr>');
        pr.addTarget('sip:bob@served.example', uas.dest);
        return 'continue';
      },
    };
    const { dest } = await newProxy({
      processors: [registrar, diameterLike],
      responseProcessors: [(res) => res.append('P-Test', 'seen')],
    });
    const reg = await uac.request(makeRequest('REGISTER', 'sip:ims.example'), {
      destination: dest,
    });
    expect(reg.status).toBe(200);
    expect(reg.contacts()[0].expires).toBe(60);
    expect(uas.received).toHaveLength(0);
    const msg = await uac.request(makeRequest('MESSAGE', 'sip:bob@ims.example'), {
      destination: dest,
    });
    expect(msg.status).toBe(200);
    expect(msg.get('P-Test')).toBe('seen');
    expect(uas.received[0].uri).toBe('sip:bob@served.example');
    expect(uas.received[0].getAll('Path')).toEqual(['<sip:term@pcscf.example;lr>']);
  });
});

describe('targets added after branches failed (§16.7 step 4, onBranchesFailed)', () => {
  /** Silent: never answers anything (a dead application server). */
  const silent: Behaviour = () => undefined;

  async function proxyWith(first: ForwardTarget, hook: BranchesFailedHook) {
    const { dest } = await newProxy({
      processors: [
        {
          name: 'recursing',
          process: (pr) => {
            pr.addForwardTarget(first);
            pr.onBranchesFailed(hook);
            return 'continue';
          },
        },
      ],
    });
    return dest;
  }

  it('forks to the targets a hook returns when every branch failed, and tells it what failed', async () => {
    const uac = await newStack();
    const dead = await newUas(answer(503));
    const alive = await newUas();
    const seen: FailedBranch[][] = [];
    const dest = await proxyWith({ uri: dead.uri(), label: 'first' }, (best, failed) => {
      seen.push(failed);
      expect(best.status).toBe(503);
      return seen.length === 1 ? [{ uri: alive.uri(), label: 'second' }] : undefined;
    });
    const res = await uac.request(makeRequest('INVITE', 'sip:bob@recursing.example'), {
      destination: dest,
    });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0].map((f) => [f.target.label, f.response.status, f.provisional])).toEqual([
      ['first', 503, false],
    ]);
    // The second copy is a new branch of the same context (its own loop-detecting branch id).
    expect(alive.received[0].topVia().branch).toMatch(/\.1$/);
  });

  it('lets the best response go upstream when the hook returns nothing', async () => {
    const uac = await newStack();
    const busy = await newUas(answer(486));
    let calls = 0;
    const dest = await proxyWith({ uri: busy.uri() }, () => {
      calls++;
      return undefined;
    });
    const res = await uac.request(makeRequest('MESSAGE', 'sip:bob@recursing.example'), {
      destination: dest,
    });
    expect(res.status).toBe(486);
    expect(calls).toBe(1);
  });

  it('a hook may answer the request itself', async () => {
    const uac = await newStack();
    const busy = await newUas(answer(404));
    const { dest } = await newProxy({
      processors: [
        {
          name: 'answering-hook',
          process: (pr) => {
            pr.addTarget(busy.uri());
            pr.onBranchesFailed(() => {
              pr.respond(604, 'Does Not Exist Anywhere');
            });
            return 'continue';
          },
        },
      ],
    });
    const res = await uac.request(makeRequest('INVITE', 'sip:bob@recursing.example'), {
      destination: dest,
    });
    expect(res.status).toBe(604);
  });

  it('noAnswer: a silent target is dropped as a 408 after timeoutMs and the hook continues elsewhere', async () => {
    const uac = await newStack();
    const dead = await newUas(silent);
    const alive = await newUas();
    const failures: number[] = [];
    const started = Date.now();
    const dest = await proxyWith({ uri: dead.uri(), noAnswer: { timeoutMs: 150 } }, (_b, f) => {
      failures.push(...f.map((x) => x.response.status));
      return [{ uri: alive.uri() }];
    });
    const res = await uac.request(makeRequest('MESSAGE', 'sip:bob@recursing.example'), {
      destination: dest,
    });
    expect(res.status).toBe(200);
    expect(failures).toEqual([408]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(dead.received.length).toBeGreaterThanOrEqual(1);
    expect(alive.received).toHaveLength(1);
  });

  it('noAnswer: answered() keeps the branch alive past the timeout', async () => {
    const uac = await newStack();
    const slow = await newUas((req, tx, u) => setTimeout(() => answer(202)(req, tx, u), 300));
    let hookCalls = 0;
    const dest = await proxyWith(
      { uri: slow.uri(), noAnswer: { timeoutMs: 100, answered: () => true } },
      () => {
        hookCalls++;
        return undefined;
      },
    );
    const res = await uac.request(makeRequest('MESSAGE', 'sip:bob@recursing.example'), {
      destination: dest,
    });
    expect(res.status).toBe(202);
    expect(hookCalls).toBe(0);
  });

  it('noAnswer: a provisional response stops the timer (a ringing INVITE is not dropped)', async () => {
    const uac = await newStack();
    const ringing = await newUas((req, tx, u) => {
      if (!tx || req.method !== 'INVITE') return;
      tx.respond(createResponse(req, 180, undefined, { toTag: 'uas-tag' }));
      setTimeout(() => answer(200)(req, tx, u), 1300);
    });
    // Generous margins: the 180 must arrive well within timeoutMs even on a loaded machine.
    const dest = await proxyWith({ uri: ringing.uri(), noAnswer: { timeoutMs: 1000 } }, () => {
      throw new Error('must not be called');
    });
    const res = await uac.request(makeRequest('INVITE', 'sip:bob@recursing.example'), {
      destination: dest,
    });
    expect(res.status).toBe(200);
  });

  it('puts a target’s own Route values on top of its copy only (pre-loaded route set)', async () => {
    const uac = await newStack();
    const viaHop = await newUas(answer(200));
    const direct = await newUas(answer(200));
    const { dest } = await newProxy({
      processors: [
        {
          name: 'routes',
          process: (pr) => {
            pr.addForwardTarget({
              uri: 'sip:bob@contact.example',
              routes: [`<sip:hop@${HOST}:${viaHop.stack.port};lr>`, '<sip:next.example;lr>'],
            });
            pr.addTarget(direct.uri());
            return 'continue';
          },
        },
      ],
    });
    const res = await uac.request(makeRequest('MESSAGE', 'sip:bob@ims.example'), {
      destination: dest,
    });
    expect(res.status).toBe(200);
    expect(viaHop.received[0].uri).toBe('sip:bob@contact.example');
    expect(viaHop.received[0].getAll('Route')).toEqual([
      `<sip:hop@${HOST}:${viaHop.stack.port};lr>`,
      '<sip:next.example;lr>',
    ]);
    expect(direct.received[0].has('Route')).toBe(false);
  });
});
