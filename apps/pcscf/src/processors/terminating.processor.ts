import type { ProcessorResult, ProxyProcessor, ProxyRequest } from '@lib/sip';
import { SipUri } from '@lib/sip';
import { flowDestination, flowKey, flowOf } from '../flows';
import { DIRECTION, type PcscfContext } from './pcscf-context';

/**
 * Requests towards a UE (TS 24.229 §5.2.5 / §5.2.7 terminating side): either routed back
 * over the Path this P-CSCF recorded (the top Route is `sip:<flow-token>@<P-CSCF>;lr`,
 * RFC 5626 §5.3 "the edge proxy ... forwards the request over the flow the token names"), or
 * a mid-dialog request whose Request-URI is the Contact of a registered UE. Both go to the
 * UE over its own flow (its TCP connection, or its UDP source address and port).
 */
export class TerminatingProcessor implements ProxyProcessor {
  readonly name = 'pcscf-terminating';

  constructor(private readonly ctx: PcscfContext) {}

  process(pr: ProxyRequest): ProcessorResult {
    const token = this.flowToken(pr);
    if (token !== undefined) {
      const flow = this.ctx.flows.flow(token);
      if (!flow) {
        // RFC 5626 §5.3: "if the flow token is not valid ... the proxy MUST send a 430
        // (Flow Failed) response".
        pr.respond(430, 'Flow Failed');
        return 'stop';
      }
      pr.data.set(DIRECTION, 'terminating');
      pr.addTarget(undefined, flowDestination(flow));
      return 'continue';
    }
    const reg = this.ctx.registrations.byContact(pr.request.uri);
    if (reg && flowKey(reg.flow) !== flowKey(flowOf(pr.context))) {
      pr.data.set(DIRECTION, 'terminating');
      if (pr.request.routes().length === 0) pr.addTarget(undefined, flowDestination(reg.flow));
      return 'continue';
    }
    // A mid-dialog request for a Contact that is no longer registered (the last NOTIFY of a
    // reg-event subscription after a de-registration): still over the flow it used.
    const known = pr.request.to().tag !== undefined && this.ctx.flows.flowOfContact(pr.request.uri);
    if (known && flowKey(known) !== flowKey(flowOf(pr.context))) {
      pr.data.set(DIRECTION, 'terminating');
      if (pr.request.routes().length === 0) pr.addTarget(undefined, flowDestination(known));
    }
    return 'continue';
  }

  /** The user part of the received top Route when it names this P-CSCF. */
  private flowToken(pr: ProxyRequest): string | undefined {
    const top = pr.received.routes()[0];
    if (!top) return undefined;
    let uri;
    try {
      uri = top.parsedUri();
    } catch {
      return undefined;
    }
    if (!(uri instanceof SipUri) || uri.user === undefined) return undefined;
    const own =
      this.ctx.stack.transportLayer.isLocalAddress(uri.host, uri.port) ||
      (uri.host.toLowerCase() === this.ctx.config.name.toLowerCase() &&
        (uri.port ?? 5060) === this.ctx.stack.port);
    return own ? uri.user : undefined;
  }
}
