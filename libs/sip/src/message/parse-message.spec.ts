import { SipParseError } from '../errors';
import { parseMessage } from './parse-message';
import { SipRequest, SipResponse } from './sip-message';

const HEADERS =
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: x1\r\n';

function err(data: string | Buffer): SipParseError {
  try {
    parseMessage(data);
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  throw new Error('parsed');
}

describe('parseMessage: start line (RFC 3261 §7.1, §7.2)', () => {
  it('request line', () => {
    const m = parseMessage(
      `OPTIONS sip:bob@example.com SIP/2.0\r\n${HEADERS}CSeq: 1 OPTIONS\r\n\r\n`,
    );
    expect(m).toBeInstanceOf(SipRequest);
    expect((m as SipRequest).method).toBe('OPTIONS');
    expect((m as SipRequest).uri).toBe('sip:bob@example.com');
  });

  it('status line with a reason phrase containing spaces', () => {
    const m = parseMessage(
      `SIP/2.0 486 Busy Here Now\r\n${HEADERS}CSeq: 1 INVITE\r\n\r\n`,
    ) as SipResponse;
    expect(m).toBeInstanceOf(SipResponse);
    expect(m.status).toBe(486);
    expect(m.reason).toBe('Busy Here Now');
    expect(m.isResponse()).toBe(true);
  });

  it.each([
    ['SIP/2.0 99 Low', 'Status-Code'],
    ['SIP/2.0 700 High', 'Status-Code'],
    ['SIP/2.0 2000 OK', 'Status-Code'],
    ['SIP/2.0 20x OK', 'Status-Code'],
    ['SIP/2.0', 'Status-Line'],
    ['SIP/3.0 200 OK', 'SIP-Version'],
    ['INVITE sip:a@b', 'Request-Line'],
    ['INVITE sip:a@b SIP/2.0 extra', 'Request-Line'],
    ['INV(ITE sip:a@b SIP/2.0', 'Method'],
    ['INVITE sip:a@b HTTP/1.1', 'SIP-Version'],
    ['INVITE sip:a@b SIP/2', 'SIP-Version'],
    ['INVITE  SIP/2.0', 'Request-URI'],
  ])('%s -> 400 (%s)', (line, detail) => {
    const e = err(`${line}\r\n${HEADERS}CSeq: 1 INVITE\r\n\r\n`);
    expect(e.statusCode).toBe(400);
    expect(e.reasonPhrase).toContain(detail);
  });

  it('a request with another SIP-Version -> 505 (RFC 3261 §8.2.2)', () => {
    expect(err(`INVITE sip:a@b SIP/3.0\r\n${HEADERS}CSeq: 1 INVITE\r\n\r\n`).statusCode).toBe(505);
  });

  it('Request-URI of an unsupported scheme is left to the element (416)', () => {
    const m = parseMessage(
      `OPTIONS im:bob@example.com SIP/2.0\r\n${HEADERS}CSeq: 1 OPTIONS\r\n\r\n`,
    ) as SipRequest;
    expect(m.requestUri().scheme).toBe('im');
  });
});

describe('parseMessage: framing (RFC 3261 §7.5, §18.3)', () => {
  const req = (extra: string, body = '') =>
    `MESSAGE sip:bob@example.com SIP/2.0\r\n${HEADERS}CSeq: 1 MESSAGE\r\n${extra}\r\n${body}`;

  it('skips CRLFs before the start line (§7.5)', () => {
    const m = parseMessage('\r\n\r\n' + req('Content-Length: 2\r\n', 'hi'));
    expect(m.body.toString()).toBe('hi');
    expect(m.toString()).toBe(req('Content-Length: 2\r\n', 'hi'));
  });

  it('frames the body by Content-Length and ignores trailing octets', () => {
    expect(parseMessage(req('Content-Length: 2\r\n', 'hi there')).body.toString()).toBe('hi');
  });

  it('without Content-Length the body is the rest of the datagram', () => {
    expect(parseMessage(req('', 'hi there')).body.toString()).toBe('hi there');
  });

  it('Content-Length larger than the data -> 400 "Content-Length mismatch"', () => {
    const e = err(req('Content-Length: 20\r\n', 'hi'));
    expect(e.statusCode).toBe(400);
    expect(e.header).toBe('Content-Length');
    expect(e.reasonPhrase).toBe('Bad Request: Content-Length mismatch');
  });

  it.each(['-1', 'five', '', '1 2', '99999999999'])('Content-Length "%s" -> 400', (v) => {
    expect(err(req(`Content-Length: ${v}\r\n`, 'hi')).header).toBe('Content-Length');
  });

  it('accepts bare LF line ends; a rewritten message uses CRLF', () => {
    const lf = req('l: 2\r\n', 'hi').replace(/\r\n/g, '\n');
    const m = parseMessage(lf);
    expect(m.callId()).toBe('x1');
    expect(m.body.toString()).toBe('hi');
    expect(m.toString()).toBe(lf);
    m.set('Subject', 's');
    expect(m.toString()).toBe(req('l: 2\r\nSubject: s\r\n', 'hi'));
  });

  it('a header section without the empty line -> 400', () => {
    expect(err(`OPTIONS sip:a@b SIP/2.0\r\n${HEADERS}CSeq: 1 OPTIONS\r\n`).statusCode).toBe(400);
  });

  it.each([
    ['\r\n\r\n', 'empty message'],
    ['', 'empty message'],
    [
      `OPTIONS sip:a@b SIP/2.0\r\n bad fold\r\n${HEADERS}CSeq: 1 OPTIONS\r\n\r\n`,
      'continuation line',
    ],
    [`OPTIONS sip:a@b SIP/2.0\r\n${HEADERS}CSeq: 1 OPTIONS\r\nNoColon\r\n\r\n`, 'without ":"'],
    [`OPTIONS sip:a@b SIP/2.0\r\n${HEADERS}CSeq: 1 OPTIONS\r\nBad Name: x\r\n\r\n`, 'header name'],
    [`OPTIONS sip:a@b SIP/2.0\r\n${HEADERS}CSeq: 1 OPTIONS\r\n: x\r\n\r\n`, 'header name'],
  ])('%j -> 400 (%s)', (text, detail) => {
    const e = err(text);
    expect(e.statusCode).toBe(400);
    expect(e.reasonPhrase).toContain(detail);
  });

  it('a binary body is kept octet for octet', () => {
    const body = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x0d, 0x0a, 0x80]);
    const head = Buffer.from(req(`Content-Length: ${body.length}\r\n`));
    const data = Buffer.concat([head, body]);
    const m = parseMessage(data);
    expect(m.body.equals(body)).toBe(true);
    expect(m.toBuffer().equals(data)).toBe(true);
  });

  it('header octets that are not UTF-8 survive serialization unchanged', () => {
    const data = Buffer.concat([
      Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\n${HEADERS}CSeq: 1 OPTIONS\r\nX-Latin: caf`),
      Buffer.from([0xe9]),
      Buffer.from('\r\nContent-Length: 0\r\n\r\n'),
    ]);
    const m = parseMessage(data);
    m.set('Max-Forwards', '70');
    const out = m.toBuffer();
    expect(out.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d]))).toBe(true);
  });
});

describe('parseMessage: validation (RFC 3261 §8.1.1, §8.2.2)', () => {
  it.each(['Via', 'From', 'To', 'Call-ID', 'CSeq'])('missing %s -> 400 naming it', (name) => {
    const lines = `${HEADERS}CSeq: 1 OPTIONS\r\n`
      .split('\r\n')
      .filter((l) => l && !l.startsWith(name + ':'));
    const e = err(`OPTIONS sip:a@b SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`);
    expect(e.statusCode).toBe(400);
    expect(e.header).toBe(name);
    expect(e.reasonPhrase).toBe(`Bad Request: missing ${name}`);
  });

  it('responses need the same headers', () => {
    expect(err('SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n').statusCode).toBe(400);
  });

  it.each([
    ['Via: SIP/2.0/UDP', 'Via'],
    ['Via: SIP/2.0 192.0.2.1', 'Via'],
    ['Via: SIP/2.0/UDP 192.0.2.1:70000', 'Via'],
    ['Via: SIP/2.0/UDP 192.0.2.1;rport=x', 'Via'],
  ])('malformed top Via "%s" -> 400', (via, header) => {
    const e = err(
      `OPTIONS sip:a@b SIP/2.0\r\n${via}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: 1\r\nCSeq: 1 OPTIONS\r\n\r\n`,
    );
    expect(e.header).toBe(header);
  });

  it.each([
    ['CSeq: 1OPTIONS', 'CSeq'],
    ['CSeq: OPTIONS', 'CSeq'],
    ['CSeq: 4294967296 OPTIONS', 'CSeq'],
    ['CSeq: 1 OPTIONS extra', 'CSeq'],
  ])('"%s" -> 400', (line, header) => {
    const e = err(`OPTIONS sip:a@b SIP/2.0\r\n${HEADERS}${line}\r\n\r\n`);
    expect(e.header).toBe(header);
  });

  it('CSeq 2**32-1 is accepted', () => {
    expect(
      parseMessage(`OPTIONS sip:a@b SIP/2.0\r\n${HEADERS}CSeq: 4294967295 OPTIONS\r\n\r\n`).cseq()
        .seq,
    ).toBe(4294967295);
  });

  it('Call-ID must be word [ "@" word ]', () => {
    const bad = (id: string) =>
      err(
        `OPTIONS sip:a@b SIP/2.0\r\n${HEADERS.replace('Call-ID: x1', `Call-ID: ${id}`)}CSeq: 1 OPTIONS\r\n\r\n`,
      );
    expect(bad('a b').header).toBe('Call-ID');
    expect(bad('a@b@c').header).toBe('Call-ID');
    expect(bad('@b').header).toBe('Call-ID');
  });

  it('errors never carry CR or LF into the Reason-Phrase', () => {
    const e = err('OPTIONS sip:a@b SIP/2.0\r\nFrom\x01\x02: x\r\n\r\n');
    expect(e.reasonPhrase).not.toMatch(/[\x00-\x1f]/);
  });
});
