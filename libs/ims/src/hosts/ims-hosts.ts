import { isIP } from 'node:net';
import { SipUri, Uri, parseUri, type Destination, type TransportProtocol } from '@lib/sip';
import { VarSpec } from '../config';

/**
 * The lab's static host map (`IMS_HOSTS`), used instead of DNS (RFC 3263 is not run here):
 * `name=ip` pairs separated by commas, e.g.
 * `pcscf.ims.example=127.0.0.1,scscf.ims.example=::1`. Names compare case-insensitively.
 */
export class HostResolutionError extends Error {
  constructor(readonly host: string) {
    super(`host "${host}" is not an IP address and is not in IMS_HOSTS`);
    this.name = 'HostResolutionError';
  }
}

/**
 * Parses the `IMS_HOSTS` value. Throws an Error saying what is wrong (loadConfig turns it
 * into a ConfigError naming the variable).
 */
export function parseImsHosts(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`"${entry}" must be name=ip`);
    const name = entry.slice(0, eq).trim().toLowerCase();
    const address = entry
      .slice(eq + 1)
      .trim()
      .replace(/^\[(.*)\]$/, '$1');
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(name)) {
      throw new Error(`"${name}" is not a host name`);
    }
    if (isIP(address) === 0) throw new Error(`"${address}" (for ${name}) is not an IP address`);
    out.set(name, address);
  }
  return out;
}

/**
 * The default entries: `pcscf.<domain>`, `icscf.<domain>`, `scscf.<domain>`,
 * `hss.<domain>` and `<domain>` itself all map to 127.0.0.1 (the lab runs on loopback).
 */
export function defaultImsHosts(domain: string, address = '127.0.0.1'): Map<string, string> {
  const d = domain.toLowerCase();
  return new Map(
    [`pcscf.${d}`, `icscf.${d}`, `scscf.${d}`, `hss.${d}`, d].map((n) => [n, address]),
  );
}

/** `IMS_HOSTS` for a role's ConfigSpec: the explicit entries (defaults are added by ImsHosts). */
export const imsHostsVar: VarSpec<Map<string, string>> = {
  env: 'IMS_HOSTS',
  doc: 'static host map used instead of DNS, name=ip comma list (the domain elements default to 127.0.0.1)',
  default: new Map<string, string>(),
  parse: parseImsHosts,
};

/** Where to send a SIP request for a URI: RFC 3263 reduced to a static map. */
export interface ResolvedTarget {
  address: string;
  port: number;
  /** The URI's `transport` parameter (lower-cased) when present. */
  transport?: string;
}

/** The host map of one element: explicit `IMS_HOSTS` entries over the domain's defaults. */
export class ImsHosts {
  private readonly entries: Map<string, string>;

  constructor(domain: string, explicit: Map<string, string> = new Map()) {
    this.entries = defaultImsHosts(domain);
    for (const [name, address] of explicit) this.entries.set(name.toLowerCase(), address);
  }

  /** The address mapped to `name`, or undefined. */
  lookup(name: string): string | undefined {
    return this.entries.get(name.toLowerCase().replace(/\.$/, ''));
  }

  /** An IP literal as is (brackets removed), else the mapped address; throws HostResolutionError. */
  resolve(host: string): string {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    if (isIP(bare) !== 0) return bare;
    const address = this.lookup(bare);
    if (address === undefined) throw new HostResolutionError(host);
    return address;
  }

  /**
   * Resolves a SIP URI to address, port (RFC 3263 §4.2 default 5060, 5061 for sips) and the
   * transport parameter. Throws HostResolutionError, or SipParseError for a malformed URI,
   * or a plain Error for a non-SIP URI.
   */
  resolveUri(uri: string | Uri): ResolvedTarget {
    const u = typeof uri === 'string' ? parseUri(uri) : uri;
    if (!(u instanceof SipUri)) throw new Error(`"${u.toString()}" is not a sip: or sips: URI`);
    return {
      address: this.resolve(u.host),
      port: u.port ?? (u.scheme === 'sips' ? 5061 : 5060),
      ...(u.transport !== undefined ? { transport: u.transport } : {}),
    };
  }

  /**
   * Where to send a request for a SIP URI of another core element: {@link resolveUri}, over
   * the URI's `transport` (UDP or TCP) or else `defaultTransport` (the core transport,
   * `IMS_CORE_TRANSPORT`). Throws as resolveUri does, or for another transport.
   */
  destination(uri: string | Uri, defaultTransport: TransportProtocol): Destination {
    const t = this.resolveUri(uri);
    const transport = t.transport?.toUpperCase() ?? defaultTransport;
    if (transport !== 'UDP' && transport !== 'TCP') {
      throw new Error(`transport=${t.transport} is not supported`);
    }
    return { host: t.address, port: t.port, transport };
  }

  /**
   * The map in the shape the SIP stack's `resolveTarget` takes (`SipStackOptions.hostMap`):
   * each name maps to its address; the URI's port wins, else 5060.
   */
  toStackHostMap(): Record<string, { host: string; port: number }> {
    const out: Record<string, { host: string; port: number }> = {};
    for (const [name, address] of this.entries) out[name] = { host: address, port: 5060 };
    return out;
  }

  /** The entries, for logging at boot. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.entries);
  }
}
