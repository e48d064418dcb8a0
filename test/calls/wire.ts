/**
 * What crossed the wire, as the calls suites check it: the hops a request went through (its
 * Via stack, RFC 3261 §20.42), its Record-Route set (§20.30) and Route (§20.34), by port of
 * the lab's elements (each element listens on its own loopback port; host names vary).
 */
import type { SipMessage, SipRequest } from '@lib/sip';
import { parseMessage } from '@lib/sip';
import type { UeSimulator } from '@lib/ims';
import type { Lab } from '../support/lab';

/** A lab element or a UE, named by the port it listens on. */
export type Hop = string;

function portOf(uri: string): number | undefined {
  const m = /^(?:sips?:)?(?:[^@;>]*@)?(?:\[[^\]]+\]|[^:;>]+):(\d+)/.exec(uri.replace(/^<|>$/g, ''));
  return m ? Number(m[1]) : undefined;
}

/** Names for the ports of one or more labs (`P`, `I`, `S`, `HSS` with a domain letter) and UEs. */
export class HopNames {
  private readonly names = new Map<number, string>();

  constructor(labs: Record<string, Lab>, ues: Record<string, UeSimulator> = {}) {
    for (const [letter, lab] of Object.entries(labs)) {
      this.names.set(lab.ports.pcscf, `P${letter}`);
      this.names.set(lab.ports.icscf, `I${letter}`);
      this.names.set(lab.ports.scscf, `S${letter}`);
    }
    for (const [name, ue] of Object.entries(ues)) this.names.set(ue.stack.port, name);
  }

  add(port: number, name: string): this {
    this.names.set(port, name);
    return this;
  }

  private name(port: number | undefined): Hop {
    if (port === undefined) return '?';
    return this.names.get(port) ?? `:${port}`;
  }

  /** The Via stack of a message, topmost (last hop) first. */
  vias(message: SipMessage): Hop[] {
    return message.via().map((v) => this.name(v.port));
  }

  /** The Record-Route entries, topmost first. */
  recordRoute(message: SipMessage): Hop[] {
    return message.recordRoutes().map((r) => this.name(portOf(r.uri)));
  }

  /** The Route entries, topmost first. */
  route(message: SipMessage): Hop[] {
    return message.routes().map((r) => this.name(portOf(r.uri)));
  }
}

/** Messages of a UE's trace in one direction, parsed, whose summary (method or status) matches. */
export function traced(ue: UeSimulator, direction: 'in' | 'out', summary: string): SipMessage[] {
  return ue.trace.entries
    .filter((e) => e.direction === direction && e.summary.split(' ')[0] === summary)
    .map((e) => parseMessage(e.text));
}

/** The body as text (SDP, sipfrag, dtmf-relay). */
export function bodyOf(message: SipMessage | undefined): string {
  return message?.body?.toString() ?? '';
}

/** Waits until `cond()` holds, polling; fails with `what` after `timeoutMs`. */
export async function eventually(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when `request` came from (was first sent by) the UE: its bottom Via is the UE's. */
export function sentBy(request: SipRequest, ue: UeSimulator): boolean {
  const vias = request.via();
  return vias[vias.length - 1]?.port === ue.stack.port;
}

/**
 * The sum of a counter of a role's /metrics over the series whose labels include `labels`
 * (e.g. `sip_transactions_total` with `{ direction: 'in', method: 'BYE' }`).
 */
export async function counter(
  lab: Lab,
  role: 'pcscf' | 'icscf' | 'scscf',
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metrics = await lab.metrics(role);
  if (!metrics) throw new Error(`${role} serves no /metrics`);
  let sum = 0;
  for (const [series, value] of metrics) {
    if (series !== name && !series.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`))) sum += value;
  }
  return sum;
}
