/**
 * RFC 6733 §3 identifiers.
 *
 * End-to-End Identifier: "The originator of a request MUST insert a unique identifier on each
 * message. The identifier MUST remain locally unique for a period of at least 4 minutes, even
 * across reboots. The originator MAY set the high order 12 bits to contain the low order 12
 * bits of current time, and the low order 20 bits to a random value."
 *
 * Hop-by-Hop Identifier: "The sender MUST ensure that the Hop-by-Hop Identifier in a request is
 * unique on a given connection at any given time"; a counter that starts at a random value.
 */
import { randomInt } from 'node:crypto';

export class EndToEndIdGenerator {
  private low20: number;

  constructor(private readonly now: () => number = Date.now) {
    this.low20 = randomInt(0, 1 << 20);
  }

  next(): number {
    this.low20 = (this.low20 + 1) & 0xfffff;
    const high12 = Math.floor(this.now() / 1000) & 0xfff;
    return ((high12 << 20) | this.low20) >>> 0;
  }
}

export class HopByHopIdGenerator {
  private value = randomInt(0, 2 ** 32 - 1);

  next(): number {
    this.value = (this.value + 1) >>> 0;
    return this.value;
  }
}

/** The process-wide End-to-End generator used by createRequest(). */
export const endToEndIds = new EndToEndIdGenerator();

/**
 * RFC 6733 §8.8 Session-Id: "<DiameterIdentity>;<high 32 bits>;<low 32 bits>[;<optional value>]
 * ... The high and low 32 bits MUST be decimal representations of the high and low 32 bits of a
 * monotonically increasing 64-bit value. The 64-bit value is rendered in two parts to simplify
 * formatting by 32-bit processors. At startup, the high 32 bits of the 64-bit value MAY be
 * initialized to the time in NTP format, and the low 32 bits MAY be initialized to zero."
 */
export class SessionIdGenerator {
  private high: number;
  private low = 0;

  constructor(now: () => number = Date.now) {
    this.high = (Math.floor(now() / 1000) + 2208988800) >>> 0;
  }

  next(originHost: string, optional?: string): string {
    this.low = (this.low + 1) >>> 0;
    if (this.low === 0) this.high = (this.high + 1) >>> 0;
    return `${originHost};${this.high};${this.low}${optional ? `;${optional}` : ''}`;
  }
}

export const sessionIds = new SessionIdGenerator();

/** A new Session-Id for this Diameter node (RFC 6733 §8.8). */
export function createSessionId(originHost: string, optional?: string): string {
  return sessionIds.next(originHost, optional);
}
