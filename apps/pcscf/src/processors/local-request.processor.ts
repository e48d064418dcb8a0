import type { ProcessorResult, ProxyProcessor, ProxyRequest } from '@lib/sip';
import type { RegEventSubscriber } from '../reg-event';

/**
 * Requests the P-CSCF answers itself: NOTIFYs of its own reg-event subscriptions (TS 24.229
 * §5.2.3) and OPTIONS addressed to the P-CSCF (RFC 3261 §11, a keep-alive or capability query).
 */
export class LocalRequestProcessor implements ProxyProcessor {
  readonly name = 'pcscf-local';

  constructor(
    private readonly subscriber: RegEventSubscriber,
    private readonly isOwn: (pr: ProxyRequest) => boolean,
  ) {}

  process(pr: ProxyRequest): ProcessorResult {
    if (this.subscriber.owns(pr)) {
      this.subscriber.onNotify(pr);
      return 'stop';
    }
    if (pr.method === 'OPTIONS' && this.isOwn(pr) && pr.request.routes().length === 0) {
      pr.respond(200, undefined, [
        [
          'Allow',
          'REGISTER, INVITE, ACK, BYE, CANCEL, OPTIONS, SUBSCRIBE, NOTIFY, PRACK, UPDATE, MESSAGE, INFO, REFER',
        ],
      ]);
      return 'stop';
    }
    return 'continue';
  }
}
