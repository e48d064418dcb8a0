/**
 * Diameter metrics of one node (a CSCF's Cx client, the HSS's Cx server), read through
 * `DiameterNode.addTracer` and its peer events:
 *
 * - `diameter_requests_total{direction,command,result,result_type}`: requests by command
 *   abbreviation (UAR, MAR, SAR, LIR, RTR, PPR, CER, DWR, DPR) and the Result-Code or
 *   Experimental-Result-Code of their answer (RFC 6733 §7.1, §7.6; `result_type` tells the
 *   two apart: Experimental 2001 is DIAMETER_FIRST_REGISTRATION, Result-Code 2001 is
 *   DIAMETER_SUCCESS). `direction="out"`: requests this node sent; `in`: requests it answered.
 *   No answer within `horizonMs` (timeout, peer lost) counts with `result="none"`.
 * - `diameter_request_duration_seconds{direction,command}`: request to answer.
 * - `diameter_peers_open`: peers in R-Open or I-Open (RFC 6733 §5.6).
 * - `diameter_peer_events_total{event}`: `up` / `down` transitions of the node's peers.
 *
 * Requests and answers pair by connection and Hop-by-Hop Identifier (RFC 6733 §3: "the
 * Hop-by-Hop Identifier ... the same value in the answer").
 */
import type { DiameterConnection, DiameterMessage, DiameterNode } from '@lib/diameter';
import { dictionary } from '@lib/diameter';
import {
  LATENCY_BUCKETS,
  type Counter,
  type Histogram,
  type MetricsRegistry,
} from './metrics-registry';

export interface DiameterMetricsOptions {
  now?: () => number;
  /** A request unanswered longer than this counts with result "none" (default 60 s). */
  horizonMs?: number;
}

interface Pending {
  command: string;
  direction: 'in' | 'out';
  start: number;
}

/** "MAR" for a Multimedia-Auth-Request, else the command code. */
export function requestAbbreviation(msg: DiameterMessage): string {
  return (
    dictionary.command(msg.commandCode, msg.applicationId, true)?.abbreviation ??
    String(msg.commandCode)
  );
}

/**
 * The `command` label: the dictionary abbreviation, or `other` for a command the dictionary
 * does not know, so garbage with random command codes cannot grow the series without bound.
 */
function metricCommand(msg: DiameterMessage): string {
  return dictionary.command(msg.commandCode, msg.applicationId, true)?.abbreviation ?? 'other';
}

export class DiameterMetrics {
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly peerEvents: Counter;
  private readonly pending = new Map<string, Pending>();
  private readonly nodes: DiameterNode[] = [];
  private readonly now: () => number;
  private readonly horizonMs: number;
  private lastSweep: number;

  constructor(registry: MetricsRegistry, o: DiameterMetricsOptions = {}) {
    this.now = o.now ?? Date.now;
    this.horizonMs = o.horizonMs ?? 60_000;
    this.lastSweep = this.now();
    this.requests = registry.counter({
      name: 'diameter_requests_total',
      help: 'Diameter requests by command and result; out: sent by this node, in: answered by it.',
      labelNames: ['direction', 'command', 'result', 'result_type'],
    });
    this.duration = registry.histogram({
      name: 'diameter_request_duration_seconds',
      help: 'Diameter request to answer, in seconds.',
      labelNames: ['direction', 'command'],
      buckets: LATENCY_BUCKETS,
    });
    this.peerEvents = registry.counter({
      name: 'diameter_peer_events_total',
      help: 'Diameter peers coming up (R-Open/I-Open) and going down.',
      labelNames: ['event'],
    });
    registry.gauge({
      name: 'diameter_peers_open',
      help: 'Diameter peers in R-Open or I-Open (RFC 6733 section 5.6).',
      collect: () =>
        this.nodes.reduce((n, node) => n + node.peers().filter((p) => p.isOpen).length, 0),
    });
  }

  /** Starts counting the traffic of `node`; returns a function that stops it. */
  observe(node: DiameterNode): () => void {
    this.nodes.push(node);
    const up = () => this.peerEvents.inc({ event: 'up' });
    const down = () => this.peerEvents.inc({ event: 'down' });
    node.on('peer-up', up);
    node.on('peer-down', down);
    const untrace = node.addTracer((direction, msg, conn) => this.onMessage(direction, msg, conn));
    return () => {
      untrace();
      node.off('peer-up', up);
      node.off('peer-down', down);
      const i = this.nodes.indexOf(node);
      if (i >= 0) this.nodes.splice(i, 1);
    };
  }

  /** One message as the tracer sees it (exported for tests). */
  onMessage(
    direction: 'in' | 'out',
    msg: DiameterMessage,
    conn: Pick<DiameterConnection, 'remote'>,
  ): void {
    const now = this.now();
    const peer = `${conn.remote.address}:${conn.remote.port}`;
    if (msg.flags.request) {
      const key = `${direction}|${peer}|${msg.hopByHop}`;
      if (!this.pending.has(key)) {
        this.pending.set(key, { command: metricCommand(msg), direction, start: now });
      }
      if (now - this.lastSweep > 10_000) this.sweep(now);
      return;
    }
    const requestDirection = direction === 'out' ? 'in' : 'out';
    const key = `${requestDirection}|${peer}|${msg.hopByHop}`;
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    const code = msg.resultCode();
    this.requests.inc({
      direction: requestDirection,
      command: p.command,
      result: code === undefined ? 'missing' : String(code),
      result_type: msg.isExperimentalResult() ? 'experimental' : 'result',
    });
    this.duration.observe(
      { direction: requestDirection, command: p.command },
      (now - p.start) / 1000,
    );
  }

  /** Counts requests that never got an answer, and forgets them. */
  sweep(now = this.now()): void {
    this.lastSweep = now;
    for (const [k, p] of this.pending) {
      if (now - p.start < this.horizonMs) continue;
      this.pending.delete(k);
      this.requests.inc({
        direction: p.direction,
        command: p.command,
        result: 'none',
        result_type: 'none',
      });
    }
  }
}
