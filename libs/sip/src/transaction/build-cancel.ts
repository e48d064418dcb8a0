import { createRequest, type SipRequest } from '../transport/message-api';

/**
 * Builds a CANCEL for a pending request, RFC 3261 §9.1: "The Request-URI, Call-ID, To, the
 * numeric part of CSeq, and From header fields in the CANCEL request MUST be identical to
 * those in the request being cancelled, including tags. A CANCEL constructed by a client MUST
 * have only a single Via header field value matching the top Via value in the request being
 * cancelled. [...] If the request being cancelled contains a Route header field, the CANCEL
 * request MUST include that Route header field's values."
 */
export function buildCancel(request: SipRequest): SipRequest {
  const headers: [string, string][] = [
    ['Via', request.getAll('Via')[0]],
    ['Max-Forwards', '70'],
    ['From', request.get('From')!],
    ['To', request.get('To')!],
    ['Call-ID', request.get('Call-ID')!],
    ['CSeq', `${request.cseq().seq} CANCEL`],
  ];
  for (const route of request.getAll('Route')) headers.push(['Route', route]);
  return createRequest({ method: 'CANCEL', uri: request.uri, headers });
}
