/**
 * DIAMETER_TRACE: one structured log entry per Diameter message a node receives or sends
 * (Cx requests and answers, CER/CEA, DWR/DWA, DPR/DPA), through `DiameterNode.addTracer`.
 * The entry carries the header fields and every AVP as decoded (`toJSON` of the message):
 * authentication vectors included, so it is a lab tool, not for production.
 */
import type { DiameterConnection, DiameterMessage, DiameterNode } from '@lib/diameter';
import { requestAbbreviation } from './diameter-metrics';

/** Where trace entries go: a Nest `Logger` or the StructuredLogger. */
export interface TraceLog {
  log(entry: object): void;
}

/** The abbreviation of the message itself: MAR for the request, MAA for its answer. */
function abbreviation(msg: DiameterMessage): string {
  if (msg.flags.request) return requestAbbreviation(msg);
  return msg.command?.abbreviation ?? String(msg.commandCode);
}

/** The log entry of one traced Diameter message. */
export function diameterTraceEntry(
  direction: 'in' | 'out',
  msg: DiameterMessage,
  conn: Pick<DiameterConnection, 'remote'>,
): Record<string, unknown> {
  const command = abbreviation(msg);
  const peer = `${conn.remote.address}:${conn.remote.port}`;
  const arrow = direction === 'out' ? '>>>' : '<<<';
  const code = msg.flags.request ? undefined : msg.resultCode();
  return {
    msg: `Diameter ${arrow} ${command} ${peer}${code === undefined ? '' : ` ${code}`}`,
    trace: 'diameter',
    direction,
    peer,
    command,
    applicationId: msg.applicationId,
    hopByHop: msg.hopByHop,
    endToEnd: msg.endToEnd,
    sessionId: msg.sessionId(),
    ...(code === undefined ? {} : { resultCode: code, experimental: msg.isExperimentalResult() }),
    diameter: msg.toJSON(),
  };
}

/** Logs every message of `node`; returns a function that stops tracing. */
export function installDiameterTrace(node: DiameterNode, log: TraceLog): () => void {
  return node.addTracer((direction, msg, conn) =>
    log.log(diameterTraceEntry(direction, msg, conn)),
  );
}
