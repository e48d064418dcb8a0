/**
 * The HSS's metrics (`GET /metrics`): Cx requests it answers and the RTR/PPR it sends, by
 * command and result code (DiameterMetrics on its DiameterNode), REST requests by method,
 * route template and status with their latency, and the process metrics. One instance per
 * app, built by createHssApp before the node listens.
 */
import type { DiameterNode } from '@lib/diameter';
import {
  DiameterMetrics,
  LATENCY_BUCKETS,
  MetricsRegistry,
  registerProcessMetrics,
  type Counter,
  type Histogram,
} from '@lib/ims';

export class HssMetrics {
  readonly registry = new MetricsRegistry();
  readonly diameter: DiameterMetrics;
  readonly httpRequests: Counter;
  readonly httpDuration: Histogram;

  constructor() {
    registerProcessMetrics(this.registry);
    this.diameter = new DiameterMetrics(this.registry);
    this.httpRequests = this.registry.counter({
      name: 'http_requests_total',
      help: 'REST requests by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
    });
    this.httpDuration = this.registry.histogram({
      name: 'http_request_duration_seconds',
      help: 'REST request to response, in seconds.',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
    });
  }

  /** Counts the Cx traffic of the HSS's node. */
  observeDiameter(node: DiameterNode): () => void {
    return this.diameter.observe(node);
  }

  /**
   * One REST exchange. `route` is the matched template (`/subscribers/:imsi`), never the
   * concrete path, so identities do not become label values.
   */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }
}
