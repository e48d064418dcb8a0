import { reasonPhrase } from '../message/reason-phrase';

/**
 * A message, header or URI that does not match the RFC 3261 §25 grammar (or breaks a rule an
 * element must enforce before processing, e.g. §8.2.2 / §16.3 request validation).
 *
 * `statusCode` is the response an element should send for a request (400 Bad Request usually,
 * 505 Version Not Supported for an unknown SIP-Version, 416 for an unsupported URI scheme,
 * 501 for an unknown method ...); a malformed response is simply discarded (RFC 3261 §18.1.2).
 */
export class SipParseError extends Error {
  /** Canonical name of the header that failed, when known (e.g. "Via", "CSeq"). */
  readonly header?: string;
  /** The 4xx/5xx an element should answer with. */
  readonly statusCode: number;
  /** Reason-Phrase for that answer, e.g. "Bad Request: malformed Via". */
  readonly reasonPhrase: string;
  /** What was wrong, without the header's name (e.g. `expected "="`), when the parser said. */
  readonly problem?: string;

  constructor(
    detail: string,
    opts: { header?: string; statusCode?: number; problem?: string } = {},
  ) {
    const statusCode = opts.statusCode ?? 400;
    // The phrase goes on a Status-Line: no CR, LF or other control characters (RFC 3261 §25.1).
    const phrase = `${reasonPhrase(statusCode)}: ${detail.replace(/[\x00-\x1f\x7f]/g, ' ')}`;
    super(opts.header ? `${phrase} (${opts.header})` : phrase);
    this.name = 'SipParseError';
    this.header = opts.header;
    this.statusCode = statusCode;
    this.reasonPhrase = phrase;
    this.problem = opts.problem;
  }
}
