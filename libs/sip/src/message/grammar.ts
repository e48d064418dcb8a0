/**
 * The RFC 3261 §25.1 basic rules the header and URI parsers share: character classes, a
 * forward-only scanner (no regular expressions, so no backtracking), quoted strings, generic
 * parameters and comma-separated lists.
 */
import { SipParseError } from '../errors/sip-parse-error';

function table(chars: string, alphanum = true): Uint8Array {
  const t = new Uint8Array(128);
  if (alphanum) {
    for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
    for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
    for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  }
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** `token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")` */
export const TOKEN = table("-.!%*_+`'~");
/** `gen-value = token / host / quoted-string`: token characters plus IPv6 reference ones. */
const GEN_VALUE = table("-.!%*_+`'~[]:");
/** `word` (Call-ID): token characters plus `( ) < > : \ " / [ ] ? { }`. */
export const WORD = table('-.!%*_+`\'~()<>:\\"/[]?{}');

export const SP = 0x20;
export const HTAB = 0x09;

export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

/** True for a non-empty string of token characters. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

export function isWs(c: number): boolean {
  return c === SP || c === HTAB || c === 0x0d || c === 0x0a;
}

/**
 * RFC 3261 §7.3.1: "a header field value can be folded onto multiple lines if the
 * continuation line begins with a space or horizontal tab"; the fold is equivalent to a SP.
 */
export function unfold(text: string): string {
  if (text.indexOf('\n') < 0) return text;
  let out = '';
  let i = 0;
  for (;;) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return out + text.slice(i);
    const end = nl > i && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    out += text.slice(i, end) + ' ';
    i = nl + 1;
    while (i < text.length && (text.charCodeAt(i) === SP || text.charCodeAt(i) === HTAB)) i++;
  }
}

/** Trims SP / HTAB (and stray CR/LF) from both ends. */
export function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** `quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE`, returned with the quotes. */
export function quote(value: string): string {
  if (value.indexOf('"') < 0 && value.indexOf('\\') < 0) return `"${value}"`;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
  }
  return out + '"';
}

/** The content of a quoted-string with quoted-pairs resolved; other text is returned as is. */
export function unquote(value: string): string {
  if (
    value.length < 2 ||
    value.charCodeAt(0) !== 0x22 ||
    value.charCodeAt(value.length - 1) !== 0x22
  )
    return value;
  const inner = value.slice(1, -1);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    if (inner.charCodeAt(i) === 0x5c && i + 1 < inner.length) i++;
    out += inner[i];
  }
  return out;
}

/** A forward-only cursor over one (unfolded) header value. Errors name the header. */
export class Scanner {
  pos = 0;

  constructor(
    readonly s: string,
    readonly header?: string,
  ) {}

  get eof(): boolean {
    return this.pos >= this.s.length;
  }

  /** The char code at the cursor, or -1 at the end. */
  peek(): number {
    return this.pos < this.s.length ? this.s.charCodeAt(this.pos) : -1;
  }

  /** Skips LWS / SWS (unfolded values only contain SP and HTAB; CR LF are tolerated). */
  skipWs(): boolean {
    const start = this.pos;
    while (this.pos < this.s.length && isWs(this.s.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  /** Consumes `ch` (after optional whitespace) if present. */
  accept(ch: number): boolean {
    this.skipWs();
    if (this.peek() === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  expect(ch: number, what: string): void {
    if (!this.accept(ch)) this.fail(`expected ${what}`);
  }

  token(what = 'token'): string {
    this.skipWs();
    const start = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c >= 128 || TOKEN[c] !== 1) break;
      this.pos++;
    }
    if (this.pos === start) this.fail(`expected ${what}`);
    return this.s.slice(start, this.pos);
  }

  /** A quoted-string including its quotes, exactly as written. */
  quotedRaw(): string {
    this.skipWs();
    const start = this.pos;
    if (this.peek() !== 0x22) this.fail('expected quoted-string');
    this.pos++;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x5c) {
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
        const n = this.s.charCodeAt(this.pos + 1);
        if (this.pos + 1 >= this.s.length || n === 0x0a || n === 0x0d || n > 0x7f)
          this.fail('bad quoted-pair');
        this.pos += 2;
        continue;
      }
      this.pos++;
      if (c === 0x22) return this.s.slice(start, this.pos);
    }
    this.fail('unterminated quoted-string');
  }

  /** `gen-value = token / host / quoted-string`, as written (quotes kept). */
  genValue(): string {
    this.skipWs();
    if (this.peek() === 0x22) return this.quotedRaw();
    const start = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c >= 128 || GEN_VALUE[c] !== 1) break;
      this.pos++;
    }
    if (this.pos === start) this.fail('expected parameter value');
    return this.s.slice(start, this.pos);
  }

  /**
   * `*( SEMI generic-param )`, `generic-param = token [ EQUAL gen-value ]`. Names are
   * case-insensitive (RFC 3261 §7.3.1) and stored lower-cased; values are kept as written.
   */
  params(into: Map<string, string | null> = new Map()): Map<string, string | null> {
    while (this.accept(0x3b /* ; */)) {
      const name = this.token('parameter name').toLowerCase();
      if (this.accept(0x3d /* = */)) into.set(name, this.genValue());
      else into.set(name, null);
    }
    return into;
  }

  /** Fails unless only whitespace remains. */
  end(): void {
    this.skipWs();
    if (this.pos < this.s.length)
      this.fail(`unexpected "${this.s.slice(this.pos, this.pos + 12)}"`);
  }

  fail(detail: string): never {
    throw new SipParseError(`malformed ${this.header ?? 'value'}: ${detail}`, {
      header: this.header,
      problem: detail,
    });
  }
}

/** Serializes generic parameters: `;name=value` / `;name`. */
export function formatParams(params: Map<string, string | null>): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/**
 * Splits a header value into its comma-separated elements (RFC 3261 §7.3.1), ignoring commas
 * inside quoted strings and inside `<...>`. Elements are trimmed; empty ones are kept (as "")
 * so the typed parsers can reject them.
 */
export function splitList(value: string, header?: string): string[] {
  if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('<') < 0) {
    return [trimWs(value)];
  }
  const out: string[] = [];
  let start = 0;
  for (const comma of listCommas(value, header, Infinity)) {
    out.push(trimWs(value.slice(start, comma)));
    start = comma + 1;
  }
  out.push(trimWs(value.slice(start)));
  return out;
}

/**
 * The first element of a comma-separated header value and the text after its comma (trimmed;
 * undefined when there is only one element), with the quoting rules and errors of
 * {@link splitList} but without splitting the others: what reading or popping the top Via
 * or Route needs, however long the list (RFC 3261 §7.3.1).
 */
export function listHead(value: string, header?: string): { first: string; rest?: string } {
  if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('<') < 0) {
    return { first: trimWs(value) };
  }
  const [comma] = listCommas(value, header, 1);
  if (comma === undefined) return { first: trimWs(value) };
  return { first: trimWs(value.slice(0, comma)), rest: trimWs(value.slice(comma + 1)) };
}

/**
 * The positions of the first `max` commas that separate list elements (outside quoted
 * strings, with their backslash escapes, and outside `<...>`). The whole value is scanned
 * either way, so unbalanced quotes or `<>` are an error for every reader of the list.
 */
function listCommas(value: string, header: string | undefined, max: number): number[] {
  const commas: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x3c) {
      // Inside <...> only '>' matters: let indexOf find it (the URIs are most of the text).
      i = value.indexOf('>', i + 1);
      if (i < 0) throw new SipParseError(`unbalanced <> in ${header ?? 'value'}`, { header });
    } else if (c === 0x22) {
      for (i++; ; i++) {
        if (i >= value.length) {
          throw new SipParseError(`unbalanced quotes in ${header ?? 'value'}`, { header });
        }
        const q = value.charCodeAt(i);
        if (q === 0x5c) i++;
        else if (q === 0x22) break;
      }
    } else if (c === 0x2c && commas.length < max) commas.push(i);
  }
  return commas;
}

/** `1*DIGIT` as a non-negative integer no larger than `max`, or undefined. */
export function parseDigits(s: string, max: number): number | undefined {
  if (s.length === 0) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
    if (n > max) return undefined;
  }
  return n;
}
