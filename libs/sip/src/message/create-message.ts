import { Uri } from '../uri/parse-uri';
import { HeaderList } from './header-list';
import { reasonPhrase } from './reason-phrase';
import { SipRequest, SipResponse } from './sip-message';

export { generateBranch, generateTag } from './via';

/** Builds a request from parts; headers are added in the given order, nothing is validated. */
export function createRequest(opts: {
  method: string;
  uri: string | Uri;
  headers?: [string, string][];
  body?: Buffer | string;
}): SipRequest {
  const headers = new HeaderList();
  for (const [name, value] of opts.headers ?? []) headers.append(name, value);
  headers.modified = true;
  const body =
    typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : (opts.body ?? Buffer.alloc(0));
  return new SipRequest(opts.method, opts.uri, headers, body);
}

/**
 * RFC 3261 §8.2.6.2: "the From field of the response MUST equal the From header field of the
 * request. The Call-ID ... MUST equal ... The CSeq ... MUST equal ... The Via header field
 * values in the response MUST equal the Via header field values in the request and MUST
 * maintain the same ordering." The To is copied and, if the request had no To tag, the
 * given `toTag` is added. The header lines are shared with the request, byte for byte.
 *
 * Also copied: Timestamp into a 100 (§8.2.6.1: "it MUST copy this header field into the
 * response"), and with `recordRoute: true` the Record-Route values, for a response that
 * establishes a dialog (§12.1.1: "the UAS MUST copy all Record-Route header field values from
 * the request into the response ... and MUST maintain the order").
 */
export function createResponse(
  req: SipRequest,
  status: number,
  reason?: string,
  opts: { toTag?: string; recordRoute?: boolean } = {},
): SipResponse {
  const copied = new Set(['via', 'from', 'to', 'call-id', 'cseq']);
  if (status === 100) copied.add('timestamp');
  if (opts.recordRoute) copied.add('record-route');
  const fields = [...req.headers].filter((f) => copied.has(f.key));
  const headers = new HeaderList(fields);
  if (opts.toTag !== undefined && req.to().tag === undefined) {
    headers.set('To', `${req.get('To')};tag=${opts.toTag}`);
  }
  headers.modified = true;
  return new SipResponse(status, reason ?? reasonPhrase(status), headers);
}
