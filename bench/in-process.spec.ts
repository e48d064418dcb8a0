import { createResponse } from '../libs/sip/src/transport/message-api';
import { SipStack } from '../libs/sip/src/stack/sip-stack';
import { MemoryTransport, VirtualClock } from './in-process';
import { headerLines } from './proxy-pipeline.bench';

describe('VirtualClock', () => {
  it('runs timers in due order when advanced, not before', () => {
    const clock = new VirtualClock();
    const ran: string[] = [];
    clock.setTimeout(() => ran.push('b@20'), 20);
    clock.setTimeout(() => ran.push('a@10'), 10);
    clock.advanceTo(9);
    expect(ran).toEqual([]);
    expect(clock.pending).toBe(2);
    clock.advanceTo(25);
    expect(ran).toEqual(['a@10', 'b@20']);
    expect(clock.now).toBe(25);
    expect(clock.pending).toBe(0);
  });

  it('skips cleared timers and runs timers set by callbacks when due in range', () => {
    const clock = new VirtualClock();
    const ran: number[] = [];
    const cleared = clock.setTimeout(() => ran.push(-1), 5);
    clock.setTimeout(() => {
      ran.push(clock.now);
      clock.setTimeout(() => ran.push(clock.now), 0); // 0 ms: the next millisecond
    }, 5);
    clock.clearTimeout(cleared);
    clock.clearTimeout(cleared);
    expect(clock.pending).toBe(1);
    clock.advanceTo(10);
    expect(ran).toEqual([5, 6]);
    expect(clock.pending).toBe(0);
  });
});

describe('MemoryTransport under a SipStack', () => {
  const OPTIONS = Buffer.from(
    'OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\n' +
      'Via: SIP/2.0/UDP 127.0.0.3:5070;branch=z9hG4bK-mem-1\r\n' +
      'Max-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:127.0.0.1:5060>\r\n' +
      'Call-ID: mem-1\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    'latin1',
  );

  it('delivers requests to the stack, hands back what it sends, and its timers follow the clock', async () => {
    const clock = new VirtualClock();
    const transport = new MemoryTransport({ host: '127.0.0.1', port: 5060 });
    const stack = new SipStack({
      host: '127.0.0.1',
      port: 5060,
      transportInstances: [transport],
      clock,
      overload: false,
    });
    let requests = 0;
    stack.setHandler({
      onRequest: (req, tx) => {
        requests++;
        tx?.respond(createResponse(req, 200, undefined, { toTag: 'x' }));
      },
    });
    await stack.start();
    expect(transport.listening).toBe(true);
    expect(stack.port).toBe(5060);

    transport.deliver(OPTIONS, { host: '127.0.0.3', port: 5070 });
    await new Promise((r) => setImmediate(r));
    const sent = transport.take();
    expect(sent).toHaveLength(1);
    expect(sent[0].destination).toMatchObject({ host: '127.0.0.3', port: 5070 });
    const text = sent[0].data.toString('latin1');
    expect(text.startsWith('SIP/2.0 200 OK\r\n')).toBe(true);
    expect(headerLines(text, 'CSeq')).toEqual(['CSeq: 7 OPTIONS']);

    // A retransmission inside Timer J (64*T1 over UDP) gets the same response again, without
    // the TU; after the virtual 32 s it is a new request.
    transport.deliver(OPTIONS, { host: '127.0.0.3', port: 5070 });
    expect(transport.take().map((s) => s.data.toString('latin1'))).toEqual([text]);
    expect(requests).toBe(1);
    expect(stack.transactions.serverCount).toBe(1);
    clock.advanceTo(32_001);
    expect(stack.transactions.serverCount).toBe(0);
    transport.deliver(OPTIONS, { host: '127.0.0.3', port: 5070 });
    await new Promise((r) => setImmediate(r));
    expect(requests).toBe(2);
    await stack.stop();
    expect(transport.listening).toBe(false);
  });
});

describe('headerLines', () => {
  it('picks full-name header lines case-insensitively, in order, from the header section only', () => {
    const text = 'SIP/2.0 200 OK\r\nVia: a\r\nvia: b\r\nVia-X: no\r\nTo: t\r\n\r\nVia: body';
    expect(headerLines(text, 'Via')).toEqual(['Via: a', 'via: b']);
    expect(headerLines(text, 'to')).toEqual(['To: t']);
    expect(headerLines(text, 'From')).toEqual([]);
  });
});
