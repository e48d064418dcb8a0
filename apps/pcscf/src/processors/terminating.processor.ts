import type { ProcessorResult, ProxyProcessor, ProxyRequest } from '@lib/sip';
import { SipUri } from '@lib/sip';
import { flowDestination, flowKey, flowOf, type Flow } from '../flows';
import { registrationKey } from '../registration';
import { DIALOG_OWNERS, DIRECTION, type PcscfContext } from './pcscf-context';

/**
 * Requests towards a UE (TS 24.229 §5.2.5 / §5.2.7 terminating side): either routed back
 * over the Path this P-CSCF recorded (the top Route is `sip:<flow-token>@<P-CSCF>;lr`,
 * RFC 5626 §5.3 "the edge proxy ... forwards the request over the flow the token names"), or
 * a mid-dialog request whose Request-URI is the Contact of a registered UE and whose route
 * set ends here (the last Record-Route entry of the dialog is ours, RFC 3261 §12.2.1.1). Both
 * go to the UE over its own flow (its TCP connection, or its UDP source address and port).
 * A mid-dialog request from a UE still carries the rest of its route set (the S-CSCF's
 * Record-Route) and is left to the originating processor.
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
      this.deliver(pr, flow);
      return 'continue';
    }
    if (pr.request.routes().length > 0) return 'continue';
    const reg = this.ctx.registrations.byContact(pr.request.uri);
    if (reg && flowKey(reg.flow) !== flowKey(flowOf(pr.context))) {
      this.deliver(pr, reg.flow);
      return 'continue';
    }
    // A mid-dialog request for a Contact that is no longer registered (the last NOTIFY of a
    // reg-event subscription after a de-registration): still over the flow it used.
    const known = pr.request.to().tag !== undefined && this.ctx.flows.flowOfContact(pr.request.uri);
    if (known && flowKey(known) !== flowKey(flowOf(pr.context))) this.deliver(pr, known);
    return 'continue';
  }

  /** To the UE over `flow`; the dialogs it creates belong to the UE's registration there. */
  private deliver(pr: ProxyRequest, flow: Flow): void {
    pr.data.set(DIRECTION, 'terminating');
    const regs = this.ctx.registrations.ofFlow(flow);
    const reg =
      regs.find((r) => r.contacts.some((c) => c === pr.request.uri)) ??
      this.ctx.registrations.byContact(pr.request.uri) ??
      regs[0];
    if (reg) pr.data.set(DIALOG_OWNERS, [registrationKey(reg)]);
    pr.addTarget(undefined, flowDestination(flow));
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
