import fc from 'fast-check';
import { DiameterMessage, encodeMessage } from '../codec/diameter-message';
import { avp } from '../codec/message-builder';
import { FramingError, MessageFramer } from './message-framer';

const messages = [1, 2, 3].map((i) =>
  encodeMessage(
    new DiameterMessage({
      commandCode: 280,
      hopByHop: i,
      avps: [avp('Origin-Host', `h${'x'.repeat(i)}`)],
    }),
  ),
);
const stream = Buffer.concat(messages);

describe('TCP framing by Message Length (RFC 6733 §3)', () => {
  it('splits three messages written in one chunk', () => {
    expect(new MessageFramer().push(stream)).toEqual(messages);
  });
  it('reassembles a stream delivered byte by byte', () => {
    const f = new MessageFramer();
    const out: Buffer[] = [];
    for (const byte of stream) out.push(...f.push(Buffer.from([byte])));
    expect(out).toEqual(messages);
    expect(f.buffered).toBe(0);
  });
  it('gives the same messages for any split of the stream', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 20 }),
        (cuts) => {
          const f = new MessageFramer();
          const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const out: Buffer[] = [];
          for (let i = 0; i + 1 < points.length; i++)
            out.push(...f.push(stream.subarray(points[i], points[i + 1])));
          expect(out).toEqual(messages);
        },
      ),
    );
  });
  it('gives each message of a shared chunk bytes of its own (no view keeps the chunk alive)', () => {
    const chunk = Buffer.concat([stream, Buffer.alloc(60_000)]).subarray(0, stream.length);
    const out = new MessageFramer().push(chunk);
    expect(out).toEqual(messages);
    for (const m of out) {
      expect(m.buffer).not.toBe(chunk.buffer);
      expect(m.buffer.byteLength).toBe(m.length);
    }
    // A chunk that is exactly one message is passed on as it is.
    const single = Buffer.from(messages[0]);
    expect(new MessageFramer().push(single)[0]).toBe(single);
  });
  it('refuses a stream that is not Diameter', () => {
    expect(() => new MessageFramer().push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(FramingError);
    expect(() => new MessageFramer(100).push(Buffer.from('01000400', 'hex'))).toThrow(FramingError);
  });
});
