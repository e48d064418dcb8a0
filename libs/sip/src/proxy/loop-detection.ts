import { hash } from 'node:crypto';
import { MAGIC_COOKIE, type SipRequest } from '../transport/message-api';

/**
 * Loop detection by branch, RFC 3261 §16.6 step 8: "the proxy [...] include[s] in the branch
 * a hash of the To tag, From tag, Call-ID header field, the Request-URI of the request
 * received (before translation), the topmost Via header, and the sequence number from the
 * CSeq header field, in addition to any Proxy-Require and Proxy-Authorization header fields".
 *
 * `topVia` is passed explicitly: on receipt (§16.3 step 4) the proxy recomputes the hash with
 * the Via value just below its own Via, which is the top Via it saw on the earlier pass.
 *
 * The Route header field as received is hashed too. With loose routing (RFC 3261 §16.4) a
 * request legitimately spirals through one element with the same Request-URI, tags and CSeq
 * and only a shorter route set: in IMS the S-CSCF sees an INVITE first on the originating leg
 * (Route: its Service-Route entry) and again on the terminating leg (Route: its Server-Name
 * from the I-CSCF), and an in-dialog request passes a P-CSCF that Record-Routed both legs
 * twice. A real loop repeats the route set as well, so it is still detected.
 */
export function loopHash(request: SipRequest, topVia: string): string {
  // One-shot hash of the joined text (each part followed by NUL): the same digest as hashing
  // the parts one by one, without a Hash object per request (crypto.hash, Node >= 20.12).
  const parts = [
    request.to().tag ?? '',
    request.from().tag ?? '',
    request.callId(),
    request.uri,
    topVia.trim(),
    String(request.cseq().seq),
    request.getAll('Proxy-Require').join(','),
    request.getAll('Proxy-Authorization').join(','),
    request.getAll('Route').join(','),
  ];
  return hash('sha256', parts.join('\0') + '\0', 'hex').slice(0, 20);
}

/** Branch for the n-th forwarded copy: magic cookie, loop hash, copy number. */
export function proxyBranch(hash: string, copy: number): string {
  return `${MAGIC_COOKIE}${hash}.${copy}`;
}

/** The loop hash inside a branch made by `proxyBranch`, if it is one. */
export function hashFromBranch(branch: string | undefined): string | undefined {
  if (!branch?.startsWith(MAGIC_COOKIE)) return undefined;
  const m = /^([0-9a-f]{20})\.\d+$/.exec(branch.slice(MAGIC_COOKIE.length));
  return m?.[1];
}

/**
 * RFC 3261 §16.3 step 4: "If the request contains a Via header field with a sent-by value
 * that equals a value placed into previous requests by the proxy, the request has been
 * forwarded by this element before. The request has either looped or is legitimately
 * spiraling through the element. To determine if the request has looped, the element MAY
 * perform the branch parameter calculation described in Step 8 of Section 16.6 on this
 * message and compare it to the parameter received in that Via header field. If the
 * parameters match, the request has looped. If they differ, the request is spiraling".
 */
export function isLoop(
  request: SipRequest,
  isOwnSentBy: (host: string, port: number | undefined) => boolean,
): boolean {
  const vias = request.via();
  const raw = request.getAll('Via');
  for (let i = 0; i < vias.length; i++) {
    if (!isOwnSentBy(vias[i].host, vias[i].port)) continue;
    const hash = hashFromBranch(vias[i].branch);
    if (hash && raw[i + 1] !== undefined && loopHash(request, raw[i + 1]) === hash) return true;
  }
  return false;
}
