import type { Via } from './message-api';
import { formatHost, stripBrackets, type Destination } from './transport';

/**
 * Serialises a Via value from its fields (RFC 3261 §20.42, §25.1 `via-parm`):
 * `SIP/2.0/UDP host:port;param=value;flag`. Used when the transport layer rewrites sent-by
 * (§18.1.1) or adds `received`/`rport` (§18.2.1, RFC 3581 §4).
 */
export function formatVia(via: {
  protocol?: string;
  transport: string;
  host: string;
  port?: number;
  params: Map<string, string | null>;
}): string {
  const sentBy = `${formatHost(stripBrackets(via.host))}${via.port !== undefined ? `:${via.port}` : ''}`;
  let text = `${via.protocol ?? 'SIP/2.0'}/${via.transport.toUpperCase()} ${sentBy}`;
  for (const [name, value] of via.params) {
    text += value === null || value === undefined ? `;${name}` : `;${name}=${value}`;
  }
  return text;
}

/** Copies the parameters of a parsed Via into a fresh, mutable map (order kept). */
export function viaParams(via: Via): Map<string, string | null> {
  return new Map(via.params);
}

/** The `rport` value of a Via as a number, when it carries one (RFC 3581). */
export function viaRport(via: Via): number | undefined {
  if (typeof via.rport === 'number') return via.rport;
  const raw = via.params.get('rport');
  return raw ? Number(raw) : undefined;
}

/** The `received` address of a Via, when present (RFC 3261 §18.2.1). */
export function viaReceived(via: Via): string | undefined {
  return via.received ?? via.params.get('received') ?? undefined;
}

/**
 * Where a response goes according to the top Via, RFC 3261 §18.2.2 and RFC 3581 §4:
 * "the response MUST be sent to the address in the received parameter, using the port
 * indicated in the rport parameter" (else the sent-by port, else 5060).
 */
export function responseDestination(via: Via): Destination {
  const transport = via.transport.toUpperCase() === 'TCP' ? 'TCP' : 'UDP';
  return {
    host: stripBrackets(viaReceived(via) ?? via.host),
    port: viaRport(via) ?? via.port ?? 5060,
    transport,
  };
}
