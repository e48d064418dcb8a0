import { Inject, Injectable } from '@nestjs/common';
import { FailureCause, FailureExplainer } from '@lib/ims';
import { IncomingContext, ServerTransaction, SipRequest, generateTag } from '@lib/sip';
import { FAILURES } from './failure-explainer.provider';
import { SipRequestHandler } from './sip-request-handler';

/**
 * Requests other than REGISTER and SUBSCRIBE until session routing exists: RFC 3261 §8.2.1
 * "501 (Not Implemented)" with a Warning saying why.
 */
@Injectable()
export class NotImplementedRouter implements SipRequestHandler {
  constructor(@Inject(FAILURES) private readonly failures: FailureExplainer) {}

  async handle(
    request: SipRequest,
    tx: ServerTransaction,
    _context: IncomingContext,
  ): Promise<void> {
    tx.respond(
      this.failures.reject(request, FailureCause.BadRequest, {
        status: 501,
        detail: `${request.method} routing is not implemented in this S-CSCF yet (registrar only)`,
        toTag: generateTag(),
      }),
    );
  }
}
