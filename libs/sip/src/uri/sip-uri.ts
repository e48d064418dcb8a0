import { escapeUri } from './escape';
import { PARAMCHAR } from './uri-chars';

/**
 * RFC 3261 §19.1.1 SIP and SIPS URI:
 * `sip:user:password@host:port;uri-parameters?headers`.
 *
 * Components are kept as written (still %-escaped); `host` is stored without the brackets of
 * an IPv6reference (`[::1]` -> `::1`) and `toString()` puts them back. Parameter names are
 * case-insensitive: the `params` keys are unescaped and lower-cased, the values as written.
 */
export class SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Map<string, string | null>;
  /** The `?headers` part; created on first use (almost no URI has one). */
  private headerMap?: Map<string, string>;

  constructor(init: {
    scheme?: 'sip' | 'sips';
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params?: Map<string, string | null>;
    headers?: Map<string, string>;
  }) {
    this.scheme = init.scheme ?? 'sip';
    this.user = init.user;
    this.password = init.password;
    this.host = init.host;
    this.port = init.port;
    this.params = init.params ?? new Map();
    this.headerMap = init.headers;
  }

  /** RFC 3261 §19.1.1 headers (`?name=value&...`), names and values as written. */
  get headers(): Map<string, string> {
    return (this.headerMap ??= new Map());
  }

  set headers(value: Map<string, string>) {
    this.headerMap = value;
  }

  /** Whether the URI has a headers component (without creating an empty map). */
  get hasHeaders(): boolean {
    return this.headerMap !== undefined && this.headerMap.size > 0;
  }

  /** RFC 3261 §19.1.1 `transport` parameter, lower-cased. */
  get transport(): string | undefined {
    return this.params.get('transport')?.toLowerCase();
  }

  /** RFC 3261 §19.1.1 / §16.4: a URI with the `lr` parameter is a loose router. */
  get lr(): boolean {
    return this.params.has('lr');
  }

  /** `host` with IPv6 references in brackets, plus `:port` when present. */
  get hostport(): string {
    const h = this.host.indexOf(':') >= 0 ? `[${this.host}]` : this.host;
    return this.port === undefined ? h : `${h}:${this.port}`;
  }

  clone(): SipUri {
    return new SipUri({
      scheme: this.scheme,
      user: this.user,
      password: this.password,
      host: this.host,
      port: this.port,
      params: new Map(this.params),
      headers: this.hasHeaders ? new Map(this.headerMap) : undefined,
    });
  }

  toString(): string {
    let out = `${this.scheme}:`;
    if (this.user !== undefined) {
      out += this.user;
      if (this.password !== undefined) out += ':' + this.password;
      out += '@';
    }
    out += this.hostport;
    for (const [k, v] of this.params) {
      const name = escapeUri(k, (c) => PARAMCHAR[c] === 1 && c !== 0x25);
      out += v === null ? `;${name}` : `;${name}=${v}`;
    }
    if (this.headerMap === undefined) return out;
    let sep = '?';
    for (const [k, v] of this.headerMap) {
      out += `${sep}${k}=${v}`;
      sep = '&';
    }
    return out;
  }
}
