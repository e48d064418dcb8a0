/**
 * Strings for long-lived state. The parser hands out header values, URIs and tags as pieces
 * of the message text: V8 represents `text.slice(a, b)` of 13 characters or more as a
 * "sliced string" that points into the whole message, and `a + b` as a "cons string" that
 * points to both halves. Cheap while a message is processed, costly when one such string is
 * kept for the lifetime of a registration: a stored 60-character IMPU then keeps the whole
 * 1-2 KB REGISTER text alive (the memory benchmark found 3-4 such messages retained per
 * registered subscriber).
 *
 * `ownString` returns a flat copy that owns its characters, so storing it retains nothing
 * else. Use it where a value goes into a store that outlives the message (registrations,
 * subscriptions, dialogs), not on the per-message path.
 */

/** V8's SlicedString::kMinLength and ConsString::kMinLength: shorter strings are always flat copies. */
const MIN_SHARED_LENGTH = 13;

/** A flat copy of `s` that shares no storage with the message it was cut from. */
export function ownString(s: string): string;
export function ownString(s: string | undefined): string | undefined;
export function ownString(s: string | undefined): string | undefined {
  if (s === undefined || s.length < MIN_SHARED_LENGTH) return s;
  // A UTF-8 round trip builds a new sequential string (SIP text is UTF-8, RFC 3261 §7.3.1).
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** `ownString` of each element (a new array). */
export function ownStrings(list: readonly string[]): string[] {
  return list.map((s) => ownString(s));
}

/**
 * One shared copy per distinct value, for strings many records hold the same (Service-Route,
 * the home domain, an AS name): a bounded table, so an attacker sending distinct values only
 * fills it up to `max` and then gets plain owned copies.
 */
export class StringInterner {
  private readonly table = new Map<string, string>();

  constructor(private readonly max = 1024) {}

  intern(s: string): string;
  intern(s: string | undefined): string | undefined;
  intern(s: string | undefined): string | undefined {
    if (s === undefined) return s;
    const known = this.table.get(s);
    if (known !== undefined) return known;
    const own = ownString(s);
    if (this.table.size < this.max) this.table.set(own, own);
    return own;
  }

  get size(): number {
    return this.table.size;
  }
}

/**
 * A Buffer that owns its memory, for bytes kept long after the message (a completed
 * transaction's request and final response). `Buffer.from(string)`, `Buffer.concat()` and
 * small `allocUnsafe()` hand out slices of Node's shared 8 KB pool, and a kept 1 KB slice
 * keeps the whole 8 KB pool block alive; a slice of a received chunk keeps the chunk. Returns
 * `buf` itself when it already spans its whole ArrayBuffer.
 */
export function ownBuffer(buf: Buffer): Buffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return buf;
  const own = Buffer.allocUnsafeSlow(buf.length);
  buf.copy(own);
  return own;
}
