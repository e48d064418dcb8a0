import type { IncomingContext, ServerTransaction, SipRequest } from '@lib/sip';

/**
 * One kind of request the S-CSCF serves as a transaction user (RFC 3261 §17): the registrar
 * (REGISTER), the reg event notifier (SUBSCRIBE), and later call routing (INVITE & co.).
 * A handler answers through `tx.respond()` and never throws.
 */
export interface SipRequestHandler {
  handle(request: SipRequest, tx: ServerTransaction, context: IncomingContext): Promise<void>;
}

/**
 * The hook where routing of other requests (originating/terminating sessions, TS 24.229
 * §5.4.3) plugs in; until then NotImplementedRouter answers them.
 */
export const CALL_ROUTER = Symbol('CALL_ROUTER');
