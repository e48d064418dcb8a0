import { UserAuthorizationType } from '@lib/diameter';
import type { UarFields } from '@lib/ims';
import { SipUri, TelUri, type SipRequest } from '@lib/sip';

/**
 * The UAR an I-CSCF sends for a REGISTER, TS 24.229 §5.3.1.2 / TS 29.228 §6.1.1 Table
 * 6.1.1.1: User-Name is the private user identity from the Authorization header's
 * `username` ("if present"), otherwise derived from the public user identity in To by
 * removing the URI scheme (TS 24.229 §5.3.1.2 / TS 33.203 for a REGISTER without
 * credentials); Public-Identity is the To URI; Visited-Network-Identifier is
 * P-Visited-Network-ID (the home domain when the P-CSCF is in the home network and sent
 * none); User-Authorization-Type is DE_REGISTRATION when the REGISTER removes every binding.
 *
 * Throws SipParseError when To, Contact or Authorization are malformed (the caller answers 400).
 */
export function uarFieldsOf(request: SipRequest, homeDomain: string): UarFields {
  const to = request.to();
  const publicIdentity = withoutParams(to.parsedUri());
  const digest = request.authorizations().find((a) => a.scheme.toLowerCase() === 'digest');
  const username = digest?.params.get('username');
  const visited = request.pVisitedNetworkIds()[0]?.value;
  return {
    userName: username && username.length > 0 ? username : impiFromImpu(to.parsedUri()),
    publicIdentity,
    visitedNetworkIdentifier: visited ?? homeDomain,
    userAuthorizationType: isDeregistration(request)
      ? UserAuthorizationType.DE_REGISTRATION
      : UserAuthorizationType.REGISTRATION,
  };
}

/**
 * RFC 3261 §10.2.2: a REGISTER removes bindings with `Contact: *` and `Expires: 0`, or when
 * every Contact's expiration interval (its `expires` parameter, else the Expires header) is 0.
 */
export function isDeregistration(request: SipRequest): boolean {
  const contacts = request.contacts();
  if (contacts.length === 0) return false;
  if (contacts[0].star) return true;
  const expires = request.expires();
  return contacts.every((c) => (c.expires ?? expires) === 0);
}

function impiFromImpu(uri: ReturnType<SipRequest['requestUri']>): string {
  if (uri instanceof SipUri) return uri.user !== undefined ? `${uri.user}@${uri.host}` : uri.host;
  if (uri instanceof TelUri) return uri.number;
  return uri.toString().replace(/^[a-z][a-z0-9+.-]*:/i, '');
}

/** A To URI may carry URI parameters; the IMPU is the URI without them. */
function withoutParams(uri: ReturnType<SipRequest['requestUri']>): string {
  if (!(uri instanceof SipUri) || uri.params.size === 0) return uri.toString();
  const bare = uri.clone();
  bare.params.clear();
  return bare.toString();
}
