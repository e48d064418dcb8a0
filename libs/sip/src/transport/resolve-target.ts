import { isIP } from 'node:net';
import { parseUri, SipUri, type Uri } from './message-api';
import {
  stripBrackets,
  type Destination,
  type TransportAddress,
  type TransportProtocol,
} from './transport';

/** A URI that cannot be turned into a next hop. */
export class SipResolveError extends Error {
  constructor(
    message: string,
    /** The response a proxy should answer with (RFC 3261 §16.5 / §16.9). */
    readonly statusCode = 503,
  ) {
    super(message);
    this.name = 'SipResolveError';
  }
}

/** Static host table: "host" or "host:port" -> address (and optionally transport). */
export type HostMap = Record<string, TransportAddress & { transport?: TransportProtocol }>;

export interface ResolveOptions {
  hostMap?: HostMap;
  /** Transport when the URI has no transport parameter (RFC 3263 §4.1: UDP for sip:). */
  defaultTransport?: TransportProtocol;
}

/**
 * Turns a SIP URI into a next hop (RFC 3263 §4, simplified): `maddr` overrides the host,
 * `transport=` picks the protocol (else UDP), an IP literal is used as is with the URI port
 * (default 5060), and a host name is looked up in the configured host map (a "host:port"
 * entry is an exact address; a bare "host" entry maps the name and the URI port, if any, wins).
 *
 * TODO(RFC 3263): NAPTR/SRV/A lookups are not done; names must be in the host map.
 */
export function resolveTarget(uri: string | Uri, options: ResolveOptions = {}): Destination {
  const parsed = typeof uri === 'string' ? parseUri(uri) : uri;
  if (!(parsed instanceof SipUri)) {
    throw new SipResolveError(`cannot route to a ${parsed.scheme}: URI without a SIP target`, 416);
  }
  if (parsed.scheme === 'sips') {
    throw new SipResolveError('sips: needs TLS, which this stack does not implement', 416);
  }
  const transportParam = parsed.params.get('transport')?.toUpperCase();
  if (transportParam && transportParam !== 'UDP' && transportParam !== 'TCP') {
    throw new SipResolveError(`unsupported transport=${transportParam.toLowerCase()}`, 503);
  }
  const host = stripBrackets(parsed.params.get('maddr') ?? parsed.host);
  const explicitTransport = transportParam as TransportProtocol | undefined;
  if (isIP(host)) {
    return {
      host,
      port: parsed.port ?? 5060,
      transport: explicitTransport ?? options.defaultTransport ?? 'UDP',
    };
  }
  const map = options.hostMap ?? {};
  const lower = host.toLowerCase();
  const exact = parsed.port !== undefined ? map[`${lower}:${parsed.port}`] : undefined;
  const entry = exact ?? map[lower];
  if (!entry) {
    throw new SipResolveError(
      `no address for host "${host}" (DNS/RFC 3263 lookups are not implemented)`,
      503,
    );
  }
  return {
    host: stripBrackets(entry.host),
    // A "host:port" entry is an exact address; a bare host maps the name, the URI port wins.
    port: exact ? entry.port : (parsed.port ?? entry.port),
    transport: explicitTransport ?? entry.transport ?? options.defaultTransport ?? 'UDP',
  };
}
