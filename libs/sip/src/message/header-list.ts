import { SipParseError } from '../errors/sip-parse-error';
import { isToken, isWs, listHead, splitList, trimWs, unfold } from './grammar';
import { LIST_HEADERS, canonicalName, headerKey } from './header-names';

/** Names fields were built with (valid tokens), with their spelling and key. */
const BUILT_NAMES = new Map<string, { name: string; key: string }>();
const MAX_BUILT_NAMES = 256;

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
    /**
     * @internal The received header section this line is in (undefined for a built field);
     * the line is src[start, end) without its CRLF. The serializer copies runs of adjacent
     * received lines in one piece.
     */
    readonly src: string | undefined,
    /** @internal */
    readonly start: number,
    /** @internal */
    readonly end: number,
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
    let known = BUILT_NAMES.get(name);
    if (known === undefined) {
      if (!isToken(name)) throw new SipParseError(`malformed header name "${name.slice(0, 20)}"`);
      known = { name: canonicalName(name), key: headerKey(name) };
      if (BUILT_NAMES.size < MAX_BUILT_NAMES) BUILT_NAMES.set(name, known);
    }
    const v = trimWs(value);
    if ((v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) && !/^(?:[^\r\n]|\r?\n[ \t])*$/.test(v))
      throw new SipParseError(`header value with a bare line break`, { header: known.name });
    return new HeaderField(known.name, known.key, undefined, 0, 0, 0, v);
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
 * Typed views derived from a header ("via/top" from "via"), by header key: dropped with it.
 * The keys are the views' names in code, so this stays small.
 */
const DERIVED_VIEWS = new Map<string, string[]>();

function deriveView(base: string, key: string): void {
  const list = DERIVED_VIEWS.get(base);
  if (list === undefined) DERIVED_VIEWS.set(base, [key]);
  else if (!list.includes(key)) list.push(key);
}

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
    if (typeof value === 'string') {
      // The usual case (Max-Forwards, Expires...): one line replaced where it stands.
      const fields = this.fields;
      let at = -1;
      let more = false;
      for (let i = 0; i < fields.length; i++) {
        if (fields[i].key !== key) continue;
        if (at >= 0) {
          more = true;
          break;
        }
        at = i;
      }
      if (at >= 0 && !more) {
        fields[at] = HeaderField.of(name, value);
        this.touched(key);
        return;
      }
    }
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
    const slash = key.indexOf('/');
    if (slash > 0) deriveView(key.slice(0, slash), key);
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
    if (this.cache.size === 0) return;
    this.cache.delete(key);
    // Views derived from a header are keyed "<key>/..."; drop them too.
    const derived = DERIVED_VIEWS.get(key);
    if (derived !== undefined)
      for (let i = 0; i < derived.length; i++) this.cache.delete(derived[i]);
  }
}
