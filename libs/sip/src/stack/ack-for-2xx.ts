import {
  createRequest,
  generateBranch,
  SipUri,
  type SipRequest,
  type SipResponse,
} from '../transport/message-api';

/**
 * The ACK a UAC core sends for a 2xx to its INVITE, RFC 3261 §13.2.2.4: "The UAC core MUST
 * generate an ACK request for each 2xx received from the transaction layer. The header fields
 * of the ACK are constructed in the same way as for any request sent within a dialog (see
 * Section 12) with the exception of the CSeq and the header fields related to
 * authentication. The sequence number of the CSeq header field MUST be the same as the INVITE
 * being acknowledged, but the CSeq method MUST be ACK."
 *
 * The dialog's route set is the 2xx's Record-Route in reverse order and the remote target
 * its Contact (§12.1.2); the Request-URI and Route follow §12.2.1.1 (loose routing when the
 * first route has `lr`, else the strict-router form). The ACK gets a new branch: it is a
 * transaction of its own, sent with `SipStack.sendStateless`.
 */
export function buildAckFor2xx(invite: SipRequest, response: SipResponse): SipRequest {
  const routeSet = [...response.recordRoutes()].reverse();
  const contact = response.contacts()[0];
  const remoteTarget = contact?.uri ?? invite.uri;
  let uri = remoteTarget;
  // Raw values, reversed: route entries are copied byte for byte.
  const rawRoutes = response.getAll('Record-Route').reverse();
  let routes = rawRoutes;
  const first = routeSet[0]?.parsedUri();
  if (first && !(first instanceof SipUri && first.params.has('lr'))) {
    // §12.2.1.1 strict routing: first route becomes the Request-URI, remote target goes last.
    uri = routeSet[0].uri;
    routes = [...rawRoutes.slice(1), `<${remoteTarget}>`];
  }
  const headers: [string, string][] = [
    ['Via', `SIP/2.0/UDP 0.0.0.0;branch=${generateBranch()};rport`],
    ['Max-Forwards', '70'],
    ...routes.map((r): [string, string] => ['Route', r]),
    ['From', invite.get('From')!],
    ['To', response.get('To')!],
    ['Call-ID', invite.callId()],
    ['CSeq', `${invite.cseq().seq} ACK`],
  ];
  return createRequest({ method: 'ACK', uri, headers });
}
