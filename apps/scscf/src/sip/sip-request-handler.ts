import type { IncomingContext, ServerTransaction, SipRequest } from '@lib/sip';

/**
 * One kind of request the S-CSCF serves as a transaction user (RFC 3261 §17): the registrar
 * (REGISTER) and the reg event notifier (SUBSCRIBE Event: reg); everything else is proxied.
 * A handler answers through `tx.respond()` and never throws.
 */
export interface SipRequestHandler {
  handle(request: SipRequest, tx: ServerTransaction, context: IncomingContext): Promise<void>;
}
