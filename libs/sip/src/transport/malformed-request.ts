/**
 * Answering requests the parser rejected. RFC 3261 §8.2 and §16.3 step 1: an element that
 * receives a malformed request answers 400 (Bad Request) "if the request is parseable enough"
 * to build a response (sipgo `rejectMalformedRequest`). A response needs the request's Via,
 * From, To, Call-ID and CSeq (§8.2.6.2); without them the message is dropped.
 */

const WANTED: Record<string, string> = {
  via: 'Via',
  v: 'Via',
  from: 'From',
  f: 'From',
  to: 'To',
  t: 'To',
  'call-id': 'Call-ID',
  i: 'Call-ID',
  cseq: 'CSeq',
};

/**
 * Builds the bytes of a `status reason` response to a request whose raw text failed to
 * parse, or returns undefined when that is impossible (not a request, an ACK, or one of the
 * five headers missing). Header values are copied as received; a To tag is added: what
 * `toTag` returns for the request's Call-ID and top Via branch as received (a stateless tag,
 * `StatelessTags`).
 */
export function buildMalformedRequestResponse(
  raw: Buffer,
  status: number,
  reason: string,
  toTag: (callId: string, branch: string) => string,
): Buffer | undefined {
  const text = raw.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const lines = (headEnd >= 0 ? text.slice(0, headEnd) : text).split(/\r?\n/);
  const startLine = lines[0]?.trim() ?? '';
  const requestLine = /^([!-~]+) +(\S+) +SIP\/\d+\.\d+$/i.exec(startLine);
  if (!requestLine || /^SIP\//i.test(startLine)) return undefined;
  if (requestLine[1].toUpperCase() === 'ACK') return undefined; // never answer an ACK
  const unfolded: string[] = [];
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && unfolded.length > 0)
      unfolded[unfolded.length - 1] += ' ' + line.trim();
    else unfolded.push(line);
  }
  const found: Record<string, string[]> = { Via: [], From: [], To: [], 'Call-ID': [], CSeq: [] };
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = WANTED[line.slice(0, colon).trim().toLowerCase()];
    if (name) found[name].push(line.slice(colon + 1).trim());
  }
  if (Object.values(found).some((values) => values.length === 0 || values[0] === ''))
    return undefined;
  let to = found.To[0];
  if (!/;\s*tag\s*=/i.test(to)) {
    const branch = /;\s*branch\s*=\s*([^;,\s]+)/i.exec(found.Via[0])?.[1] ?? '';
    to += `;tag=${toTag(found['Call-ID'][0], branch)}`;
  }
  const safeReason = reason.replace(/[\r\n]+/g, ' ');
  const out = [
    `SIP/2.0 ${status} ${safeReason}`,
    ...found.Via.map((v) => `Via: ${v}`),
    `From: ${found.From[0]}`,
    `To: ${to}`,
    `Call-ID: ${found['Call-ID'][0]}`,
    `CSeq: ${found.CSeq[0]}`,
    'Content-Length: 0',
    '',
    '',
  ];
  return Buffer.from(out.join('\r\n'), 'latin1');
}
