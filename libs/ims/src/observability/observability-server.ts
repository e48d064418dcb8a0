/**
 * The HTTP side of a CSCF (plain node:http, no framework): `GET /health` (JSON, 200 when
 * healthy, 503 otherwise) and `GET /metrics` (Prometheus text format 0.0.4). Nothing else is
 * served: other paths get 404, other methods 405, both as JSON.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthReport } from './health';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from './metrics-registry';

export interface ObservabilityServerOptions {
  host: string;
  /** 0: ephemeral (tests). */
  port: number;
  registry: MetricsRegistry;
  health: () => HealthReport;
  /** Where a failing handler is reported. */
  onError?: (err: Error) => void;
}

export class ObservabilityServer {
  private server?: Server;
  private boundPort = 0;

  constructor(private readonly o: ObservabilityServerOptions) {}

  /** The bound port (after start). */
  get port(): number {
    return this.boundPort;
  }

  get host(): string {
    return this.o.host;
  }

  /** Listens; rejects (EADDRINUSE, EACCES) when the port cannot be bound. */
  async start(): Promise<number> {
    const server = createServer((req, res) => this.handle(req, res));
    // Scrapes and health probes are short; do not let an idle client pin the process.
    server.keepAliveTimeout = 5000;
    server.headersTimeout = 10000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.o.onError?.(e));
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    return this.boundPort;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(text),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    try {
      if (path !== '/health' && path !== '/metrics') {
        json(404, { error: 'not found', paths: ['/health', '/metrics'] });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        json(405, { error: `${req.method} not allowed` });
        return;
      }
      if (path === '/health') {
        const report = this.o.health();
        json(report.status === 'ok' ? 200 : 503, report);
        return;
      }
      const text = this.o.registry.expose();
      res.writeHead(200, {
        'content-type': PROMETHEUS_CONTENT_TYPE,
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(text),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    } catch (err) {
      this.o.onError?.(err as Error);
      if (!res.headersSent) json(500, { error: (err as Error).message });
      else res.destroy();
    }
  }
}
