import { isAscii } from 'node:buffer';
import { SipParseError } from '../errors/sip-parse-error';
import { Uri, parseUri } from '../uri/parse-uri';
import { SipUri } from '../uri/sip-uri';
import { HTAB, SP, isToken, parseDigits } from './grammar';
import { HeaderField, HeaderList } from './header-list';
import { headerKey, matchKnownName } from './header-names';
import { SipMessage, SipMessageBase, SipRequest, SipResponse } from './sip-message';

/** Methods of RFC 3261 and its extensions that this stack knows (for the 501 decision). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
]);

const CRLFCRLF = Buffer.from('\r\n\r\n');
/** The body of every message without one (zero octets: nothing can write into it). */
const NO_BODY = Buffer.alloc(0);

/** Index of the first LF LF (or LF CR LF) at or after `from`, or -1. */
function findLfLf(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(0x0a, from); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    if (buf[i + 1] === 0x0a) return i;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i;
  }
  return -1;
}

function fail(detail: string, header?: string, statusCode = 400): never {
  throw new SipParseError(detail, { header, statusCode });
}

/**
 * Parses one complete message: a UDP datagram (RFC 3261 §18.3) or a message a stream framer
 * has cut out. Leading CRLFs (keep-alives, §7.5) are skipped. The body is framed by
 * Content-Length; without one the body is the rest of the datagram; octets beyond
 * Content-Length are ignored (RFC 4475 §3.1.1.8); a Content-Length larger than the data is
 * an error (§3.1.2.2).
 *
 * The start line, the mandatory headers (Via - top value only -, From, To, Call-ID, CSeq,
 * Max-Forwards when present, Content-Length) are parsed and validated here, so a message
 * that comes out can be matched to a transaction and answered; every other header is parsed
 * when first accessed. Max-Forwards is not required: RFC 2543 requests lack it
 * (RFC 4475 §3.4.1), and a proxy adds it (RFC 3261 §16.6 step 3).
 *
 * The message keeps references into `data` (its body and the untouched-message fast path of
 * toBuffer() are views of it): do not reuse that buffer for other data afterwards.
 *
 * @throws SipParseError with the status an element should answer (400, 505, 501 ...).
 */
export function parseMessage(data: Buffer | string): SipMessage {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  if (start >= buf.length) fail('empty message');

  // The header section ends at the first empty line: CRLF CRLF, or LF LF from a sender that
  // ends lines with a bare LF (tolerated; detected on the first line end).
  const firstLf = buf.indexOf(0x0a, start);
  const bareLf = firstLf > start && buf[firstLf - 1] !== 0x0d;
  const headEnd = bareLf ? findLfLf(buf, firstLf) : buf.indexOf(CRLFCRLF, start);
  const sepLen = !bareLf ? 4 : buf[headEnd + 1] === 0x0a ? 2 : 3;
  if (headEnd < 0) fail('header section not terminated by an empty line');

  // Read the header section octet for octet when it is ASCII (the usual case) or not UTF-8
  // (so untouched headers still serialize byte-identical), as UTF-8 otherwise.
  let encoding: 'utf8' | 'latin1' = 'utf8';
  let head: string;
  if (isAscii(buf.subarray(start, headEnd))) head = buf.toString('latin1', start, headEnd);
  else {
    head = buf.toString('utf8', start, headEnd);
    if (head.indexOf('\uFFFD') >= 0) {
      encoding = 'latin1';
      head = buf.toString('latin1', start, headEnd);
    }
  }

  let nl = head.indexOf('\n');
  if (nl < 0) nl = head.length;
  const startLine = head.charCodeAt(nl - 1) === 0x0d ? head.slice(0, nl - 1) : head.slice(0, nl);
  // The start line is checked first: a bad SIP-Version is answered 505 whatever follows.
  const first = parseStartLine(startLine);
  const headers = new HeaderList(parseHeaderLines(head, nl + 1));
  const msg =
    first.status !== undefined
      ? new SipResponse(first.status, first.reason, headers)
      : new SipRequest(first.method, first.uri, headers, undefined, first.parsed);

  // Content-Length frames the body.
  const bodyStart = headEnd + sepLen;
  const available = buf.length - bodyStart;
  let contentLength: number | undefined;
  for (const f of headers.all()) {
    if (f.key !== 'content-length') continue;
    if (contentLength !== undefined) fail('multiple Content-Length values', 'Content-Length');
    contentLength = parseDigits(f.value, 0x7fffffff);
    if (contentLength === undefined) fail('malformed Content-Length', 'Content-Length');
  }
  if (contentLength !== undefined && contentLength > available)
    fail('Content-Length mismatch', 'Content-Length');
  const end = bodyStart + (contentLength ?? available);
  // No new Buffer view where none is needed: the usual datagram is exactly one message, and
  // many have no body.
  msg.body = end === bodyStart ? NO_BODY : buf.subarray(bodyStart, end);
  msg.setSource(
    {
      bytes: start === 0 && end === buf.length ? buf : buf.subarray(start, end),
      body: msg.body,
      startLine,
      contentLength,
      method: first.method,
      uri: first.uri,
      status: first.status,
      reason: first.reason,
    },
    encoding,
  );

  validate(msg);
  return msg;
}

type StartLine =
  | { status: number; reason: string; method?: undefined; uri?: undefined }
  | { status?: undefined; reason?: undefined; method: string; uri: string; parsed: Uri };

function parseStartLine(line: string): StartLine {
  if (line.startsWith('SIP/')) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const sp1 = line.indexOf(' ');
    if (sp1 < 0) fail('malformed Status-Line');
    checkVersion(line.slice(0, sp1), false);
    let sp2 = line.indexOf(' ', sp1 + 1);
    if (sp2 < 0) sp2 = line.length;
    const code = line.slice(sp1 + 1, sp2);
    const status = code.length === 3 ? parseDigits(code, 699) : undefined;
    if (status === undefined || status < 100) fail(`bad Status-Code "${code.slice(0, 12)}"`);
    const reason = line.slice(sp2 + 1);
    for (let i = 0; i < reason.length; i++) {
      const c = reason.charCodeAt(i);
      if ((c < 0x20 && c !== HTAB) || c === 0x7f) fail('control character in Reason-Phrase');
    }
    return { status, reason };
  }
  // Request-Line = Method SP Request-URI SP SIP-Version; exactly one SP between elements
  // (RFC 4475 §3.1.2.9, §3.1.2.10, §3.1.2.8).
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) {
    // Try to answer 505 for a well-formed line with another version before calling it malformed.
    const last = line.slice(line.lastIndexOf(' ') + 1);
    if (sp1 > 0 && /^SIP\/[0-9]+\.[0-9]+$/i.test(last)) checkVersion(last, true);
    fail('malformed Request-Line (elements must be separated by exactly one SP)');
  }
  const method = line.slice(0, sp1);
  const uri = line.slice(sp1 + 1, sp2);
  checkVersion(line.slice(sp2 + 1), true);
  if (!isToken(method)) fail('malformed Method');
  if (uri.length === 0) fail('empty Request-URI');
  // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  const parsed = parseUri(uri);
  if (parsed instanceof SipUri && parsed.hasHeaders) fail('headers in Request-URI');
  return { method, uri, parsed };
}

/** RFC 3261 §8.2.2 / §21.5.20: an unsupported SIP-Version is answered with 505. */
function checkVersion(version: string, request: boolean): void {
  if (version === 'SIP/2.0' || version.toUpperCase() === 'SIP/2.0') return;
  if (/^SIP\/[0-9]+\.[0-9]+$/i.test(version))
    fail(`SIP-Version ${version} not supported`, undefined, request ? 505 : 400);
  fail('malformed SIP-Version');
}

function parseHeaderLines(head: string, from: number): HeaderField[] {
  const fields: HeaderField[] = [];
  // The field being read: it ends where the next line does not start with SP / HTAB.
  let fStart = -1;
  let fEnd = 0;
  let fName = '';
  let fKey = '';
  let fColon = 0;
  let i = from;
  while (i < head.length) {
    let nl = head.indexOf('\n', i);
    if (nl < 0) nl = head.length;
    const end = nl > i && head.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    const c = head.charCodeAt(i);
    if (c === SP || c === HTAB) {
      // RFC 3261 §7.3.1 folding: a continuation line belongs to the field above.
      if (fStart < 0) fail('continuation line without a header field');
      fEnd = end;
      i = nl + 1;
      continue;
    }
    if (fStart >= 0) {
      fields.push(HeaderField.fromText(head, fStart, fEnd, fName, fKey, fColon));
      fStart = -1;
    }
    const colon = head.indexOf(':', i);
    if (colon < 0 || colon > end)
      fail(`header line without ":" ("${head.slice(i, Math.min(end, i + 20))}")`);
    let nameEnd = colon;
    while (nameEnd > i) {
      const w = head.charCodeAt(nameEnd - 1);
      if (w !== SP && w !== HTAB) break;
      nameEnd--;
    }
    // The usual names are recognised in place; any other must be a token (RFC 3261 §7.3.1).
    const known = matchKnownName(head, i, nameEnd);
    if (known !== undefined) {
      fName = known.name;
      fKey = known.key;
    } else {
      const name = head.slice(i, nameEnd);
      if (!isToken(name)) fail(`malformed header name "${name.slice(0, 20)}"`);
      fName = name;
      fKey = headerKey(name);
    }
    fStart = i;
    fEnd = end;
    fColon = colon - i;
    i = nl + 1;
  }
  if (fStart >= 0) fields.push(HeaderField.fromText(head, fStart, fEnd, fName, fKey, fColon));
  return fields;
}

/**
 * What an element needs before processing (RFC 3261 §8.2.2, §16.3, §18.1.2): the mandatory
 * headers present once and well-formed, and CSeq's method equal to the request's.
 */
function validate(msg: SipMessageBase): void {
  // One pass counts the headers that matter.
  let via = 0;
  let from = 0;
  let to = 0;
  let callId = 0;
  let cseqs = 0;
  let maxForwards = 0;
  for (const f of msg.headers) {
    switch (f.key) {
      case 'via':
        via++;
        break;
      case 'from':
        from++;
        break;
      case 'to':
        to++;
        break;
      case 'call-id':
        callId++;
        break;
      case 'cseq':
        cseqs++;
        break;
      case 'max-forwards':
        maxForwards++;
        break;
    }
  }
  if (callId > 1) fail('multiple Call-ID header fields', 'Call-ID');
  if (cseqs > 1) fail('multiple CSeq header fields', 'CSeq');
  if (from > 1) fail('multiple From header fields', 'From');
  if (to > 1) fail('multiple To header fields', 'To');
  if (maxForwards > 1) fail('multiple Max-Forwards header fields', 'Max-Forwards');
  if (via === 0) fail('missing Via', 'Via');
  if (from === 0) fail('missing From', 'From');
  if (to === 0) fail('missing To', 'To');
  if (callId === 0) fail('missing Call-ID', 'Call-ID');
  if (cseqs === 0) fail('missing CSeq', 'CSeq');
  msg.topVia();
  msg.from();
  msg.to();
  msg.callId();
  const cseq = msg.cseq();
  if (msg instanceof SipRequest) {
    msg.maxForwards();
    if (cseq.method !== msg.method) {
      // RFC 4475 §3.1.2.17: 400; §3.1.2.18: an unknown method with a mismatching CSeq is
      // better answered with 501 Not Implemented.
      const known = KNOWN_METHODS.has(msg.method);
      fail(`CSeq method ${cseq.method} does not match ${msg.method}`, 'CSeq', known ? 400 : 501);
    }
  }
}
