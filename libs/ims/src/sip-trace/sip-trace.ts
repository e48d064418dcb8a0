import type { Destination, SipStack, SipTraceDirection } from '@lib/sip';

/** Where SIP_TRACE lines go: a Nest `Logger` fits, as does `console`. */
export interface SipTraceLog {
  log(message: string): void;
}

/**
 * One SIP_TRACE entry: an arrow (`>>>` sent, `<<<` received), the transport and the peer,
 * then the message as it crossed the wire (its final CRLF dropped), e.g.
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

/**
 * SIP_TRACE for a CSCF: logs every message its stack sends and receives (requests,
 * responses, retransmissions, 400s to malformed input), through the transport layer's
 * tracer hook. Returns a function that stops tracing.
 */
export function installSipTrace(stack: SipStack, log: SipTraceLog): () => void {
  return stack.transportLayer.addTracer((direction, data, remote) =>
    log.log(formatSipTrace(direction, data, remote)),
  );
}
