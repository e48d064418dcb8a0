/**
 * Everything a CSCF exposes about itself, wired from the outside of the element (its SIP
 * stack's tracer hook, its Cx client's DiameterNode): the metrics registry with SIP, Diameter,
 * registration and process metrics, DIAMETER_TRACE, structured entries when the Cx peer goes
 * down or comes back, and the HTTP server of `GET /health` and `GET /metrics`.
 */
import type { DiameterNode } from '@lib/diameter';
import type { SipStack } from '@lib/sip';
import { ConfigError } from '../config';
import { DiameterMetrics } from './diameter-metrics';
import { installDiameterTrace } from './diameter-trace';
import { cscfHealth } from './health';
import { MetricsRegistry, registerProcessMetrics } from './metrics-registry';
import { ObservabilityServer } from './observability-server';
import { SipMetrics } from './sip-metrics';

/** The logging a CSCF's observability needs: a StructuredLogger or a Nest LoggerService. */
export interface ObservabilityLog {
  log(message: unknown, context?: string): void;
  warn(message: unknown, context?: string): void;
  error(message: unknown, context?: string): void;
}

export interface CscfObservabilityOptions {
  /** pcscf, icscf, scscf. */
  role: string;
  httpHost: string;
  httpPort: number;
  stack: SipStack;
  /** The Cx client's node (I-/S-CSCF): /health needs it open; its traffic is counted. */
  diameter?: DiameterNode;
  diameterTrace?: boolean;
  /**
   * Registration state read at scrape time: registrations held (P-CSCF: UE registrations;
   * S-CSCF: registered implicit sets) and, for the registrar, contact bindings.
   */
  registrations?: () => { registrations: number; bindings?: number };
  /** Confirmed INVITE dialogs the element record-routes (P-/S-CSCF), read at scrape time. */
  dialogs?: () => number;
  logger: ObservabilityLog;
}

const CONTEXT = 'Observability';

export class CscfObservability {
  readonly registry = new MetricsRegistry();
  readonly sip: SipMetrics;
  readonly diameter?: DiameterMetrics;
  readonly server: ObservabilityServer;
  private readonly undo: (() => void)[] = [];

  constructor(private readonly o: CscfObservabilityOptions) {
    registerProcessMetrics(this.registry);
    this.sip = new SipMetrics(this.registry);
    this.undo.push(this.sip.observe(o.stack));
    if (o.diameter) {
      this.diameter = new DiameterMetrics(this.registry);
      this.undo.push(this.diameter.observe(o.diameter));
      if (o.diameterTrace) {
        this.undo.push(
          installDiameterTrace(o.diameter, { log: (e) => o.logger.log(e, 'DiameterTrace') }),
        );
      }
      this.watchPeers(o.diameter);
    }
    const registrations = o.registrations;
    if (registrations) {
      this.registry.gauge({
        name: 'ims_registrations',
        help: 'Registrations this element holds (P-CSCF: UE registrations; S-CSCF: registered implicit registration sets).',
        collect: () => registrations().registrations,
      });
      if (registrations().bindings !== undefined) {
        this.registry.gauge({
          name: 'ims_registration_bindings',
          help: 'Contact bindings of the registrar (RFC 3261 section 10.3).',
          collect: () => registrations().bindings ?? 0,
        });
      }
    }
    // RFC 3261 §17 transactions alive in the stack (they drain to 0 once timers J/K/I/H end).
    const transactions = o.stack.transactions;
    this.registry.gauge({
      name: 'sip_transactions_active',
      help: 'SIP transactions alive in the transaction layer, by kind (client, server).',
      labelNames: ['kind'],
      collect: () => [
        { labels: { kind: 'client' }, value: transactions.clientCount },
        { labels: { kind: 'server' }, value: transactions.serverCount },
      ],
    });
    const dialogs = o.dialogs;
    if (dialogs) {
      this.registry.gauge({
        name: 'ims_dialogs',
        help: 'Confirmed INVITE dialogs this element record-routes (created on 2xx, ended by BYE or when the served registration ends).',
        collect: () => dialogs(),
      });
    }
    this.server = new ObservabilityServer({
      host: o.httpHost,
      port: o.httpPort,
      registry: this.registry,
      health: () => cscfHealth(o.role, o.stack, o.diameter),
      onError: (err) => o.logger.error({ msg: `HTTP: ${err.message}`, stack: err.stack }, CONTEXT),
    });
  }

  /** Structured entries for the Cx peer going down and coming back (RFC 6733 §5.6). */
  private watchPeers(node: DiameterNode): void {
    const up = (peer: { originHost?: string; state: string }) =>
      this.o.logger.log(
        {
          msg: 'Diameter peer up',
          event: 'diameter-peer-up',
          peer: peer.originHost,
          state: peer.state,
        },
        CONTEXT,
      );
    const down = (peer: { originHost?: string; state: string }, reason: string) =>
      this.o.logger.warn(
        {
          msg: `Diameter peer down: ${reason}`,
          event: 'diameter-peer-down',
          peer: peer.originHost,
          state: peer.state,
          reason,
        },
        CONTEXT,
      );
    node.on('peer-up', up);
    node.on('peer-down', down);
    this.undo.push(() => {
      node.off('peer-up', up);
      node.off('peer-down', down);
    });
  }

  /** Starts the HTTP server; resolves with its port. A port in use stops the role. */
  async start(): Promise<number> {
    try {
      const port = await this.server.start();
      this.o.logger.log(
        { msg: `HTTP /health and /metrics on ${this.o.httpHost}:${port}`, httpPort: port },
        CONTEXT,
      );
      return port;
    } catch (err) {
      throw new ConfigError(
        `${this.o.role.toUpperCase()}_HTTP_PORT`,
        `cannot be bound on ${this.o.httpHost}:${this.o.httpPort} (${(err as Error).message})`,
      );
    }
  }

  get httpPort(): number {
    return this.server.port;
  }

  async close(): Promise<void> {
    for (const u of this.undo.splice(0)) u();
    await this.server.close();
  }
}

/**
 * Starts the observability of an element whose application is already up, tying their
 * lifetimes together: if /health and /metrics cannot be served (e.g. the HTTP port is taken)
 * the application is closed and the error thrown; the returned `close` stops both, the HTTP
 * server first. Every CSCF's `create*App` uses it.
 */
export async function startCscfObservability(
  app: { close(): Promise<void> },
  options: CscfObservabilityOptions,
): Promise<{ observability: CscfObservability; close: () => Promise<void> }> {
  const observability = new CscfObservability(options);
  try {
    await observability.start();
  } catch (err) {
    await app.close();
    throw err;
  }
  return {
    observability,
    close: async () => {
      await observability.close();
      await app.close();
    },
  };
}
