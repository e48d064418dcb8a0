import { randomBytes } from 'node:crypto';
import { ownString, parseUri, SipUri, type Destination, type IncomingContext } from '@lib/sip';

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

export function flowKey(flow: Flow): string {
  return `${flow.transport}:${flow.host.toLowerCase()}:${flow.port}`;
}

/**
 * Flow tokens for Path (RFC 5626 §5.2: the edge proxy "MUST ... place a flow token in the
 * user part of the URI" it records): an opaque random token per flow, so a terminating
 * request routed back by the S-CSCF over `Path` reaches the UE on the flow it registered on.
 */
export class FlowTable {
  private readonly byToken = new Map<string, Flow>();
  private readonly byKey = new Map<string, string>();
  private readonly byContact = new Map<string, Flow>();

  /** The token of a flow (the same one every time the flow registers). */
  tokenFor(flow: Flow): string {
    const key = flowKey(flow);
    let token = this.byKey.get(key);
    if (!token) {
      token = randomBytes(12).toString('base64url');
      this.byKey.set(ownString(key), token);
      this.byToken.set(token, { ...flow });
    }
    return token;
  }

  /**
   * Takes back the token a flow had in a previous process (restored registrations): the
   * S-CSCF still holds Path values carrying it. Ignored when the flow or the token is known.
   */
  adopt(flow: Flow, token: string): void {
    const key = flowKey(flow);
    if (this.byKey.has(key) || this.byToken.has(token)) return;
    this.byKey.set(key, token);
    this.byToken.set(token, { ...flow });
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
    // The flow's one copy when it has a token (flows are never changed once made).
    const token = this.byKey.get(flowKey(flow));
    const known = token === undefined ? undefined : this.byToken.get(token);
    this.byContact.set(ownString(key), known ?? { ...flow });
  }

  /** The flow a Contact last registered on, or undefined. */
  flowOfContact(uri: string): Flow | undefined {
    const key = contactKey(uri);
    return key ? this.byContact.get(key) : undefined;
  }

  /** Forgets a flow (its registrations are gone). */
  forget(flow: Flow): void {
    const key = flowKey(flow);
    const token = this.byKey.get(key);
    if (token) this.byToken.delete(token);
    this.byKey.delete(key);
  }
}

/** Where to send a request to the UE over its flow. */
export function flowDestination(flow: Flow): Destination {
  return { host: flow.host, port: flow.port, transport: flow.transport };
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
