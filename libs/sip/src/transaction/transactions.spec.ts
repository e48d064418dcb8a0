/**
 * RFC 3261 §17 state machines under a controlled clock (jest fake timers). The transport
 * below the transaction layer is a recording one (unit tests only, like pjsip's loop
 * transport); the real sockets are exercised in the transport, stack and proxy specs.
 */
import {
  createResponse,
  parseMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../transport/message-api';
import { SipTransportError, type Destination } from '../transport/transport';
import type { IncomingContext, SentRequest } from '../transport/transport-layer';
import { InviteClientTransaction } from './invite-client-transaction';
import { InviteServerTransaction } from './invite-server-transaction';
import type { ClientTransaction } from './client-transaction';
import type { ServerTransaction } from './server-transaction';
import type { TransactionTransport } from './transaction';
import { TransactionLayer } from './transaction-layer';
import { TransactionState } from './transaction-state';

const T1 = 500;
const T2 = 4000;
const T4 = 5000;
const TIMER_D = 32000;

class RecordingTransport implements TransactionTransport {
  readonly requests: { at: number; message: SipRequest }[] = [];
  readonly responses: { at: number; message: SipResponse; data: Buffer }[] = [];
  fail = false;
  constructor(readonly reliable: boolean) {}
  async sendRequest(request: SipRequest, destination: Destination): Promise<SentRequest> {
    if (this.fail) throw new SipTransportError('connection refused', destination);
    this.requests.push({ at: Date.now(), message: request.clone() });
    // As the transport layer does: the bytes sent come back with how they left.
    return { destination, reliable: this.reliable, data: Buffer.from(request.toBuffer()) };
  }
  async sendResponse(
    response: SipResponse,
    _context: IncomingContext,
    data?: Buffer,
  ): Promise<void> {
    if (this.fail) throw new SipTransportError('connection refused');
    // As the transport layer does: the response is serialized unless its bytes come along.
    this.responses.push({
      at: Date.now(),
      message: response.clone(),
      data: data ?? response.toBuffer(),
    });
  }
}

const UDP: Destination = { host: '127.0.0.1', port: 5070, transport: 'UDP' };
const TCP: Destination = { host: '127.0.0.1', port: 5070, transport: 'TCP' };

function ctx(reliable: boolean): IncomingContext {
  return {
    source: { host: '127.0.0.1', port: 5080, transport: reliable ? 'TCP' : 'UDP' },
    local: { host: '127.0.0.1', port: 5070 },
    reliable,
  };
}

function request(
  method: string,
  opts: { branch?: string; cseqMethod?: string; toTag?: string; route?: string; uri?: string } = {},
): SipRequest {
  const branch = opts.branch ?? 'z9hG4bK776asdhds';
  const lines = [
    `${method} ${opts.uri ?? 'sip:bob@biloxi.com'} SIP/2.0`,
    `Via: SIP/2.0/UDP pc33.atlanta.com;branch=${branch}`,
    'Max-Forwards: 70',
    `To: Bob <sip:bob@biloxi.com>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
    'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.atlanta.com',
    `CSeq: 314159 ${opts.cseqMethod ?? method}`,
    ...(opts.route ? [`Route: ${opts.route}`] : []),
    'Content-Length: 0',
    '',
    '',
  ];
  return parseMessage(lines.join('\r\n')) as SipRequest;
}

/** A response as the far end would send it (To tag added for non-100). */
function responseTo(req: SipRequest, status: number): SipResponse {
  return createResponse(req, status, undefined, status > 100 ? { toTag: 'a6c85cf' } : {});
}

function reparse<T extends SipMessage>(m: T): T {
  return parseMessage(m.toBuffer()) as T;
}

function setup(reliable = false) {
  const transport = new RecordingTransport(reliable);
  const layer = new TransactionLayer(transport);
  const tu = {
    requests: [] as [SipRequest, ServerTransaction | undefined][],
    stray: [] as SipResponse[],
  };
  layer.setUser({
    onRequest: (r, tx) => tu.requests.push([r, tx]),
    onStrayResponse: (r) => tu.stray.push(r),
  });
  return { transport, layer, tu };
}

function clientEvents() {
  const events = { responses: [] as number[], timeouts: 0, transportErrors: 0, terminated: 0 };
  return {
    events,
    user: {
      receiveResponse: (r: SipResponse) => events.responses.push(r.status),
      onRequestTimeout: () => events.timeouts++,
      onTransportError: () => events.transportErrors++,
      onTerminated: () => events.terminated++,
    },
  };
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]);
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('RFC 3261 §17.1.1 INVITE client transaction (Figure 5)', () => {
  it('retransmits in Calling with timer A doubling (T1, 2T1, 4T1, ...) until timer B (64*T1)', async () => {
    const { transport, layer } = setup();
    const { events, user } = clientEvents();
    const tx = layer.sendRequest(request('INVITE'), UDP, user);
    expect(tx).toBeInstanceOf(InviteClientTransaction);
    expect(tx.state).toBe(TransactionState.Calling);
    await jest.advanceTimersByTimeAsync(64 * T1 - 1);
    const times = transport.requests.map((r) => r.at);
    expect(gaps(times)).toEqual([T1, 2 * T1, 4 * T1, 8 * T1, 16 * T1, 32 * T1]);
    expect(events.timeouts).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(events.timeouts).toBe(1);
    expect(tx.state).toBe(TransactionState.Terminated);
    expect(layer.count).toBe(0);
  });

  it('does not retransmit over a reliable transport; timer B still fires', async () => {
    const { transport, layer } = setup(true);
    const { events, user } = clientEvents();
    layer.sendRequest(request('INVITE'), TCP, user);
    await jest.advanceTimersByTimeAsync(64 * T1);
    expect(transport.requests).toHaveLength(1);
    expect(events.timeouts).toBe(1);
  });

  it('stops retransmitting on a provisional response (Calling -> Proceeding)', async () => {
    const { transport, layer } = setup();
    const { events, user } = clientEvents();
    const req = request('INVITE');
    const tx = layer.sendRequest(req, UDP, user);
    await jest.advanceTimersByTimeAsync(T1); // one retransmission
    layer.onResponse(reparse(responseTo(req, 180)), ctx(false));
    expect(tx.state).toBe(TransactionState.Proceeding);
    await jest.advanceTimersByTimeAsync(64 * T1 * 2);
    expect(transport.requests).toHaveLength(2);
    expect(events.responses).toEqual([180]);
    expect(events.timeouts).toBe(0);
  });

  describe.each([300, 302, 404, 486, 487, 500, 503, 600, 603])('final response %i', (status) => {
    it('moves to Completed, builds the ACK itself (§17.1.1.3), re-ACKs retransmissions, ends on timer D', async () => {
      const { transport, layer } = setup();
      const { events, user } = clientEvents();
      const req = request('INVITE', { route: '<sip:proxy.atlanta.com;lr>' });
      const tx = layer.sendRequest(req, UDP, user) as InviteClientTransaction;
      await jest.advanceTimersByTimeAsync(0);
      const final = reparse(responseTo(req, status));
      layer.onResponse(final, ctx(false));
      await jest.advanceTimersByTimeAsync(0);
      expect(tx.state).toBe(TransactionState.Completed);
      expect(events.responses).toEqual([status]);
      const acks = transport.requests.filter((r) => r.message.method === 'ACK');
      expect(acks).toHaveLength(1);
      const ack = reparse(acks[0].message);
      expect(ack.uri).toBe(req.uri);
      expect(ack.getAll('Via')).toEqual([req.getAll('Via')[0]]);
      expect(ack.callId()).toBe(req.callId());
      expect(ack.get('From')).toBe(req.get('From'));
      expect(ack.to().tag).toBe('a6c85cf');
      expect(ack.cseq()).toEqual({ seq: 314159, method: 'ACK' });
      expect(ack.getAll('Route')).toEqual(['<sip:proxy.atlanta.com;lr>']);
      // A retransmitted final response is answered with the same ACK, not passed up.
      layer.onResponse(reparse(final), ctx(false));
      await jest.advanceTimersByTimeAsync(0);
      expect(transport.requests.filter((r) => r.message.method === 'ACK')).toHaveLength(2);
      expect(events.responses).toEqual([status]);
      // No more INVITE retransmissions in Completed.
      const invites = transport.requests.filter((r) => r.message.method === 'INVITE').length;
      await jest.advanceTimersByTimeAsync(TIMER_D - 1);
      expect(transport.requests.filter((r) => r.message.method === 'INVITE')).toHaveLength(invites);
      expect(tx.state).toBe(TransactionState.Completed);
      await jest.advanceTimersByTimeAsync(1);
      expect(tx.state).toBe(TransactionState.Terminated);
      expect(layer.count).toBe(0);
    });

    it('over a reliable transport sets timer D to zero', async () => {
      const { layer } = setup(true);
      const req = request('INVITE');
      const tx = layer.sendRequest(req, TCP, {});
      await jest.advanceTimersByTimeAsync(0);
      layer.onResponse(reparse(responseTo(req, status)), ctx(true));
      await jest.advanceTimersByTimeAsync(0);
      expect(tx.state).toBe(TransactionState.Terminated);
    });
  });

  describe.each([200, 202])('2xx response %i', (status) => {
    it('passes every 2xx to the TU without ACK (the TU ACKs), Accepted until timer M (RFC 6026)', async () => {
      const { transport, layer } = setup();
      const { events, user } = clientEvents();
      const req = request('INVITE');
      const tx = layer.sendRequest(req, UDP, user);
      await jest.advanceTimersByTimeAsync(0);
      layer.onResponse(reparse(responseTo(req, 180)), ctx(false));
      layer.onResponse(reparse(responseTo(req, status)), ctx(false));
      expect(events.responses).toEqual([180, status]);
      expect(tx.state).toBe(TransactionState.Accepted);
      // A retransmitted 2xx still reaches the TU; a stray 3xx does not.
      layer.onResponse(reparse(responseTo(req, status)), ctx(false));
      layer.onResponse(reparse(responseTo(req, 486)), ctx(false));
      expect(events.responses).toEqual([180, status, status]);
      expect(transport.requests.map((r) => r.message.method)).toEqual(['INVITE']);
      await jest.advanceTimersByTimeAsync(64 * T1 - 1);
      expect(tx.state).toBe(TransactionState.Accepted);
      expect(transport.requests).toHaveLength(1); // no retransmission in Accepted
      await jest.advanceTimersByTimeAsync(1);
      expect(tx.state).toBe(TransactionState.Terminated);
      expect(layer.count).toBe(0);
    });
  });

  it('reports a transport error to the TU and terminates (§17.1.4)', async () => {
    const { transport, layer } = setup();
    transport.fail = true;
    const { events, user } = clientEvents();
    const tx = layer.sendRequest(request('INVITE'), UDP, user);
    await jest.advanceTimersByTimeAsync(0);
    expect(events.transportErrors).toBe(1);
    expect(tx.state).toBe(TransactionState.Terminated);
    expect(layer.count).toBe(0);
  });
});

describe('RFC 3261 §17.1.2 non-INVITE client transaction (Figure 6)', () => {
  it('retransmits with timer E = MIN(2^n*T1, T2) in Trying until timer F (64*T1)', async () => {
    const { transport, layer } = setup();
    const { events, user } = clientEvents();
    const tx = layer.sendRequest(request('OPTIONS'), UDP, user);
    expect(tx.state).toBe(TransactionState.Trying);
    await jest.advanceTimersByTimeAsync(64 * T1 - 1);
    const intervals = gaps(transport.requests.map((r) => r.at));
    expect(intervals.slice(0, 5)).toEqual([T1, 2 * T1, 4 * T1, T2, T2]);
    expect(intervals.every((g) => g <= T2)).toBe(true);
    expect(events.timeouts).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(events.timeouts).toBe(1);
    expect(tx.state).toBe(TransactionState.Terminated);
  });

  it('retransmits every T2 in Proceeding', async () => {
    const { transport, layer } = setup();
    const req = request('REGISTER', { uri: 'sip:registrar.biloxi.com' });
    const tx = layer.sendRequest(req, UDP, {});
    await jest.advanceTimersByTimeAsync(0);
    layer.onResponse(reparse(responseTo(req, 100)), ctx(false));
    expect(tx.state).toBe(TransactionState.Proceeding);
    const before = transport.requests.length;
    await jest.advanceTimersByTimeAsync(3 * T2);
    const later = transport.requests.slice(before).map((r) => r.at);
    expect(later.length).toBeGreaterThanOrEqual(2);
    expect(gaps(later).every((g) => g === T2)).toBe(true);
  });

  it('does not retransmit over a reliable transport', async () => {
    const { transport, layer } = setup(true);
    layer.sendRequest(request('OPTIONS'), TCP, {});
    await jest.advanceTimersByTimeAsync(64 * T1);
    expect(transport.requests).toHaveLength(1);
  });

  describe.each([200, 202, 401, 404, 500, 603])('final response %i', (status) => {
    it('moves to Completed, absorbs retransmissions, ends on timer K (T4)', async () => {
      const { transport, layer } = setup();
      const { events, user } = clientEvents();
      const req = request('OPTIONS');
      const tx = layer.sendRequest(req, UDP, user);
      await jest.advanceTimersByTimeAsync(0);
      const final = reparse(responseTo(req, status));
      layer.onResponse(final, ctx(false));
      layer.onResponse(reparse(final), ctx(false));
      expect(tx.state).toBe(TransactionState.Completed);
      expect(events.responses).toEqual([status]);
      await jest.advanceTimersByTimeAsync(T4 - 1);
      expect(transport.requests).toHaveLength(1);
      expect(tx.state).toBe(TransactionState.Completed);
      await jest.advanceTimersByTimeAsync(1);
      expect(tx.state).toBe(TransactionState.Terminated);
      expect(events.terminated).toBe(1);
    });

    it('lets go of its TU while Completed over UDP, keeping onTerminated and the request as the bytes sent', async () => {
      const { transport, layer } = setup();
      const { events, user } = clientEvents();
      const req = request('OPTIONS');
      const tx = layer.sendRequest(req, UDP, user);
      await jest.advanceTimersByTimeAsync(0);
      expect(tx.request).toBe(req);
      layer.onResponse(reparse(responseTo(req, status)), ctx(false));
      expect(events.responses).toEqual([status]);
      // RFC 3261 §17.1.2.2: nothing more goes to the TU in Completed, so nothing of it is kept
      // (a proxy's callbacks hold its whole response context) but the end notification.
      const kept = (tx as unknown as { user: object }).user;
      expect(Object.keys(kept)).toEqual(['onTerminated']);
      expect(tx.lastResponse).toBeUndefined();
      expect(tx.request).not.toBe(req);
      expect(tx.request).not.toBe(tx.request);
      expect(tx.request.toBuffer().toString()).toBe(
        transport.requests[0].message.toBuffer().toString(),
      );
      expect(tx.branch).toBe('z9hG4bK776asdhds');
      await jest.advanceTimersByTimeAsync(T4);
      expect(events.terminated).toBe(1);
    });

    it('over a reliable transport sets timer K to zero', async () => {
      const { layer } = setup(true);
      const req = request('OPTIONS');
      const tx = layer.sendRequest(req, TCP, {});
      await jest.advanceTimersByTimeAsync(0);
      layer.onResponse(reparse(responseTo(req, status)), ctx(true));
      await jest.advanceTimersByTimeAsync(0);
      expect(tx.state).toBe(TransactionState.Terminated);
    });
  });

  it("matches responses by branch and CSeq method (§17.1.3): the 200 to a CANCEL is not the INVITE's", async () => {
    const { layer, tu } = setup();
    const { events, user } = clientEvents();
    const invite = request('INVITE');
    layer.sendRequest(invite, UDP, user);
    await jest.advanceTimersByTimeAsync(0);
    const cancel = request('CANCEL'); // same branch, method CANCEL
    layer.onResponse(reparse(responseTo(cancel, 200)), ctx(false));
    expect(events.responses).toEqual([]);
    expect(tu.stray.map((r) => r.status)).toEqual([200]);
    const other = request('INVITE', { branch: 'z9hG4bKother' });
    layer.onResponse(reparse(responseTo(other, 180)), ctx(false));
    expect(events.responses).toEqual([]);
  });
});

describe('RFC 3261 §17.2.1 INVITE server transaction (Figure 7)', () => {
  function receiveInvite(
    layer: TransactionLayer,
    tu: ReturnType<typeof setup>['tu'],
    reliable = false,
  ) {
    const invite = request('INVITE');
    layer.onRequest(invite, ctx(reliable));
    const tx = tu.requests[tu.requests.length - 1][1] as InviteServerTransaction;
    return { invite, tx };
  }

  it('sends 100 Trying when the TU is silent for 200 ms', async () => {
    const { transport, layer, tu } = setup();
    const { tx } = receiveInvite(layer, tu);
    expect(tx).toBeInstanceOf(InviteServerTransaction);
    expect(tx.state).toBe(TransactionState.Proceeding);
    await jest.advanceTimersByTimeAsync(199);
    expect(transport.responses).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(transport.responses.map((r) => r.message.status)).toEqual([100]);
  });

  it('does not send 100 Trying when the TU answers within 200 ms', async () => {
    const { transport, layer, tu } = setup();
    const { invite, tx } = receiveInvite(layer, tu);
    tx.respond(responseTo(invite, 180));
    await jest.advanceTimersByTimeAsync(1000);
    expect(transport.responses.map((r) => r.message.status)).toEqual([180]);
  });

  it('absorbs a retransmitted INVITE in Proceeding by re-sending the last provisional', async () => {
    const { transport, layer, tu } = setup();
    const { invite, tx } = receiveInvite(layer, tu);
    tx.respond(responseTo(invite, 180));
    layer.onRequest(reparse(invite), ctx(false));
    await jest.advanceTimersByTimeAsync(0);
    expect(tu.requests).toHaveLength(1);
    expect(transport.responses.map((r) => r.message.status)).toEqual([180, 180]);
  });

  describe.each([300, 404, 486, 500, 600])('final response %i', (status) => {
    it('retransmits with timer G (T1, 2T1, ... capped at T2) until timer H (64*T1) signals a timeout', async () => {
      const { transport, layer, tu } = setup();
      const { invite, tx } = receiveInvite(layer, tu);
      let timeouts = 0;
      tx.user = { onTimeout: () => timeouts++ };
      tx.respond(responseTo(invite, status));
      expect(tx.state).toBe(TransactionState.Completed);
      await jest.advanceTimersByTimeAsync(64 * T1 - 1);
      const intervals = gaps(transport.responses.map((r) => r.at));
      expect(intervals.slice(0, 5)).toEqual([T1, 2 * T1, 4 * T1, T2, T2]);
      expect(timeouts).toBe(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(timeouts).toBe(1);
      expect(tx.state).toBe(TransactionState.Terminated);
      expect(layer.count).toBe(0);
    });

    it('re-sends the final response on a retransmitted INVITE; the ACK confirms; timer I (T4) ends it', async () => {
      const { transport, layer, tu } = setup();
      const { invite, tx } = receiveInvite(layer, tu);
      tx.respond(responseTo(invite, status));
      layer.onRequest(reparse(invite), ctx(false));
      await jest.advanceTimersByTimeAsync(0);
      expect(transport.responses.map((r) => r.message.status)).toEqual([status, status]);
      // The ACK carries the same branch (non-2xx ACK is hop-by-hop, §17.1.1.3).
      layer.onRequest(request('ACK', { cseqMethod: 'ACK', toTag: 'a6c85cf' }), ctx(false));
      expect(tx.state).toBe(TransactionState.Confirmed);
      expect(tu.requests).toHaveLength(1);
      const sent = transport.responses.length;
      await jest.advanceTimersByTimeAsync(T4 - 1);
      expect(transport.responses).toHaveLength(sent); // G stopped
      expect(tx.state).toBe(TransactionState.Confirmed);
      layer.onRequest(request('ACK', { cseqMethod: 'ACK', toTag: 'a6c85cf' }), ctx(false)); // absorbed
      expect(tu.requests).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(tx.state).toBe(TransactionState.Terminated);
    });

    it('over a reliable transport does not retransmit and sets timer I to zero', async () => {
      const { transport, layer, tu } = setup(true);
      const { invite, tx } = receiveInvite(layer, tu, true);
      tx.respond(responseTo(invite, status));
      await jest.advanceTimersByTimeAsync(10 * T1);
      expect(transport.responses).toHaveLength(1);
      layer.onRequest(request('ACK', { cseqMethod: 'ACK', toTag: 'a6c85cf' }), ctx(true));
      await jest.advanceTimersByTimeAsync(0);
      expect(tx.state).toBe(TransactionState.Terminated);
    });
  });

  it('on a 2xx enters Accepted (RFC 6026): absorbs the INVITE, passes TU 2xx retransmissions, ends on timer L', async () => {
    const { transport, layer, tu } = setup();
    const { invite, tx } = receiveInvite(layer, tu);
    tx.respond(responseTo(invite, 200));
    expect(tx.state).toBe(TransactionState.Accepted);
    layer.onRequest(reparse(invite), ctx(false)); // retransmitted INVITE: not a new request
    await jest.advanceTimersByTimeAsync(0);
    expect(tu.requests).toHaveLength(1);
    expect(transport.responses).toHaveLength(1); // nothing re-sent by the transaction itself
    tx.respond(responseTo(invite, 200)); // the TU's own 2xx retransmission (§13.3.1.4)
    await jest.advanceTimersByTimeAsync(0);
    expect(transport.responses.map((r) => r.message.status)).toEqual([200, 200]);
    // The ACK for the 2xx carries a new branch: it goes to the TU without transaction.
    layer.onRequest(
      request('ACK', { branch: 'z9hG4bKnewack', cseqMethod: 'ACK', toTag: 'a6c85cf' }),
      ctx(false),
    );
    expect(tu.requests.map(([r, t]) => [r.method, t])).toEqual([
      ['INVITE', tx],
      ['ACK', undefined],
    ]);
    await jest.advanceTimersByTimeAsync(64 * T1 - 1);
    expect(tx.state).toBe(TransactionState.Accepted);
    await jest.advanceTimersByTimeAsync(1);
    expect(tx.state).toBe(TransactionState.Terminated);
    expect(layer.count).toBe(0);
  });

  it('reports a transport error to the TU and terminates (§17.2.4)', async () => {
    const { transport, layer, tu } = setup();
    const { invite, tx } = receiveInvite(layer, tu);
    let errors = 0;
    tx.user = { onTransportError: () => errors++ };
    transport.fail = true;
    tx.respond(responseTo(invite, 486));
    await jest.advanceTimersByTimeAsync(0);
    expect(errors).toBe(1);
    expect(tx.state).toBe(TransactionState.Terminated);
  });
});

describe('RFC 3261 §17.2.2 non-INVITE server transaction (Figure 8)', () => {
  function receive(layer: TransactionLayer, tu: ReturnType<typeof setup>['tu'], reliable = false) {
    const req = request('OPTIONS');
    layer.onRequest(req, ctx(reliable));
    return { req, tx: tu.requests[tu.requests.length - 1][1]! };
  }

  it('discards retransmissions in Trying', async () => {
    const { transport, layer, tu } = setup();
    const { req, tx } = receive(layer, tu);
    layer.onRequest(reparse(req), ctx(false));
    await jest.advanceTimersByTimeAsync(0);
    expect(tx.state).toBe(TransactionState.Trying);
    expect(tu.requests).toHaveLength(1);
    expect(transport.responses).toHaveLength(0);
  });

  it('re-sends the last provisional in Proceeding', async () => {
    const { transport, layer, tu } = setup();
    const { req, tx } = receive(layer, tu);
    tx.respond(responseTo(req, 100));
    expect(tx.state).toBe(TransactionState.Proceeding);
    layer.onRequest(reparse(req), ctx(false));
    await jest.advanceTimersByTimeAsync(0);
    expect(transport.responses.map((r) => r.message.status)).toEqual([100, 100]);
  });

  describe.each([200, 401, 404, 503])('final response %i', (status) => {
    it('re-sends the final response for retransmissions and ends on timer J (64*T1)', async () => {
      const { transport, layer, tu } = setup();
      const { req, tx } = receive(layer, tu);
      tx.respond(responseTo(req, status));
      expect(tx.state).toBe(TransactionState.Completed);
      layer.onRequest(reparse(req), ctx(false));
      await jest.advanceTimersByTimeAsync(0);
      expect(transport.responses.map((r) => r.message.status)).toEqual([status, status]);
      expect(tu.requests).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(64 * T1 - 1);
      expect(tx.state).toBe(TransactionState.Completed);
      expect(transport.responses).toHaveLength(2); // no retransmission of its own
      await jest.advanceTimersByTimeAsync(1);
      expect(tx.state).toBe(TransactionState.Terminated);
      expect(layer.count).toBe(0);
    });

    it('tells the TU once it is Completed (onCompleted, before onTerminated)', async () => {
      const { layer, tu } = setup();
      const { req, tx } = receive(layer, tu);
      const events: string[] = [];
      tx.user = {
        onCompleted: () => events.push(`completed ${tx.state}`),
        onTerminated: () => events.push('terminated'),
      };
      tx.respond(responseTo(req, 100));
      expect(events).toEqual([]);
      tx.respond(responseTo(req, status));
      expect(events).toEqual(['completed Completed']);
      tx.respond(responseTo(req, status)); // a second final is ignored, and not reported
      await jest.advanceTimersByTimeAsync(64 * T1);
      expect(events).toEqual(['completed Completed', 'terminated']);
    });

    it('keeps only the bytes of the request and the final while Completed over UDP', async () => {
      const { transport, layer, tu } = setup();
      const { req, tx } = receive(layer, tu);
      req.append('X-Stamp', 'set by the TU before the answer');
      const final = responseTo(req, status);
      final.append('X-Final', 'kept');
      const serialize = jest.spyOn(Object.getPrototypeOf(final) as SipResponse, 'toBuffer');
      tx.respond(final);
      // Serialized once: the bytes handed to the transport are the bytes kept.
      expect(serialize).toHaveBeenCalledTimes(1);
      serialize.mockRestore();
      // New parses of the same bytes, not the objects the TU handed over.
      expect(tx.request).not.toBe(req);
      expect(tx.request.toBuffer().equals(req.toBuffer())).toBe(true);
      expect(tx.request.get('X-Stamp')).toBe('set by the TU before the answer');
      expect(tx.method).toBe('OPTIONS');
      expect(tx.lastResponse).not.toBe(final);
      expect(tx.lastResponse?.status).toBe(status);
      expect(tx.hasFinalResponse).toBe(true);
      // A retransmission gets the final byte for byte.
      layer.onRequest(reparse(req), ctx(false));
      await jest.advanceTimersByTimeAsync(0);
      const [first, again] = transport.responses.map((r) => r.message.toBuffer());
      expect(again.equals(first)).toBe(true);
      expect(again.equals(final.toBuffer())).toBe(true);
    });

    it('keeps the objects while Proceeding (the TU may still answer)', () => {
      const { layer, tu } = setup();
      const { req, tx } = receive(layer, tu);
      const trying = responseTo(req, 100);
      tx.respond(trying);
      expect(tx.request).toBe(req);
      expect(tx.lastResponse).toBe(trying);
      expect(tx.hasFinalResponse).toBe(false);
    });

    it('over a reliable transport sets timer J to zero', async () => {
      const { layer, tu } = setup(true);
      const { req, tx } = receive(layer, tu, true);
      tx.respond(responseTo(req, status));
      await jest.advanceTimersByTimeAsync(0);
      expect(tx.state).toBe(TransactionState.Terminated);
    });
  });
});

describe('RFC 3261 §17.2.3 matching requests to server transactions', () => {
  it('tells transactions apart by branch, sent-by and method', () => {
    const { layer, tu } = setup();
    layer.onRequest(request('OPTIONS'), ctx(false));
    layer.onRequest(request('OPTIONS', { branch: 'z9hG4bKsecond' }), ctx(false));
    const otherSentBy = request('OPTIONS');
    otherSentBy.set('Via', 'SIP/2.0/UDP pc34.atlanta.com;branch=z9hG4bK776asdhds');
    layer.onRequest(otherSentBy, ctx(false));
    layer.onRequest(request('INFO', { branch: 'z9hG4bK776asdhds' }), ctx(false));
    expect(tu.requests).toHaveLength(4);
    expect(layer.serverCount).toBe(4);
  });

  it('finds the INVITE server transaction a CANCEL refers to (§9.2)', () => {
    const { layer, tu } = setup();
    layer.onRequest(request('INVITE'), ctx(false));
    const inviteTx = tu.requests[0][1];
    const cancel = request('CANCEL');
    layer.onRequest(cancel, ctx(false));
    expect(tu.requests[1][1]).not.toBe(inviteTx); // CANCEL has its own transaction
    expect(layer.findInviteServerTransactionForCancel(cancel)).toBe(inviteTx);
    expect(
      layer.findInviteServerTransactionForCancel(request('CANCEL', { branch: 'z9hG4bKnomatch' })),
    ).toBeUndefined();
  });

  describe('RFC 2543 fallback (branch without the magic cookie)', () => {
    const old = (method: string, o: { toTag?: string; cseqMethod?: string; uri?: string } = {}) =>
      request(method, { branch: '0x1234', ...o });

    it('matches a retransmission by Request-URI, tags, Call-ID, CSeq and top Via', async () => {
      const { transport, layer, tu } = setup();
      layer.onRequest(old('INVITE'), ctx(false));
      const tx = tu.requests[0][1]!;
      tx.respond(responseTo(old('INVITE'), 486));
      layer.onRequest(old('INVITE'), ctx(false));
      await jest.advanceTimersByTimeAsync(0);
      expect(tu.requests).toHaveLength(1);
      expect(transport.responses.map((r) => r.message.status)).toEqual([486, 486]);
      // A different Request-URI is another transaction.
      layer.onRequest(old('INVITE', { uri: 'sip:carol@biloxi.com' }), ctx(false));
      expect(tu.requests).toHaveLength(2);
    });

    it('matches the ACK whose To tag equals the tag of the response sent', () => {
      const { layer, tu } = setup();
      layer.onRequest(old('INVITE'), ctx(false));
      const tx = tu.requests[0][1]!;
      tx.respond(responseTo(old('INVITE'), 486));
      layer.onRequest(old('ACK', { cseqMethod: 'ACK', toTag: 'wrong' }), ctx(false));
      expect(tx.state).toBe(TransactionState.Completed);
      expect(tu.requests.map(([r]) => r.method)).toEqual(['INVITE', 'ACK']); // unmatched -> TU
      layer.onRequest(old('ACK', { cseqMethod: 'ACK', toTag: 'a6c85cf' }), ctx(false));
      expect(tx.state).toBe(TransactionState.Confirmed);
    });

    it('finds the INVITE for a CANCEL without cookie', () => {
      const { layer, tu } = setup();
      layer.onRequest(old('INVITE'), ctx(false));
      expect(layer.findInviteServerTransactionForCancel(old('CANCEL'))).toBe(tu.requests[0][1]);
    });
  });
});

describe('TU exceptions', () => {
  it('an exception thrown by the TU from a timer is reported, not thrown, and the transaction still ends', async () => {
    const transport = new RecordingTransport(false);
    const errors: Error[] = [];
    const layer = new TransactionLayer(transport, { onError: (e) => errors.push(e) });
    const tx = layer.sendRequest(request('OPTIONS'), UDP, {
      onRequestTimeout: () => {
        throw new Error('TU bug');
      },
    });
    await jest.advanceTimersByTimeAsync(64 * T1);
    expect(errors.map((e) => e.message)).toEqual(['TU bug']);
    expect(tx.state).toBe(TransactionState.Terminated);
    expect(layer.count).toBe(0);
  });
});

describe('transaction table', () => {
  it('drains to zero once every transaction has terminated', async () => {
    const { layer, tu } = setup();
    const clients: ClientTransaction[] = [];
    for (let i = 0; i < 5; i++)
      clients.push(layer.sendRequest(request('OPTIONS', { branch: `z9hG4bKc${i}` }), UDP, {}));
    for (let i = 0; i < 5; i++)
      layer.onRequest(request('MESSAGE', { branch: `z9hG4bKs${i}` }), ctx(false));
    expect(layer.count).toBe(10);
    for (const [r, tx] of tu.requests) tx!.respond(responseTo(r, 200));
    await jest.advanceTimersByTimeAsync(64 * T1);
    expect(layer.count).toBe(0);
    expect(clients.every((c) => c.state === TransactionState.Terminated)).toBe(true);
  });
});
