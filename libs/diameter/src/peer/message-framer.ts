/**
 * TCP stream framing (RFC 6733 §2.1, §3): a byte stream carries messages back to back; each
 * message's length is the 24-bit Message Length of its header. A chunk may hold several
 * messages, and a message may span several chunks.
 */
import { DIAMETER_VERSION, HEADER_LENGTH } from '../codec/diameter-message';
import { DiameterError } from '../codec/diameter-error';

/** The stream cannot be resynchronised (bad version or length): the connection must close. */
export class FramingError extends DiameterError {}

export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageLength = 0xffffff) {}

  /** Adds a chunk; returns the complete messages it finished, in order. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let off = 0;
    while (this.pending.length - off >= 4) {
      const version = this.pending[off];
      const length = this.pending.readUIntBE(off + 1, 3);
      if (version !== DIAMETER_VERSION || length < HEADER_LENGTH || length % 4 !== 0) {
        this.pending = Buffer.alloc(0);
        throw new FramingError(
          `not a Diameter message header (version ${version}, length ${length})`,
        );
      }
      if (length > this.maxMessageLength) {
        this.pending = Buffer.alloc(0);
        throw new FramingError(
          `message of ${length} octets exceeds the limit ${this.maxMessageLength}`,
        );
      }
      if (this.pending.length - off < length) break;
      // A message that is not the whole chunk gets bytes of its own: a view would keep the
      // whole socket chunk (up to 64 kB) alive for as long as anything decoded from it lives,
      // e.g. the Session-Id an answer copies, kept among the node's recent answers.
      if (length === this.pending.length) out.push(this.pending);
      else {
        const own = Buffer.allocUnsafeSlow(length);
        this.pending.copy(own, 0, off, off + length);
        out.push(own);
      }
      off += length;
    }
    this.pending =
      off === this.pending.length ? Buffer.alloc(0) : Buffer.from(this.pending.subarray(off));
    return out;
  }

  /** Octets received but not yet a complete message. */
  get buffered(): number {
    return this.pending.length;
  }
}
