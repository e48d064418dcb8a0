import { ownString } from '@lib/sip';
import { XmlError } from './xml-error';

/** An element: its name, attributes and children (elements and text, in document order). */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

/** Text (character data and CDATA sections, adjacent pieces merged) or an element. */
export type XmlNode = XmlElement | string;

/** Options of {@link parseXml}. */
export interface XmlParseOptions {
  /** Deepest element nesting accepted (default 64). */
  maxDepth?: number;
}

// XML 1.0 §2.3 NameStartChar / NameChar (BMP subset, which is all IMS data uses). The ranges
// are code point ranges from the spec, not user-perceived characters.
const NAME_START =
  // eslint-disable-next-line no-misleading-character-class
  /[A-Za-z_:\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]/;
const NAME_CHAR =
  // eslint-disable-next-line no-misleading-character-class
  /[-.0-9\u00B7\u0300-\u036F\u203F\u2040A-Za-z_:\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]/;
// XML 1.0 §2.2 Char: no C0 controls except TAB, LF, CR; no lone surrogates; no U+FFFE/FFFF.
const INVALID_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** NAME_START (1) and NAME_CHAR (1 or 2) over ASCII, by char code: no regex per character. */
const ASCII_NAME = new Uint8Array(128);
for (let c = 0x41; c <= 0x5a; c++) ASCII_NAME[c] = ASCII_NAME[c + 0x20] = 1;
ASCII_NAME[0x5f /* _ */] = ASCII_NAME[0x3a /* : */] = 1;
for (let c = 0x30; c <= 0x39; c++) ASCII_NAME[c] = 2;
ASCII_NAME[0x2d /* - */] = ASCII_NAME[0x2e /* . */] = 2;

const isNameStart = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c < 128 ? ASCII_NAME[c] === 1 : NAME_START.test(s[i]);
};
const isNameChar = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c < 128 ? ASCII_NAME[c] !== 0 : NAME_CHAR.test(s[i]);
};

/**
 * Names, attribute values and text are strings of their own, not slices of `input`: the
 * S-CSCF keeps a subscriber's parsed user data (and the P-CSCF what a NOTIFY said) for the
 * whole registration, and one kept slice would keep the whole document text alive with it
 * (see `ownString` in libs/sip).
 *
 * A small, dependency-free, non-validating XML 1.0 parser: elements, attributes, character
 * data, the predefined and numeric character references (§4.1, §4.6), CDATA sections (§2.7),
 * comments and processing instructions (skipped). Document type declarations are refused
 * (no DTDs, hence no external or custom entities). Anything not well-formed raises an
 * {@link XmlError} with its position.
 */
export function parseXml(input: string, options: XmlParseOptions = {}): XmlElement {
  return new Parser(input, options.maxDepth ?? 64).document();
}

class Parser {
  private readonly s: string;
  private i = 0;

  constructor(
    input: string,
    private readonly maxDepth: number,
  ) {
    if (typeof input !== 'string') throw new XmlError('input is not a string', 1, 1);
    // §2.11: line ends are normalised to LF; a leading BOM is not part of the document.
    this.s = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
    const bad = INVALID_CHAR.exec(this.s);
    if (bad) {
      this.i = bad.index;
      this.fail(`invalid character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
    }
  }

  private fail(problem: string): never {
    const before = this.s.slice(0, this.i);
    const line = before.split('\n').length;
    const column = this.i - before.lastIndexOf('\n');
    throw new XmlError(problem, line, column);
  }

  private startsWith(text: string): boolean {
    return this.s.startsWith(text, this.i);
  }

  private expect(text: string): void {
    if (!this.startsWith(text)) this.fail(`expected "${text}"`);
    this.i += text.length;
  }

  private skipWs(): boolean {
    const start = this.i;
    // S ::= (#x20 | #x9 | #xD | #xA)+, with CR already normalised away.
    for (let c = this.s.charCodeAt(this.i); c === 0x20 || c === 0x09 || c === 0x0a;) {
      c = this.s.charCodeAt(++this.i);
    }
    return this.i > start;
  }

  private name(): string {
    const start = this.i;
    if (this.i >= this.s.length || !isNameStart(this.s, this.i)) this.fail('expected a name');
    this.i++;
    while (this.i < this.s.length && isNameChar(this.s, this.i)) this.i++;
    return this.s.slice(start, this.i);
  }

  /** Misc ::= Comment | PI | S (§2.8). Returns false when none was consumed. */
  private misc(): boolean {
    if (this.skipWs()) return true;
    if (this.startsWith('<!--')) return (this.comment(), true);
    if (this.startsWith('<?')) return (this.pi(), true);
    return false;
  }

  document(): XmlElement {
    if (this.startsWith('<?xml') && /[\s?]/.test(this.s[this.i + 5] ?? '')) this.pi(true);
    while (this.misc());
    if (this.startsWith('<!DOCTYPE')) this.fail('document type declarations are not supported');
    if (!this.startsWith('<')) this.fail('expected the root element');
    const root = this.element();
    while (this.misc());
    if (this.i < this.s.length) this.fail('content after the root element');
    return root;
  }

  private comment(): void {
    this.i += 4;
    const end = this.s.indexOf('--', this.i);
    if (end < 0) this.fail('unterminated comment');
    this.i = end;
    if (!this.startsWith('-->')) this.fail('"--" inside a comment');
    this.i += 3;
  }

  private pi(declaration = false): void {
    this.i += 2;
    const target = this.name();
    if (!declaration && target.toLowerCase() === 'xml') {
      this.fail('the XML declaration is only allowed at the start');
    }
    const end = this.s.indexOf('?>', this.i);
    if (end < 0) this.fail('unterminated processing instruction');
    this.i = end + 2;
  }

  private reference(): string {
    // this.s[this.i] === '&'
    const end = this.s.indexOf(';', this.i);
    if (end < 0 || end - this.i > 12) this.fail('malformed entity reference');
    const body = this.s.slice(this.i + 1, end);
    let out: string | undefined;
    if (/^#[0-9]+$/.test(body) || /^#x[0-9A-Fa-f]+$/.test(body)) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      const valid =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff);
      if (!valid) this.fail(`character reference &${body}; is not a legal character`);
      out = String.fromCodePoint(code);
    } else {
      out = PREDEFINED[body];
      if (out === undefined) this.fail(`undefined entity &${body};`);
    }
    this.i = end + 1;
    return out;
  }

  private attributeValue(): string {
    const quote = this.s[this.i];
    if (quote !== '"' && quote !== "'") this.fail('expected a quoted attribute value');
    const q = quote.charCodeAt(0);
    const s = this.s;
    this.i++;
    // Plain runs are sliced whole; only references and white space are rewritten.
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated attribute value');
      const c = s.charCodeAt(this.i);
      if (c === q) break;
      if (c === 0x3c /* < */) this.fail('"<" in an attribute value');
      if (c === 0x26 /* & */) {
        out += s.slice(run, this.i) + this.reference();
        run = this.i;
      } else if (c === 0x09 || c === 0x0a) {
        // §3.3.3 attribute-value normalisation: white space characters become spaces.
        out += s.slice(run, this.i) + ' ';
        run = ++this.i;
      } else {
        this.i++;
      }
    }
    out += s.slice(run, this.i);
    this.i++;
    return out;
  }

  /** element ::= EmptyElemTag | STag content ETag (§3.1), iteratively to bound the stack. */
  private element(): XmlElement {
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    for (;;) {
      const parent = stack[stack.length - 1];
      if (this.startsWith('</')) {
        if (!parent) this.fail('unexpected end tag');
        this.i += 2;
        const name = this.name();
        if (name !== parent.name) this.fail(`end tag </${name}> does not match <${parent.name}>`);
        this.skipWs();
        this.expect('>');
        stack.pop();
        if (stack.length === 0) return root!;
        continue;
      }
      if (this.startsWith('<!--')) {
        if (!parent) this.fail('expected an element');
        this.comment();
        continue;
      }
      if (this.startsWith('<?')) {
        if (!parent) this.fail('expected an element');
        this.pi();
        continue;
      }
      if (this.startsWith('<![CDATA[')) {
        if (!parent) this.fail('expected an element');
        const end = this.s.indexOf(']]>', this.i + 9);
        if (end < 0) this.fail('unterminated CDATA section');
        this.text(parent, this.s.slice(this.i + 9, end));
        this.i = end + 3;
        continue;
      }
      if (this.startsWith('<!')) this.fail('markup declarations are not supported');
      if (this.startsWith('<')) {
        if (stack.length >= this.maxDepth)
          this.fail(`elements nested deeper than ${this.maxDepth}`);
        this.i++;
        const el: XmlElement = { name: ownString(this.name()), attributes: {}, children: [] };
        for (;;) {
          const ws = this.skipWs();
          if (this.startsWith('/>') || this.startsWith('>')) break;
          if (!ws) this.fail('expected white space before an attribute');
          const attr = this.name();
          this.skipWs();
          this.expect('=');
          this.skipWs();
          if (Object.prototype.hasOwnProperty.call(el.attributes, attr)) {
            this.fail(`duplicate attribute "${attr}"`);
          }
          el.attributes[attr] = ownString(this.attributeValue());
        }
        if (parent) parent.children.push(el);
        else root = el;
        if (this.startsWith('/>')) {
          this.i += 2;
          if (!parent) return el;
          continue;
        }
        this.i++;
        stack.push(el);
        continue;
      }
      if (!parent) this.fail('expected an element');
      if (this.i >= this.s.length) this.fail(`unclosed element <${parent.name}>`);
      // CharData ::= [^<&]* - ([^<&]* ']]>' [^<&]*)  (§2.4)
      const s = this.s;
      let text = '';
      let run = this.i;
      while (this.i < s.length) {
        const c = s.charCodeAt(this.i);
        if (c === 0x3c /* < */) break;
        if (c === 0x26 /* & */) {
          text += s.slice(run, this.i) + this.reference();
          run = this.i;
          continue;
        }
        if (c === 0x5d /* ] */ && this.startsWith(']]>')) this.fail('"]]>" in character data');
        this.i++;
      }
      this.text(parent, text + s.slice(run, this.i));
    }
  }

  private text(parent: XmlElement, piece: string): void {
    if (piece === '') return;
    const text = ownString(piece);
    const last = parent.children.length - 1;
    if (last >= 0 && typeof parent.children[last] === 'string') {
      parent.children[last] = (parent.children[last] as string) + text;
    } else {
      parent.children.push(text);
    }
  }
}

/** The child elements of `el` (optionally only those called `name`). */
export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter(
    (c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name),
  );
}

/** The concatenated text of `el` and its descendants. */
export function textContent(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textContent(c))).join('');
}
