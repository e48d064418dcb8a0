/**
 * RFC 3261 §25.1 `absoluteURI` of any scheme this stack does not interpret (RFC 4475 §3.3.2
 * "nobodyKnowsThisScheme:", §3.3.3 "soap.beep://"). The element decides (416 or 404).
 */
export class AbsoluteUri {
  scheme: string;
  /** Everything after "scheme:". */
  value: string;

  constructor(scheme: string, value: string) {
    this.scheme = scheme;
    this.value = value;
  }

  clone(): AbsoluteUri {
    return new AbsoluteUri(this.scheme, this.value);
  }

  toString(): string {
    return `${this.scheme}:${this.value}`;
  }
}
