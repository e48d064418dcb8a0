/**
 * Which previous hops may hand the S-CSCF a REGISTER (SCSCF_TRUSTED_PEERS).
 *
 * TS 24.229 §5.4.1.1: the S-CSCF is reached for registration through the I-CSCF of its home
 * network (which asked the HSS, UAR) and the P-CSCF (which asserted the UE's identity); TS
 * 33.210 puts the CSCFs of one operator in one security domain. A REGISTER sent to the
 * S-CSCF by anybody else skips both, so it is refused with 403 before any Cx request.
 *
 * An entry is
 * - `host:port` (a name resolved through IMS_HOSTS, or an IP; `[v6]:port`): the request must
 *   come from that address **and** its topmost Via sent-by (RFC 3261 §18.2.1, the hop that
 *   sent it) must name that host and port; over UDP the source port must be that port too
 *   (our CSCFs send from their listening socket). This is what tells the I-CSCF from a UE
 *   when both share one address, e.g. 127.0.0.1 in the lab;
 * - `host` without a port, or an `ip/prefix` CIDR: any request from that address / network;
 * - `*`: no check at all (an S-CSCF exposed to nobody else).
 *
 * On loopback over TCP the source port is ephemeral, so a local process that forges the
 * I-CSCF's Via is not told apart: only a real network address separates the roles there.
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError, ImsHosts } from '@lib/ims';
import type { IncomingContext, SipRequest } from '@lib/sip';

/** One SCSCF_TRUSTED_PEERS entry as configured. */
export type TrustedPeerEntry =
  | { kind: 'any' }
  | { kind: 'subnet'; address: string; prefix: number }
  | { kind: 'host'; host: string; port?: number };

/** Parses the SCSCF_TRUSTED_PEERS comma list; throws an Error saying which entry is wrong. */
export function parseTrustedPeers(raw: string): TrustedPeerEntry[] {
  const out: TrustedPeerEntry[] = [];
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    out.push(parseEntry(entry));
  }
  if (out.length === 0) throw new Error('lists no peer');
  return out;
}

function parseEntry(entry: string): TrustedPeerEntry {
  if (entry === '*') return { kind: 'any' };
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const address = entry.slice(0, slash);
    const prefix = Number(entry.slice(slash + 1));
    const family = isIP(address);
    if (family === 0) throw new Error(`"${entry}": ${address} is not an IP address`);
    if (!/^\d+$/.test(entry.slice(slash + 1)) || prefix > (family === 4 ? 32 : 128)) {
      throw new Error(`"${entry}": bad prefix length`);
    }
    return { kind: 'subnet', address, prefix };
  }
  let host = entry;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    host = bracketed[1];
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (isIP(entry) !== 6) {
    const colon = entry.lastIndexOf(':');
    if (colon >= 0) {
      if (!/^\d+$/.test(entry.slice(colon + 1))) throw new Error(`"${entry}": bad port`);
      host = entry.slice(0, colon);
      port = Number(entry.slice(colon + 1));
    }
  }
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`"${entry}": bad port`);
  if (isIP(host) === 0 && !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(host)) {
    throw new Error(`"${entry}": ${host} is not a host name or IP address`);
  }
  return { kind: 'host', host: host.toLowerCase(), port };
}

/** The textual form of an entry (logs, docs). */
export function formatTrustedPeer(e: TrustedPeerEntry): string {
  if (e.kind === 'any') return '*';
  if (e.kind === 'subnet') return `${e.address}/${e.prefix}`;
  const h = e.host.includes(':') ? `[${e.host}]` : e.host;
  return e.port === undefined ? h : `${h}:${e.port}`;
}

/** `::ffff:127.0.0.1` (a dual-stack socket's view of an IPv4 peer) -> `127.0.0.1`. */
function plainAddress(address: string): string {
  const a = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** Source addresses whose subnet check is remembered (see TrustedPeers.inSubnet). */
const SUBNET_CACHE_SIZE = 1024;

interface ResolvedPeer {
  label: string;
  address: string;
  port?: number;
}

/** The entries with their names resolved once (at boot), and the check of one request. */
export class TrustedPeers {
  private readonly any: boolean;
  private readonly subnets = new BlockList();
  private readonly hasSubnets: boolean;
  private readonly peers: ResolvedPeer[] = [];
  /**
   * Whether a source address is in a trusted subnet, per address seen: `BlockList.check`
   * builds a SocketAddress per call (1.8 % of the S-CSCF's CPU in a registration run), and
   * the REGISTERs come from the same few P-/I-CSCF addresses. Bounded: cleared when full.
   */
  private readonly inSubnet = new Map<string, boolean>();

  /** Throws a ConfigError naming SCSCF_TRUSTED_PEERS when a name is not in IMS_HOSTS. */
  constructor(
    entries: TrustedPeerEntry[],
    private readonly hosts: ImsHosts,
  ) {
    this.any = entries.some((e) => e.kind === 'any');
    this.hasSubnets = entries.some((e) => e.kind === 'subnet');
    for (const e of entries) {
      if (e.kind === 'subnet') {
        this.subnets.addSubnet(e.address, e.prefix, isIP(e.address) === 4 ? 'ipv4' : 'ipv6');
      } else if (e.kind === 'host') {
        let address: string;
        try {
          address = plainAddress(hosts.resolve(e.host));
        } catch (err) {
          throw new ConfigError('SCSCF_TRUSTED_PEERS', (err as Error).message);
        }
        this.peers.push({ label: formatTrustedPeer(e), address, port: e.port });
      }
    }
  }

  /**
   * Why `req` does not come from a trusted peer (the Warning detail of the 403), or
   * undefined when it does.
   */
  refusal(req: SipRequest, context: IncomingContext): string | undefined {
    if (this.any) return undefined;
    const source = plainAddress(context.source.host);
    if (this.subnetHolds(source)) return undefined;
    let viaAddress: string | undefined;
    let viaPort = 5060;
    let sentBy = '?';
    try {
      const via = req.topVia();
      sentBy = via.sentBy;
      viaPort = via.port ?? 5060; // RFC 3261 §18.2.1 / §19.1.2 default port
      viaAddress = plainAddress(this.hosts.resolve(via.host));
    } catch {
      viaAddress = undefined; // a Via host we cannot resolve names no trusted peer
    }
    for (const p of this.peers) {
      if (p.address !== source) continue;
      if (p.port === undefined) return undefined;
      const viaMatches = viaAddress === p.address && viaPort === p.port;
      const portMatches = context.reliable || context.source.port === p.port;
      if (viaMatches && portMatches) return undefined;
    }
    return (
      `REGISTER from ${formatSource(source, context)} (Via ${sentBy}), ` +
      `not a trusted P-/I-CSCF (SCSCF_TRUSTED_PEERS)`
    );
  }

  private subnetHolds(source: string): boolean {
    if (!this.hasSubnets) return false;
    let held = this.inSubnet.get(source);
    if (held === undefined) {
      const family = isIP(source);
      held = family !== 0 && this.subnets.check(source, family === 4 ? 'ipv4' : 'ipv6');
      if (this.inSubnet.size >= SUBNET_CACHE_SIZE) this.inSubnet.clear();
      this.inSubnet.set(source, held);
    }
    return held;
  }

  toString(): string {
    if (this.any) return '*';
    const subnets = this.subnets.rules.map((r) => r.replace(/^Subnet: (IPv[46]) /, ''));
    return [...this.peers.map((p) => `${p.label}=${p.address}`), ...subnets].join(', ');
  }
}

function formatSource(address: string, context: IncomingContext): string {
  const h = address.includes(':') ? `[${address}]` : address;
  return `${h}:${context.source.port}/${context.reliable ? 'TCP' : 'UDP'}`;
}
