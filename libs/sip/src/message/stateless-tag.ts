import { hash, randomBytes } from 'node:crypto';
import type { SipRequest } from './sip-message';

/**
 * To tags for the responses an element sends without a transaction: a 503 from load shedding,
 * a 400 to a request the parser rejected. Sending them, the element is a stateless UAS, and
 * RFC 3261 §8.2.7 asks two things of it:
 *
 * - "To header tags MUST be generated for responses in a stateless manner - in a manner that
 *   will generate the same tag for the same request consistently": the tag is a keyed hash
 *   of the request's Call-ID and top Via branch, which a retransmission repeats;
 * - "A stateless UAS MUST ignore ACK requests": the ACK an upstream client transaction sends
 *   for a non-2xx response carries that tag, the INVITE's Call-ID and its branch (§17.1.1.3),
 *   so `acknowledgesOwn` recognises it without any state kept, and the element drops it
 *   instead of proxying it to a UA that never saw the INVITE.
 *
 * The key is random per element, so a peer cannot make an element drop an ACK it did not
 * cause.
 */
export class StatelessTags {
  /** ACKs recognised by `acknowledgesOwn` (diagnostics). */
  acksAbsorbed = 0;
  private readonly key = randomBytes(16).toString('hex');

  /** The To tag for a stateless response to a request with this Call-ID and top Via branch. */
  tag(callId: string, branch: string): string {
    return STATELESS_TAG_PREFIX + this.digest(callId, branch);
  }

  /** `tag()` for a parsed request. */
  forRequest(request: SipRequest): string {
    return this.tag(request.callId(), request.topVia().branch ?? '');
  }

  /**
   * Whether `ack` acknowledges a response tagged by this element's `tag()` (counted in
   * `acksAbsorbed`). Any other ACK, a malformed one included, is not.
   */
  acknowledgesOwn(ack: SipRequest): boolean {
    try {
      const tag = ack.to().tag;
      if (!tag?.startsWith(STATELESS_TAG_PREFIX)) return false;
      const digest = this.digest(ack.callId(), ack.topVia().branch ?? '');
      if (tag.slice(STATELESS_TAG_PREFIX.length) !== digest) return false;
    } catch {
      return false;
    }
    this.acksAbsorbed++;
    return true;
  }

  private digest(callId: string, branch: string): string {
    return hash('sha256', `${this.key}\0${callId}\0${branch}`, 'hex').slice(0, 16);
  }
}

/** How a stateless response's To tag starts (not a hex digit: no `generateTag()` tag does). */
export const STATELESS_TAG_PREFIX = 'sl';
