import { SipFramingError, SipStreamFramer } from './stream-framer';

const msg1 =
  'INVITE sip:bob@example.com SIP/2.0\r\n' +
  'Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1\r\n' +
  'Call-ID: a\r\nCSeq: 1 INVITE\r\n' +
  'Content-Length: 5\r\n\r\nhello';
const msg2 =
  'SIP/2.0 200 OK\r\n' + 'Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1\r\n' + 'l: 0\r\n\r\n';

function collect(options = {}) {
  const out = { messages: [] as string[], pings: 0, pongs: 0, errors: [] as SipFramingError[] };
  const framer = new SipStreamFramer(
    {
      message: (b) => out.messages.push(b.toString()),
      ping: () => out.pings++,
      pong: () => out.pongs++,
      error: (e) => out.errors.push(e),
    },
    options,
  );
  return { framer, out };
}

describe('SipStreamFramer (RFC 3261 §18.3 framing by Content-Length)', () => {
  it('frames two messages arriving in one chunk', () => {
    const { framer, out } = collect();
    framer.push(Buffer.from(msg1 + msg2));
    expect(out.messages).toEqual([msg1, msg2]);
    expect(framer.pending).toBe(0);
  });

  it('frames a two-message chunk cut at every byte boundary', () => {
    const whole = Buffer.from(msg1 + msg2);
    for (let cut = 0; cut <= whole.length; cut++) {
      const { framer, out } = collect();
      framer.push(whole.subarray(0, cut));
      framer.push(whole.subarray(cut));
      expect(out.messages).toEqual([msg1, msg2]);
      expect(out.errors).toEqual([]);
    }
  });

  it('frames a message delivered one byte at a time', () => {
    const { framer, out } = collect();
    for (const byte of Buffer.from(msg1 + msg2)) framer.push(Buffer.from([byte]));
    expect(out.messages).toEqual([msg1, msg2]);
  });

  it('keeps the body bytes exact, including CRLFCRLF inside the body', () => {
    const body = '\r\n\r\nxx\r\n';
    const m = `MESSAGE sip:a@b SIP/2.0\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const { framer, out } = collect();
    framer.push(Buffer.from(m + m));
    expect(out.messages).toEqual([m, m]);
  });

  it('reads Content-Length in any case, compact, with space before the colon, folded, among look-alikes', () => {
    const body = 'abcdef';
    for (const header of [
      'content-length: 6',
      'CONTENT-LENGTH:6',
      'L : 6',
      'Content-Length:\r\n 6',
      'Content-Length: \r\n\t6 ',
    ]) {
      const text =
        'MESSAGE sip:a@b SIP/2.0\r\nCall-ID: c\r\nContent-Type: text/plain\r\n' +
        `Contact: <sip:l@b>\r\nLocation: x\r\n${header}\r\nCSeq: 1 MESSAGE\r\n\r\n${body}`;
      const { framer, out } = collect();
      framer.push(Buffer.from(text + msg2));
      expect(out.errors).toEqual([]);
      expect(out.messages).toEqual([text, msg2]);
    }
  });

  describe('RFC 5626 §3.5.1 CRLF keep-alive', () => {
    it('reports CRLFCRLF as a ping and CRLF as a pong between messages', () => {
      const { framer, out } = collect();
      framer.push(Buffer.from('\r\n\r\n' + msg2 + '\r\n' + msg2));
      expect(out.pings).toBe(1);
      expect(out.pongs).toBe(1);
      expect(out.messages).toEqual([msg2, msg2]);
    });

    it('recognises a ping split across two chunks', () => {
      const { framer, out } = collect();
      framer.push(Buffer.from('\r\n\r'));
      expect(out.pings).toBe(0);
      framer.push(Buffer.from('\n'));
      expect(out.pings).toBe(1);
    });
  });

  describe('errors close the stream', () => {
    it('rejects a message without Content-Length', () => {
      const { framer, out } = collect();
      framer.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n'));
      expect(out.errors).toHaveLength(1);
      expect(out.errors[0].statusCode).toBe(400);
      expect(out.errors[0].message).toMatch(/Content-Length/);
      framer.push(Buffer.from(msg2));
      expect(out.messages).toEqual([]);
    });

    it('rejects a malformed Content-Length', () => {
      const { framer, out } = collect();
      framer.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -3\r\n\r\n'));
      expect(out.errors[0].message).toMatch(/malformed Content-Length/);
    });

    it('rejects two Content-Length headers that disagree, and accepts two that agree', () => {
      const { framer, out } = collect();
      framer.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\nContent-Length: 2\r\n\r\nab'));
      expect(out.errors[0].message).toMatch(/conflicting Content-Length/);
      const same = collect();
      const ok = 'OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\nContent-Length: 2\r\n\r\nab';
      same.framer.push(Buffer.from(ok));
      expect(same.out.messages).toEqual([ok]);
    });

    it('rejects a message above the maximum size with 413', () => {
      const { framer, out } = collect({ maxMessageSize: 100 });
      framer.push(Buffer.from(msg1));
      expect(out.errors[0].statusCode).toBe(413);
      expect(out.messages).toEqual([]);
    });

    it('rejects an endless header block above the maximum size', () => {
      const { framer, out } = collect({ maxMessageSize: 100 });
      framer.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n' + 'X: y\r\n'.repeat(30)));
      expect(out.errors[0].statusCode).toBe(413);
    });

    it('accepts a message of exactly the maximum size', () => {
      const { framer, out } = collect({ maxMessageSize: Buffer.byteLength(msg1) });
      framer.push(Buffer.from(msg1));
      expect(out.messages).toEqual([msg1]);
    });
  });
});
