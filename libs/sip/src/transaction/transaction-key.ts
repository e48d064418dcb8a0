import { MAGIC_COOKIE, type SipMessage, type SipRequest } from '../transport/message-api';
import { stripBrackets } from '../transport/transport';

/** ACK belongs to the INVITE transaction it acknowledges (RFC 3261 §17.1.3, §17.2.3). */
function transactionMethod(method: string): string {
  return method === 'ACK' ? 'INVITE' : method;
}

/**
 * Client transaction key, RFC 3261 §17.1.3: a response matches a client transaction "if the
 * response has the same value of the branch parameter in the top Via header field as the
 * branch parameter in the top Via header field of the request that created the transaction"
 * and "the method parameter in the CSeq header field matches the method of the request".
 */
export function clientTransactionKey(branch: string, method: string): string {
  return `C ${branch} ${transactionMethod(method)}`;
}

/** The key a response is matched with (top Via branch + CSeq method). */
export function responseTransactionKey(response: SipMessage): string {
  return clientTransactionKey(response.topVia().branch ?? '', response.cseq().method);
}

/**
 * Server transaction key, RFC 3261 §17.2.3. With an RFC 3261 branch (magic cookie): "the
 * branch parameter in the request is equal to the one in the top Via header field of the
 * request that created the transaction, the sent-by value in the top Via of the request is
 * equal to the one in the request that created the transaction, and the method of the request
 * matches the one that created the transaction, except for ACK, where the method of the
 * request that created the transaction is INVITE."
 *
 * Without the cookie (RFC 2543 peers): "the INVITE request matches a transaction if the
 * Request-URI, To tag, From tag, Call-ID, CSeq, and top Via header field match those of the
 * INVITE request which created the transaction." The To tag is checked separately
 * (`rfc2543ToTagMatches`), because an ACK carries the tag of the response instead.
 *
 * `methodOverride` finds the INVITE a CANCEL refers to (§9.2).
 */
export function serverTransactionKey(request: SipRequest, methodOverride?: string): string {
  const via = request.topVia();
  const method = methodOverride ?? transactionMethod(request.method);
  const branch = via.branch;
  if (branch && branch.startsWith(MAGIC_COOKIE)) {
    const sentBy = `${stripBrackets(via.host).toLowerCase()}:${via.port ?? ''}`;
    return `S ${branch} ${sentBy} ${method}`;
  }
  const cseq = request.cseq();
  return [
    'S2543',
    request.uri,
    request.from().tag ?? '',
    request.callId(),
    cseq.seq,
    request.getAll('Via')[0]?.trim() ?? '',
    method,
  ].join(' ');
}

/** True when the request's top Via carries an RFC 3261 branch. */
export function hasRfc3261Branch(request: SipMessage): boolean {
  return (request.topVia().branch ?? '').startsWith(MAGIC_COOKIE);
}
