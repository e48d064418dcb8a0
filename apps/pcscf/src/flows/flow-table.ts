import { createHash, randomBytes } from 'node:crypto';
import {
  ownString,
  parseUri,
  SipUri,
  StringInterner,
  SweepTimer,
  type Destination,
  type IncomingContext,
} from '@lib/sip';

/**
 * A flow (RFC 5626 §3): the transport, the UE's address and port as seen by the P-CSCF. Over
 * TCP it is the connection the UE opened; requests to the UE must reuse it (the UE may be
 * behind a NAT and usually does not listen where its Contact says).
 */
export interface Flow {
  transport: Destination['transport'];
  host: string;
  port: number;
}

export function flowOf(context: IncomingContext): Flow {
  return {
    transport: context.source.transport,
    host: context.source.host,
    port: context.source.port,
  };
}

/** UE addresses: a few hosts for many flows (e.g. one per NAT or test machine). */
const HOSTS = new StringInterner(4096);

/** The table's own copy of a flow: its host string interned, never changed once made. */
function copyFlow(flow: Flow): Flow {
  return { transport: flow.transport, host: HOSTS.intern(flow.host), port: flow.port };
}

export function flowKey(flow: Flow): string {
  return `${flow.transport}:${flow.host.toLowerCase()}:${flow.port}`;
}

/**
 * Flow tokens for Path (RFC 5626 §5.2: the edge proxy "MUST ... place a flow token in the
 * user part of the URI" it records): an opaque token per flow, so a terminating request
 * routed back by the S-CSCF over `Path` reaches the UE on the flow it registered on. The
 * token is a keyed hash of the flow under a random per-process key (RFC 5626 §5.2's example
 * algorithm signs the flow with an HMAC): the same flow gets the same token without a
 * flow -> token map, and a token cannot be forged. The table maps each token it handed out
 * back to its flow, so only flows in use (plus a grace time) are valid.
 */
export class FlowTable {
  private readonly byToken = new Map<string, Flow>();
  /** Tokens taken back from a previous process (another key), by flow key. Usually empty. */
  private readonly adopted = new Map<string, string>();
  private readonly secret = randomBytes(32);
  private readonly byContact = new Map<string, Flow>();
  /**
   * Flows (`f:` + flow key) and Contacts (`c:` + contact key) no registration uses any more,
   * with the time they are forgotten: kept `graceMs` longer for the dialogs and the last
   * NOTIFY that still reach the UE over them, then dropped, so the table holds what live
   * registrations use (plus a grace window) and not every flow ever seen.
   */
  private readonly released = new Map<string, number>();
  private readonly sweeper: SweepTimer;

  /**
   * @param graceMs how long a released flow or Contact is still known.
   * @param now the clock (injected for tests).
   * @param registeredFlowOf the flow of a Contact a live registration holds (the P-CSCF's
   *   registration store). When given, the table keeps only the Contacts no registration
   *   holds any more (released, for their grace time) and asks the store for the others:
   *   one index entry per registered Contact instead of two.
   */
  constructor(
    private readonly graceMs = 30 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly registeredFlowOf?: (contact: string) => Flow | undefined,
  ) {
    this.sweeper = new SweepTimer(() => this.sweep(), 1000, now);
  }

  /** The token of a flow (the same one every time the flow registers). */
  tokenFor(flow: Flow): string {
    const key = flowKey(flow);
    if (this.released.size > 0) this.released.delete(`f:${key}`);
    const token = this.tokenOf(key);
    if (!this.byToken.has(token)) this.byToken.set(token, copyFlow(flow));
    return token;
  }

  /** The token of a flow key: adopted from a previous process, or the keyed hash (96 bits). */
  private tokenOf(key: string): string {
    const adopted = this.adopted.size > 0 ? this.adopted.get(key) : undefined;
    if (adopted !== undefined) return adopted;
    // SHA-256 of the fixed-length secret and the flow key, cut to 96 bits: unpredictable
    // without the secret (the cut output leaves nothing to extend), and about a third of the
    // CPU of createHmac, whose key set-up per call dominated (2-3 vs 5-7 µs, micro-benchmark).
    return createHash('sha256')
      .update(this.secret)
      .update(key)
      .digest()
      .toString('base64url', 0, 12);
  }

  /**
   * Takes back the token a flow had in a previous process (restored registrations): the
   * S-CSCF still holds Path values carrying it. Ignored when the flow or the token is known.
   */
  adopt(flow: Flow, token: string): void {
    const key = flowKey(flow);
    this.released.delete(`f:${key}`);
    if (this.byToken.has(token) || this.byToken.has(this.tokenOf(key))) return;
    this.adopted.set(ownString(key), ownString(token));
    this.byToken.set(ownString(token), copyFlow(flow));
  }

  /** The flow of a token, or undefined (unknown or forged token). */
  flow(token: string): Flow | undefined {
    return this.byToken.get(token);
  }

  /**
   * Remembers the flow a Contact registered on. Kept after de-registration: the dialogs of
   * that Contact (e.g. the final reg-event NOTIFY "terminated" the S-CSCF sends to the UE
   * after a network-initiated de-registration) still go to the UE over its flow.
   */
  bindContact(contact: string, flow: Flow): void {
    const key = contactKey(contact);
    if (!key) return;
    this.released.delete(`c:${key}`);
    if (this.registeredFlowOf) {
      // The registration store answers for it while it is registered.
      this.byContact.delete(key);
      return;
    }
    this.byContact.set(ownString(key), this.known(flow));
  }

  /** The flow a Contact last registered on, or undefined. */
  flowOfContact(uri: string): Flow | undefined {
    const registered = this.registeredFlowOf?.(uri);
    if (registered) return registered;
    const key = contactKey(uri);
    return key ? this.byContact.get(key) : undefined;
  }

  /** Forgets a flow (its registrations are gone). */
  forget(flow: Flow): void {
    this.forgetKey(flowKey(flow));
  }

  /**
   * No registration uses these Contacts (and, when `flowToo`, the flow) any more: they are
   * forgotten `graceMs` from now unless registered again before.
   */
  release(flow: Flow, contacts: readonly string[], flowToo: boolean): void {
    const at = this.now() + this.graceMs;
    if (flowToo) this.released.set(ownString(`f:${flowKey(flow)}`), at);
    for (const c of contacts) {
      const key = contactKey(c);
      if (!key) continue;
      this.released.set(ownString(`c:${key}`), at);
      if (this.registeredFlowOf) this.byContact.set(ownString(key), this.known(flow));
    }
    this.sweeper.schedule(at);
  }

  /** Flows and Contacts known (tokens, Contacts), for tests and diagnostics. */
  size(): { flows: number; contacts: number } {
    return { flows: this.byToken.size, contacts: this.byContact.size };
  }

  /** Stops the release timer (shutdown). */
  close(): void {
    this.sweeper.stop();
  }

  private sweep(): void {
    const now = this.now();
    let next = Infinity;
    for (const [key, at] of this.released) {
      if (at > now) {
        next = Math.min(next, at);
        continue;
      }
      this.released.delete(key);
      if (key.startsWith('f:')) this.forgetKey(key.slice(2));
      else this.byContact.delete(key.slice(2));
    }
    this.sweeper.schedule(next);
  }

  /** The flow's one copy when it has a token (flows are never changed once made). */
  private known(flow: Flow): Flow {
    return this.byToken.get(this.tokenOf(flowKey(flow))) ?? copyFlow(flow);
  }

  private forgetKey(key: string): void {
    this.byToken.delete(this.tokenOf(key));
    this.adopted.delete(key);
  }
}

/**
 * Where to send a request to the UE over its flow: marked as a flow, so a large request stays
 * on the UE's UDP flow instead of the RFC 3261 §18.1.1 switch to TCP (requests towards the
 * core still switch).
 */
export function flowDestination(flow: Flow): Destination {
  return { host: flow.host, port: flow.port, transport: flow.transport, flow: true };
}

/** `user@host:port` of a SIP URI (RFC 3261 §19.1.4: host case-insensitive), or undefined. */
function contactKey(uri: string): string | undefined {
  try {
    const u = parseUri(uri);
    if (!(u instanceof SipUri)) return undefined;
    return `${u.user ?? ''}@${u.host.toLowerCase()}:${u.port ?? 5060}`;
  } catch {
    return undefined;
  }
}
