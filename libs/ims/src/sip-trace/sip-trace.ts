import type { Destination, SipStack, SipTraceDirection, TransportAddress } from '@lib/sip';

/**
 * Where SIP_TRACE entries go: a Nest `Logger` fits (with the roles' StructuredLogger behind
 * it an entry becomes one JSON line with its fields), as does `console`.
 */
export interface SipTraceLog {
  log(entry: SipTraceEntry): void;
}

/** One SIP_TRACE entry: a one-line summary in `msg`, the message as it crossed the wire in `sip`. */
export interface SipTraceEntry {
  /** e.g. `SIP >>> UDP 127.0.0.1:4060 REGISTER sip:ims.example.org`. */
  msg: string;
  trace: 'sip';
  direction: SipTraceDirection;
  transport: string;
  /** The peer: destination of what we send, source of what we receive. */
  peer: string;
  /** Our listening point on that transport. */
  local: string;
  bytes: number;
  /** The message text (its final CRLF dropped). */
  sip: string;
}

function hostPort(a: TransportAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/**
 * The text form of an entry: an arrow (`>>>` sent, `<<<` received), the transport and the
 * peer, then the message as it crossed the wire (its final CRLF dropped), e.g.
 *
 * ```
 * SIP >>> UDP 127.0.0.1:4060
 * REGISTER sip:ims.mnc001.mcc001.3gppnetwork.org SIP/2.0
 * ...
 * ```
 */
export function formatSipTrace(
  direction: SipTraceDirection,
  data: Buffer,
  remote: Destination,
): string {
  const arrow = direction === 'out' ? '>>>' : '<<<';
  const text = data.toString('utf8').replace(/\r\n$/, '');
  return `SIP ${arrow} ${remote.transport} ${remote.host}:${remote.port}\n${text}`;
}

/** The structured entry of one traced message. */
export function sipTraceEntry(
  direction: SipTraceDirection,
  data: Buffer,
  remote: Destination,
  local: TransportAddress,
): SipTraceEntry {
  const arrow = direction === 'out' ? '>>>' : '<<<';
  const text = data.toString('utf8').replace(/\r\n$/, '');
  const startLine = text.slice(0, Math.max(0, text.indexOf('\r\n'))) || text.slice(0, 80);
  return {
    msg: `SIP ${arrow} ${remote.transport} ${hostPort(remote)} ${startLine}`.trimEnd(),
    trace: 'sip',
    direction,
    transport: remote.transport,
    peer: hostPort(remote),
    local: hostPort(local),
    bytes: data.length,
    sip: text,
  };
}

/**
 * SIP_TRACE for a CSCF: logs every message its stack sends and receives (requests,
 * responses, retransmissions, 400s to malformed input), through the transport layer's
 * tracer hook, as structured entries. Returns a function that stops tracing.
 */
export function installSipTrace(stack: SipStack, log: SipTraceLog): () => void {
  return stack.transportLayer.addTracer((direction, data, remote, local) =>
    log.log(sipTraceEntry(direction, data, remote, local)),
  );
}
