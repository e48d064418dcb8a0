/**
 * RFC 3966 tel URI: `tel:+1-201-555-0123;phone-context=...`. `number` keeps the visual
 * separators as written; `params` keys are lower-cased (RFC 3966 §3: case-insensitive).
 */
export class TelUri {
  readonly scheme = 'tel' as const;
  number: string;
  params: Map<string, string | null>;

  constructor(number: string, params: Map<string, string | null> = new Map()) {
    this.number = number;
    this.params = params;
  }

  /** RFC 3966 §5.1.4: a global number starts with "+" and is unique without context. */
  get isGlobal(): boolean {
    return this.number.startsWith('+');
  }

  /** The number without visual separators (RFC 3966 §5.1.1), e.g. "+12015550123". */
  get digits(): string {
    let out = '';
    for (const ch of this.number)
      if (ch !== '-' && ch !== '.' && ch !== '(' && ch !== ')') out += ch;
    return out;
  }

  clone(): TelUri {
    return new TelUri(this.number, new Map(this.params));
  }

  toString(): string {
    let out = `tel:${this.number}`;
    for (const [k, v] of this.params) out += v === null ? `;${k}` : `;${k}=${v}`;
    return out;
  }
}
