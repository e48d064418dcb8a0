/**
 * What `GET /health` of a CSCF reports: the SIP sockets bound (UDP and TCP, RFC 3261 §18:
 * an element listens on both) and, for the I- and S-CSCF, the Cx connection to the HSS in
 * R-Open or I-Open (RFC 6733 §5.6). Healthy (HTTP 200) only when every check passes; 503
 * otherwise, so a healthcheck or a load balancer takes the element out while its HSS is away.
 */
import type { DiameterNode } from '@lib/diameter';
import type { SipStack, TransportProtocol } from '@lib/sip';

export interface SipHealth {
  host: string;
  port: number;
  /** Per transport: whether its socket is bound. */
  transports: Partial<Record<TransportProtocol, boolean>>;
}

export interface DiameterPeerHealth {
  /** The peer's Origin-Host (or the address we connect to before CER/CEA). */
  peer: string;
  state: string;
  open: boolean;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  role: string;
  /** Why it is unhealthy, one phrase per failed check. */
  problems: string[];
  sip: SipHealth;
  diameter?: { peers: DiameterPeerHealth[] };
}

/** The SIP part: every transport of the stack bound. */
export function sipHealth(stack: SipStack): SipHealth {
  const transports: Partial<Record<TransportProtocol, boolean>> = {};
  for (const p of ['UDP', 'TCP'] as TransportProtocol[]) {
    const t = stack.transportLayer.transport(p);
    if (t) transports[p] = t.listening ?? false;
  }
  return { host: stack.host, port: stack.port, transports };
}

/** The Diameter part: the node's peers and their §5.6 state. */
export function diameterPeersHealth(node: DiameterNode): DiameterPeerHealth[] {
  return node.peers().map((p) => ({
    peer: p.originHost ?? (p.remote ? `${p.remote.host}:${p.remote.port}` : '?'),
    state: p.state,
    open: p.isOpen,
  }));
}

/**
 * The report of a CSCF. `diameter` is given for the roles with a Cx client: healthy needs at
 * least one open peer.
 */
export function cscfHealth(role: string, stack: SipStack, diameter?: DiameterNode): HealthReport {
  const sip = sipHealth(stack);
  const problems: string[] = [];
  for (const [t, bound] of Object.entries(sip.transports)) {
    if (!bound) problems.push(`SIP ${t} socket not bound`);
  }
  if (Object.keys(sip.transports).length === 0) problems.push('no SIP transport');
  const report: HealthReport = { status: 'ok', role, problems, sip };
  if (diameter) {
    const peers = diameterPeersHealth(diameter);
    report.diameter = { peers };
    if (!peers.some((p) => p.open)) {
      const states = peers.map((p) => `${p.peer} ${p.state}`).join(', ') || 'no peer';
      problems.push(`no open Diameter Cx connection to the HSS (${states})`);
    }
  }
  if (problems.length) report.status = 'unhealthy';
  return report;
}
