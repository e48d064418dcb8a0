import { SipUri, type SipRequest } from '../transport/message-api';

/**
 * Route information preprocessing, RFC 3261 §16.4.
 *
 * "The proxy MUST inspect the Request-URI of the request. If the Request-URI of the request
 * contains a value this proxy previously placed into a Record-Route header field, the proxy
 * MUST replace the Request-URI in the request with the last value from the Route header
 * field, and remove that value from the Route header field." (the previous hop was a strict
 * router)
 *
 * "If the first value in the Route header field indicates this proxy, the proxy MUST remove
 * that value from the request." (loose routing)
 *
 * A pair of own values that differ only in transport (RFC 5658 double Record-Routing) is
 * removed together. `isOwnUri` says whether a URI names this proxy. Returns what was done (for logging/tests).
 */
export function preprocessRouteInformation(
  request: SipRequest,
  isOwnUri: (uri: SipUri) => boolean,
): { strictRouteFixed: boolean; ownRouteRemoved: boolean } {
  let strictRouteFixed = false;
  let ownRouteRemoved = false;
  const routes = request.getAll('Route');
  if (routes.length > 0) {
    const ruri = safeSipUri(() => request.requestUri());
    if (ruri && isOwnUri(ruri)) {
      const last = request.routes()[routes.length - 1];
      request.set('Route', routes.slice(0, -1));
      if (routes.length === 1) request.remove('Route');
      request.setUri(last.uri);
      strictRouteFixed = true;
    }
  }
  const top = request.routes()[0];
  if (top) {
    const uri = safeSipUri(() => top.parsedUri());
    if (uri && isOwnUri(uri)) {
      request.removeFirst('Route');
      ownRouteRemoved = true;
      // RFC 5658: a proxy that Record-Routed twice (one value per transport) removes
      // both. Its twin is the next value if it names this proxy with the same user part and
      // another transport; two equal values (two legs through one element) stay for the
      // second pass.
      const next = request.routes()[0];
      const twin = next && safeSipUri(() => next.parsedUri());
      if (
        twin &&
        isOwnUri(twin) &&
        twin.user === uri.user &&
        (twin.transport ?? 'udp') !== (uri.transport ?? 'udp')
      ) {
        request.removeFirst('Route');
      }
    }
  }
  return { strictRouteFixed, ownRouteRemoved };
}

/**
 * §16.6 step 6 (postprocess routing information): "If the copy contains a Route header
 * field, the proxy MUST inspect the URI in its first value. If that URI does not contain an
 * lr parameter, the proxy MUST modify the copy as follows: - The proxy MUST place the
 * Request-URI into the Route header field as the last value. - The proxy MUST then place the
 * first Route header field value into the Request-URI and remove that value from the Route
 * header field." Returns true when the next hop is a strict router.
 */
export function postprocessStrictRoute(request: SipRequest): boolean {
  const top = request.routes()[0];
  if (!top) return false;
  const uri = safeSipUri(() => top.parsedUri());
  if (!uri || uri.params.has('lr')) return false;
  request.removeFirst('Route');
  request.append('Route', `<${request.uri}>`);
  request.setUri(top.uri);
  return true;
}

function safeSipUri(get: () => unknown): SipUri | undefined {
  try {
    const uri = get();
    return uri instanceof SipUri ? uri : undefined;
  } catch {
    return undefined;
  }
}
