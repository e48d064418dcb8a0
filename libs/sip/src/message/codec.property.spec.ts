/**
 * Property tests: generated messages round-trip through parse and serialize; arbitrary octets
 * and mutated RFC 4475 messages never make the parser (or any accessor) throw anything but a
 * SipParseError.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { SipParseError } from '../errors';
import { headerKey } from './header-names';
import { parseMessage } from './parse-message';
import { SipMessage, SipRequest, SipResponse } from './sip-message';

const chars = (s: string) => s.split('');
const ALNUM = chars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const TOKEN_CHARS = [...ALNUM, ...chars("-.!%*_+`'~")];

const token = (max = 12) =>
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: max });
const label = fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 1, maxLength: 10 });
const host = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.')),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.')),
  fc.constantFrom('[::1]', '[2001:db8::7]'),
);
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const user = fc.string({
  unit: fc.constantFrom(...ALNUM, ...chars("-_.!~*'()&=+$,;?/"), '%41'),
  minLength: 1,
  maxLength: 12,
});
const sipUri = fc
  .record({
    scheme: fc.constantFrom('sip', 'sips'),
    user: fc.option(user, { nil: undefined }),
    host,
    port,
    lr: fc.boolean(),
  })
  .map(
    ({ scheme, user, host, port, lr }) =>
      `${scheme}:${user ? user + '@' : ''}${host}${port ? ':' + port : ''}${lr ? ';lr' : ''}`,
  );
/** Optional whitespace: none, spaces, or a fold (CRLF + WSP, RFC 3261 §7.3.1). */
const lws = fc.constantFrom('', ' ', '  ', '\r\n ', '\r\n\t');
/** Printable ASCII and UTF-8 for free-text values, no CR/LF. */
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...chars(' !#$&()*+-./:<=>?@[]^_{|}~"\\,;'), ...ALNUM),
    fc.constantFrom('é', '大', '😀'),
  ),
  maxLength: 30,
});
const displayName = fc.oneof(
  fc.constant(''),
  fc.array(token(8), { minLength: 1, maxLength: 3 }).map((t) => t.join(' ') + ' '),
  text.map((t) => '"' + t.replace(/["\\]/g, (c) => '\\' + c) + '" '),
);
const nameAddr = (tagged: boolean) =>
  fc
    .tuple(displayName, sipUri, tagged ? token(10) : fc.constant(''), lws)
    .map(([dn, uri, tag, ws]) => `${dn}<${uri}>${tag ? `${ws};${ws}tag=${tag}` : ''}`);
const via = fc
  .tuple(
    fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP', 'WS'),
    host,
    port,
    token(16),
    fc.boolean(),
    lws,
  )
  .map(
    ([t, h, p, b, rport, ws]) =>
      `SIP/2.0/${t} ${h}${p ? ':' + p : ''}${ws};branch=z9hG4bK${b}${rport ? ';rport' : ''}`,
  );
const METHODS = [
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'MESSAGE',
  'SUBSCRIBE',
  'NOTIFY',
  'PRACK',
];
const headerName = (full: string, compact?: string) =>
  compact
    ? fc.constantFrom(full, compact, full.toUpperCase(), full.toLowerCase())
    : fc.constantFrom(full, full.toLowerCase());
/** HCOLON = *( SP / HTAB ) ":" SWS */
const hcolon = fc.constantFrom(': ', ':', ' : ', ':\t', ':  ');
/** Headers the generator writes itself; extension headers must not collide with them. */
const GENERATED = new Set([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'max-forwards',
  'contact',
  'content-length',
]);
const extraHeader = fc
  .tuple(
    token(20).filter((n) => !GENERATED.has(headerKey(n))),
    hcolon,
    text,
    fc.boolean(),
  )
  .map(([n, c, v, fold]) => {
    const value = v.trim();
    return `${n}${c}${fold && value.includes(' ') ? value.replace(' ', '\r\n ') : value}`;
  });

interface Generated {
  bytes: Buffer;
  method?: string;
  status?: number;
  callId: string;
  seq: number;
  branch: string;
  fromTag: string;
  body: Buffer;
}

const message: fc.Arbitrary<Generated> = fc
  .record({
    request: fc.boolean(),
    method: fc.constantFrom(...METHODS),
    ruri: sipUri,
    status: fc.integer({ min: 100, max: 699 }),
    reason: text.map((t) => t.trim()),
    vias: fc.array(via, { minLength: 1, maxLength: 4 }),
    viaName: headerName('Via', 'v'),
    from: nameAddr(true),
    fromName: headerName('From', 'f'),
    to: nameAddr(false),
    toName: headerName('To', 't'),
    callId: fc
      .tuple(token(20), fc.option(host, { nil: undefined }))
      .map(([a, b]) => (b ? `${a}@${b.replace(/[[\]]/g, '')}` : a)),
    callIdName: headerName('Call-ID', 'i'),
    seq: fc.integer({ min: 0, max: 4294967295 }),
    cseqWs: fc.constantFrom(' ', '  ', '\t', '\r\n '),
    maxForwards: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    contacts: fc.array(nameAddr(false), { maxLength: 3 }),
    extras: fc.array(extraHeader, { maxLength: 6 }),
    body: fc.uint8Array({ maxLength: 200 }),
    clName: headerName('Content-Length', 'l'),
    order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
  })
  .map((g) => {
    const method = g.request ? g.method : undefined;
    const cseqMethod = g.request ? g.method : g.method;
    const fromTag = /tag=([^;]+)$/.exec(g.from)![1];
    const headers = [
      ...g.vias.map((v) => `${g.viaName}: ${v}`),
      `${g.fromName}: ${g.from}`,
      `${g.toName}: ${g.to}`,
      `${g.callIdName}: ${g.callId}`,
      `CSeq: ${g.seq}${g.cseqWs}${cseqMethod}`,
      ...(g.maxForwards !== undefined ? [`Max-Forwards: ${g.maxForwards}`] : []),
      ...(g.contacts.length ? [`Contact: ${g.contacts.join(', ')}`] : []),
      ...g.extras,
    ];
    // Shuffle header lines of different names; keep the relative order of Via lines.
    const vias = headers.filter((h) => h.startsWith(g.viaName + ':'));
    const others = headers.filter((h) => !h.startsWith(g.viaName + ':'));
    others.sort((a, b) => (g.order[a.length % 12] % 7) - (g.order[b.length % 12] % 7));
    const lines = [...vias, ...others, `${g.clName}: ${g.body.length}`];
    const start = g.request ? `${g.method} ${g.ruri} SIP/2.0` : `SIP/2.0 ${g.status} ${g.reason}`;
    const head = Buffer.from(`${start}\r\n${lines.join('\r\n')}\r\n\r\n`, 'utf8');
    return {
      bytes: Buffer.concat([head, Buffer.from(g.body)]),
      method,
      status: g.request ? undefined : g.status,
      callId: g.callId,
      seq: g.seq,
      branch: /branch=([^;,\s]+)/.exec(g.vias[0])![1],
      fromTag,
      body: Buffer.from(g.body),
    };
  });

describe('codec properties', () => {
  it('parse then serialize is byte-identical, also when the serializer rebuilds the header section', () => {
    fc.assert(
      fc.property(message, (g) => {
        const m = parseMessage(g.bytes);
        expect(m.toBuffer().equals(g.bytes)).toBe(true);
        // Touch the header list so the serializer writes every line itself.
        m.append('X-Probe', '1');
        m.remove('X-Probe');
        expect(m.toBuffer().equals(g.bytes)).toBe(true);
        // The typed fields are what was generated.
        if (g.method) expect((m as SipRequest).method).toBe(g.method);
        else expect((m as SipResponse).status).toBe(g.status);
        expect(m.callId()).toBe(g.callId);
        expect(m.cseq().seq).toBe(g.seq);
        expect(m.topVia().branch).toBe(g.branch);
        expect(m.from().tag).toBe(g.fromTag);
        expect(m.body.equals(g.body)).toBe(true);
        m.contacts().forEach((c) => c.parsedUri());
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('typed values survive being written back through their toString()', () => {
    fc.assert(
      fc.property(message, (g) => {
        const m = parseMessage(g.bytes);
        const vias = m.via().map((v) => v.toString());
        const contacts = m.contacts().map((c) => c.toString());
        const from = m.from();
        m.set('Via', vias);
        m.set('From', from.toString());
        if (contacts.length) m.set('Contact', contacts.join(', '));
        m.body = Buffer.concat([m.body, Buffer.from('x')]);
        const again = parseMessage(m.toBuffer());
        expect(again.via().map((v) => v.toString())).toEqual(vias);
        expect(again.contacts().map((c) => c.toString())).toEqual(contacts);
        expect(again.from().displayName ?? '').toBe(from.displayName ?? '');
        expect(again.from().tag).toBe(from.tag);
        expect(again.contentLength()).toBe(g.body.length + 1);
      }),
      { numRuns: 150 },
    );
  }, 30_000);
});

/** Parses and reads everything; anything but a SipParseError escapes. */
function parseAndTouch(data: Buffer | string): void {
  let m: SipMessage;
  try {
    m = parseMessage(data);
  } catch (err) {
    if (err instanceof SipParseError) return;
    throw err;
  }
  const reads: (() => unknown)[] = [
    () => m.via(),
    () => m.from().parsedUri(),
    () => m.to().parsedUri(),
    () => m.contacts().map((c) => (c.star ? c : c.parsedUri())),
    () => m.routes().map((r) => r.parsedUri()),
    () => m.recordRoutes(),
    () => m.paths(),
    () => m.serviceRoutes(),
    () => m.expires(),
    () => m.require(),
    () => m.supported(),
    () => m.allow(),
    () => m.authorizations(),
    () => m.wwwAuthenticates(),
    () => m.pAssertedIdentities(),
    () => m.pAssociatedUris(),
    () => m.pCalledPartyId(),
    () => m.pVisitedNetworkIds(),
    () => m.pAccessNetworkInfo(),
    () => m.pChargingVector(),
    () => m.pChargingFunctionAddresses(),
    () => m.date(),
    () => (m instanceof SipRequest ? m.requestUri() : undefined),
    () => m.removeFirst('Via'),
    () => m.toBuffer(),
  ];
  for (const read of reads) {
    try {
      read();
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
    }
  }
}

const DIR = path.join(__dirname, '../../../../test/vectors/rfc4475');

const vectors = (
  JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')) as {
    messages: { file: string }[];
  }
).messages.map((m) => fs.readFileSync(path.join(DIR, m.file)));

/** Octets that matter to the SIP grammar, to make mutations hit interesting places. */
const SPECIAL = Buffer.from(' \t\r\n:;,<>"\\@?=%[]/0123456789');

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({
    kind: fc.constant('special' as const),
    at: fc.nat(),
    idx: fc.nat(SPECIAL.length - 1),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 20 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 80 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(
  data: Buffer,
  muts: fc.Arbitrary<never>[] | { kind: string; at: number; [k: string]: unknown }[],
): Buffer {
  let b = Buffer.from(data);
  for (const m of muts as {
    kind: string;
    at: number;
    byte?: number;
    idx?: number;
    len?: number;
    bytes?: Uint8Array;
  }[]) {
    const at = b.length ? m.at % b.length : 0;
    switch (m.kind) {
      case 'flip':
        if (b.length) b[at] = m.byte!;
        break;
      case 'special':
        if (b.length) b[at] = SPECIAL[m.idx!];
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len!)]);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes!), b.subarray(at)]);
        break;
      case 'duplicate':
        b = Buffer.concat([b.subarray(0, at + m.len!), b.subarray(at)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

describe('robustness: only SipParseError ever escapes', () => {
  it('arbitrary octets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        parseAndTouch(Buffer.from(bytes));
      }),
      { numRuns: 1000 },
    );
  }, 30_000);

  it('SIP-shaped noise', () => {
    const piece = fc.constantFrom(
      'INVITE ',
      'SIP/2.0',
      ' ',
      '\r\n',
      '\r\n ',
      ':',
      ';',
      ',',
      '<',
      '>',
      '"',
      '\\',
      'sip:',
      'tel:',
      '@',
      '[',
      ']',
      '=',
      'Via',
      'v',
      'From',
      'To',
      'Call-ID',
      'CSeq',
      'Contact',
      'Route',
      'l',
      'Content-Length',
      'Max-Forwards',
      'Expires',
      'Authorization',
      'Digest ',
      'P-Charging-Vector',
      'P-Visited-Network-ID',
      'P-Access-Network-Info',
      'Date',
      '*',
      'branch=z9hG4bK',
      'tag=',
      '0',
      '99999999999',
      'SIP/2.0/UDP ',
      'a.b',
      '5060',
      '%',
      '%41',
      '\u00e9',
      '\x00',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), (pieces) => {
        parseAndTouch(pieces.join(''));
        parseAndTouch('OPTIONS sip:a@b SIP/2.0\r\n' + pieces.join(''));
      }),
      { numRuns: 1500 },
    );
  }, 30_000);

  it('byte mutations of every RFC 4475 message', () => {
    fc.assert(
      fc.property(
        fc.nat(vectors.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (i, muts) => {
          parseAndTouch(mutate(vectors[i], muts));
        },
      ),
      { numRuns: 2000 },
    );
  }, 30_000);
});
