import { SipParseError } from '../errors/sip-parse-error';
import { isToken, isWs, listHead, splitList, trimWs, unfold } from './grammar';
import { LIST_HEADERS, canonicalName, headerKey } from './header-names';

/**
 * One header line. Immutable: messages share fields when cloned or when a response copies
 * a request's headers. A parsed field keeps its place in the received header section
 * (offsets, no copy) so an untouched header is forwarded byte-identical (name, colon,
 * folding as received); its line text and its value (unfolded, trimmed) are cut out only
 * when first read.
 */
export class HeaderField {
  private unfolded?: string;
  private text?: string;

  private constructor(
    /** The name as written ("v", "VIA", "Via"). */
    readonly name: string,
    /** Lookup key: lower-cased full name ("via"). */
    readonly key: string,
    /** The received header section this line is in, or undefined for a built field. */
    private readonly src: string | undefined,
    /** The line is src[start, end) (without CRLF); its value starts at valueStart. */
    private readonly start: number,
    private readonly end: number,
    private readonly valueStart: number,
    value?: string,
  ) {
    this.unfolded = value;
  }

  /** A field from a received line, `text[start, end)`: `name HCOLON value`, colon at `colon`. */
  static fromText(
    text: string,
    start: number,
    end: number,
    name: string,
    key: string,
    colon: number,
  ): HeaderField {
    return new HeaderField(name, key, text, start, end, colon + 1);
  }

  static of(name: string, value: string): HeaderField {
    if (!isToken(name)) throw new SipParseError(`malformed header name "${name.slice(0, 20)}"`);
    const v = trimWs(value);
    if (/[\r\n]/.test(v) && !/^(?:[^\r\n]|\r?\n[ \t])*$/.test(v))
      throw new SipParseError(`header value with a bare line break`, {
        header: canonicalName(name),
      });
    return new HeaderField(canonicalName(name), headerKey(name), undefined, 0, 0, 0, v);
  }

  /** Line text without CRLF as received, or undefined for a field built from a value. */
  get line(): string | undefined {
    if (this.src === undefined) return undefined;
    return (this.text ??= this.src.slice(this.start, this.end));
  }

  /** The field value: folds replaced by SP, surrounding whitespace trimmed. */
  get value(): string {
    if (this.unfolded === undefined) {
      const src = this.src!;
      let a = this.start + this.valueStart;
      let b = this.end;
      while (a < b && isWs(src.charCodeAt(a))) a++;
      while (b > a && isWs(src.charCodeAt(b - 1))) b--;
      const raw = src.slice(a, b);
      this.unfolded = raw.indexOf('\n') < 0 ? raw : trimWs(unfold(raw));
    }
    return this.unfolded;
  }

  /** The line as it is serialized (no CRLF). */
  toString(): string {
    return this.line ?? `${this.name}: ${this.unfolded}`;
  }
}

/** Cache marker for a typed view whose value is `undefined`. */
const NONE = Symbol('none');

/**
 * The header section: an ordered multimap with case-insensitive names and compact forms
 * normalized for lookup (RFC 3261 §7.3). "The relative order of header fields with
 * different field names is not significant"; the order of those with the same name is, and
 * is kept. Typed views of a header are cached here and dropped when that header changes.
 */
export class HeaderList implements Iterable<HeaderField> {
  private fields: HeaderField[];
  private readonly cache = new Map<string, unknown>();
  /** True once anything changed since parsing (the serializer's fast path relies on it). */
  modified = false;

  constructor(fields: HeaderField[] = []) {
    this.fields = fields;
  }

  [Symbol.iterator](): Iterator<HeaderField> {
    return this.fields[Symbol.iterator]();
  }

  get length(): number {
    return this.fields.length;
  }

  /** All header lines with this name, in order. */
  fieldsOf(name: string): HeaderField[] {
    const key = headerKey(name);
    return this.fields.filter((f) => f.key === key);
  }

  /** The first header line with this name. */
  first(name: string): HeaderField | undefined {
    const key = headerKey(name);
    for (const f of this.fields) if (f.key === key) return f;
    return undefined;
  }

  /** Number of header lines with this name. */
  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const f of this.fields) if (f.key === key) n++;
    return n;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    for (const f of this.fields) if (f.key === key) return true;
    return false;
  }

  /** First value; for list headers the first comma-separated element. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const f of this.fields) {
      if (f.key !== key) continue;
      return LIST_HEADERS.has(key) ? listHead(f.value, canonicalName(key)).first : f.value;
    }
    return undefined;
  }

  /** All values; list headers split at top-level commas (respecting quotes and <>). */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const list = LIST_HEADERS.has(key);
    const out: string[] = [];
    for (const f of this.fields) {
      if (f.key !== key) continue;
      if (list) for (const v of splitList(f.value, canonicalName(key))) out.push(v);
      else out.push(f.value);
    }
    return out;
  }

  /** Replaces all lines of this header by one line per value, at the first one's position. */
  set(name: string, value: string | string[]): void {
    const key = headerKey(name);
    const values = Array.isArray(value) ? value : [value];
    const added = values.map((v) => HeaderField.of(name, v));
    const at = this.fields.findIndex((f) => f.key === key);
    const rest = this.fields.filter((f) => f.key !== key);
    const pos = at < 0 ? rest.length : this.fields.slice(0, at).filter((f) => f.key !== key).length;
    rest.splice(pos, 0, ...added);
    this.replace(rest, key);
  }

  append(name: string, value: string): void {
    this.fields.push(HeaderField.of(name, value));
    this.touched(headerKey(name));
  }

  /** Adds a value before the first one of this header (or at the top when there is none). */
  prepend(name: string, value: string): void {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => f.key === key);
    this.fields.splice(at < 0 ? 0 : at, 0, HeaderField.of(name, value));
    this.touched(key);
  }

  remove(name: string): void {
    const key = headerKey(name);
    if (!this.fields.some((f) => f.key === key)) return;
    this.replace(
      this.fields.filter((f) => f.key !== key),
      key,
    );
  }

  /**
   * Removes and returns the first value. When the first line carries several comma-separated
   * values, only the first is removed and the line is rewritten with the others.
   */
  removeFirst(name: string): string | undefined {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => f.key === key);
    if (at < 0) return undefined;
    const field = this.fields[at];
    if (LIST_HEADERS.has(key)) {
      // Only the first element is cut off; the others stay as written (RFC 3261 §7.3.1).
      const { first, rest } = listHead(field.value, canonicalName(key));
      if (rest !== undefined) {
        this.fields[at] = HeaderField.of(field.name, rest);
        this.touched(key);
        return first;
      }
    }
    this.fields.splice(at, 1);
    this.touched(key);
    return field.value;
  }

  /** Replaces the first value (e.g. the top Via after adding `received`). */
  replaceFirst(name: string, value: string): void {
    if (this.removeFirst(name) !== undefined) this.prepend(name, value);
    else this.append(name, value);
  }

  /** The cached typed view of a header, computed by `parse` on first use. */
  typed<T>(key: string, parse: () => T): T {
    const hit = this.cache.get(key);
    if (hit !== undefined) return (hit === NONE ? undefined : hit) as T;
    const v = parse();
    this.cache.set(key, v === undefined ? NONE : v);
    return v;
  }

  /** The header lines in order (read-only view; mutate through the methods). */
  all(): readonly HeaderField[] {
    return this.fields;
  }

  clone(): HeaderList {
    const h = new HeaderList(this.fields.slice());
    h.modified = this.modified;
    return h;
  }

  private replace(fields: HeaderField[], key: string): void {
    this.fields = fields;
    this.touched(key);
  }

  private touched(key: string): void {
    this.modified = true;
    this.cache.delete(key);
    // Views derived from several headers are keyed "<key>/..."; drop them too.
    for (const k of this.cache.keys()) if (k.startsWith(key + '/')) this.cache.delete(k);
  }
}
