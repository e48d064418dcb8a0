import { createRequest, type SipRequest, type SipResponse } from '../transport/message-api';

/**
 * Builds the ACK for a non-2xx final response inside the INVITE client transaction, RFC 3261
 * §17.1.1.3: "The ACK request constructed by the client transaction MUST contain values for
 * the Call-ID, From, and Request-URI that are equal to the values of those header fields in
 * the request passed to the transport by the client transaction [...]. The To header field in
 * the ACK MUST equal the To header field in the response being acknowledged [...]. The ACK
 * MUST contain a single Via header field, and this MUST be equal to the top Via header field
 * of the original request. The CSeq header field in the ACK MUST contain the same value for
 * the sequence number as was present in the original request, but the method parameter MUST
 * be equal to 'ACK'. If the INVITE request whose response is being acknowledged had Route
 * header fields, those header fields MUST appear in the ACK."
 */
export function buildAckForNon2xx(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: [string, string][] = [
    ['Via', invite.getAll('Via')[0]],
    ['Max-Forwards', '70'],
    ['From', invite.get('From')!],
    ['To', response.get('To')!],
    ['Call-ID', invite.get('Call-ID')!],
    ['CSeq', `${invite.cseq().seq} ACK`],
  ];
  for (const route of invite.getAll('Route')) headers.push(['Route', route]);
  return createRequest({ method: 'ACK', uri: invite.uri, headers });
}
