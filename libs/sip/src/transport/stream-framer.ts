/**
 * TCP stream framer: cuts a byte stream into SIP messages.
 *
 * RFC 3261 §18.3: "In the case of message-oriented transports (such as UDP), if the message
 * has a Content-Length header field, the message body is assumed to contain that many bytes.
 * [...] In the case of stream-oriented transports such as TCP, the Content-Length header
 * field indicates the size of the body. All SIP implementations MUST use the Content-Length
 * header field when using stream-oriented transports" — so a message without Content-Length
 * on a stream is a framing error.
 *
 * RFC 5626 §3.5.1 (CRLF keep-alive): "the client periodically sends a double-CRLF (the
 * 'ping') then waits to receive a single CRLF (the 'pong')". The framer reports both between
 * messages; the transport answers each ping with a pong.
 *
 * RFC 3261 §7.5: "Implementations processing SIP messages over stream-oriented transports
 * MUST ignore any CRLF appearing before the start-line".
 *
 * This is separate from the datagram parser: it only finds message boundaries and hands
 * complete messages (start-line + headers + body bytes) to `parseMessage`.
 */

/** Why a stream could not be framed; the connection carrying it must be closed. */
export class SipFramingError extends Error {
  /** The response status an element may send before closing (413 for oversize, else 400). */
  readonly statusCode: number;
  constructor(message: string, statusCode = 400) {
    super(message);
    this.name = 'SipFramingError';
    this.statusCode = statusCode;
  }
}

export interface StreamFramerEvents {
  /** One complete SIP message (headers and exactly Content-Length body bytes). */
  message(data: Buffer): void;
  /** A CRLFCRLF keep-alive ping was received (answer with a single CRLF). */
  ping?(): void;
  /** A single CRLF keep-alive pong was received. */
  pong?(): void;
  /** The stream is broken; the caller closes the connection. No more events follow. */
  error(err: SipFramingError): void;
}

export interface StreamFramerOptions {
  /** Largest accepted message (headers + body), in bytes. Default 65535. */
  maxMessageSize?: number;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const CR = 0x0d;
const LF = 0x0a;

/** Content-Length (or its compact form "l"), RFC 3261 §20.14. */
const CONTENT_LENGTH_RE = /^(?:content-length|l)[ \t]*:[ \t]*(.*)$/i;

export class SipStreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private failed = false;
  /** A lone CRLF at a message boundary was already reported as a pong. */
  private lastWasLoneCrlf = false;
  readonly maxMessageSize: number;

  constructor(
    private readonly events: StreamFramerEvents,
    options: StreamFramerOptions = {},
  ) {
    this.maxMessageSize = options.maxMessageSize ?? 65535;
  }

  /** Feeds the next chunk read from the connection. */
  push(chunk: Buffer): void {
    if (this.failed) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.drain();
  }

  /** Bytes received but not yet framed (useful to detect a stream cut mid-message). */
  get pending(): number {
    return this.buffer.length;
  }

  private drain(): void {
    for (;;) {
      if (this.buffer.length === 0) return;
      if (this.buffer[0] === CR || this.buffer[0] === LF) {
        if (!this.consumeKeepAlive()) return;
        continue;
      }
      this.lastWasLoneCrlf = false;
      const headerEnd = this.buffer.indexOf(HEADER_END);
      if (headerEnd < 0) {
        if (this.buffer.length > this.maxMessageSize) {
          this.fail(new SipFramingError('Message Too Large: header exceeds limit', 413));
        }
        return;
      }
      const bodyStart = headerEnd + HEADER_END.length;
      const contentLength = this.readContentLength(this.buffer.subarray(0, headerEnd));
      if (contentLength === undefined) return; // fail() already called
      const total = bodyStart + contentLength;
      if (total > this.maxMessageSize) {
        this.fail(new SipFramingError(`Message Too Large: ${total} bytes`, 413));
        return;
      }
      if (this.buffer.length < total) return;
      const message = Buffer.from(this.buffer.subarray(0, total));
      this.buffer = this.buffer.subarray(total);
      this.events.message(message);
      if (this.failed) return;
    }
  }

  /**
   * Handles CR/LF bytes at a message boundary. Returns false when more bytes are needed.
   * CRLFCRLF is a ping; a CRLF followed by a start-line is a pong (or stray CRLF, RFC 3261
   * §7.5 says to ignore it). A lone CRLF at the end of the buffer is reported as a pong at
   * once; if the next chunk starts with the second CRLF of a split ping, the ping is still
   * reported.
   */
  private consumeKeepAlive(): boolean {
    const b = this.buffer;
    if (b.length >= 4 && b.subarray(0, 4).equals(HEADER_END)) {
      this.buffer = b.subarray(4);
      this.lastWasLoneCrlf = false;
      this.events.ping?.();
      return true;
    }
    if (b.length >= 2 && b.subarray(0, 2).equals(CRLF)) {
      if (b.length < 4 && (b.length === 2 || b[2] === CR)) {
        // Could be the start of a ping: wait for more, unless exactly a lone CRLF.
        if (b.length === 2) {
          this.buffer = Buffer.alloc(0);
          if (this.lastWasLoneCrlf) {
            this.lastWasLoneCrlf = false;
            this.events.ping?.();
          } else {
            this.lastWasLoneCrlf = true;
            this.events.pong?.();
          }
          return true;
        }
        return false;
      }
      this.buffer = b.subarray(2);
      if (this.lastWasLoneCrlf) {
        this.lastWasLoneCrlf = false;
        this.events.ping?.();
      } else {
        this.events.pong?.();
      }
      return true;
    }
    if (b.length === 1 && b[0] === CR) return false;
    // A bare LF or CR not part of CRLF: tolerate (RFC 3261 §7.5 leniency) and skip it.
    this.buffer = b.subarray(1);
    return true;
  }

  /**
   * The Content-Length of a header block (start-line and header lines, without the blank
   * line). Only lines that can be Content-Length (starting `c`/`C` or compact `l`/`L`) become
   * strings; the others are skipped by their first byte.
   */
  private readContentLength(head: Buffer): number | undefined {
    let value: number | undefined;
    let lineStart = head.indexOf(CRLF);
    while (lineStart >= 0) {
      lineStart += 2;
      let lineEnd = head.indexOf(CRLF, lineStart);
      if (lineEnd < 0) lineEnd = head.length;
      const first = head[lineStart] | 0x20;
      if (first === 0x63 || first === 0x6c) {
        const m = CONTENT_LENGTH_RE.exec(head.toString('latin1', lineStart, lineEnd));
        if (m) {
          // Header folding (RFC 3261 §7.3.1): continuation lines start with SP or HTAB.
          let raw = m[1];
          while (
            lineEnd < head.length &&
            (head[lineEnd + 2] === 0x20 || head[lineEnd + 2] === 0x09)
          ) {
            const next = head.indexOf(CRLF, lineEnd + 2);
            const nextEnd = next < 0 ? head.length : next;
            raw += head.toString('latin1', lineEnd + 2, nextEnd);
            lineEnd = nextEnd;
          }
          const text = raw.trim();
          if (!/^\d{1,10}$/.test(text)) {
            this.fail(new SipFramingError(`Bad Request: malformed Content-Length "${text}"`));
            return undefined;
          }
          const n = Number(text);
          if (value !== undefined && value !== n) {
            this.fail(new SipFramingError('Bad Request: conflicting Content-Length headers'));
            return undefined;
          }
          value = n;
        }
      }
      lineStart = lineEnd < head.length ? lineEnd : -1;
    }
    if (value === undefined) {
      this.fail(new SipFramingError('Bad Request: Content-Length is mandatory over TCP'));
      return undefined;
    }
    return value;
  }

  private fail(err: SipFramingError): void {
    this.failed = true;
    this.buffer = Buffer.alloc(0);
    this.events.error(err);
  }
}
