/**
 * RFC 4475 "SIP Torture Test Messages": every message of the bit-exact archive
 * (test/vectors/rfc4475, see its index.json) against what the RFC says an element
 * must see in it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AbsoluteUri, SipUri, TelUri, unescapeUri, uriEquals } from '../uri';
import { SipParseError } from '../errors';
import { parseMessage } from './parse-message';
import { SipMessage, SipRequest, SipResponse } from './sip-message';

const DIR = path.join(__dirname, '../../../../test/vectors/rfc4475');

interface Vector {
  file: string;
  name: string;
  validity: 'valid' | 'invalid' | 'valid-syntax';
  parserExpectation: string;
  expectedBehavior: string;
}

const index = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')) as {
  messages: Vector[];
};

function bytes(name: string): Buffer {
  const v = index.messages.find((m) => m.name === name);
  if (!v) throw new Error(`no vector ${name}`);
  return fs.readFileSync(path.join(DIR, v.file));
}

function parse(name: string): SipMessage {
  return parseMessage(bytes(name));
}

function request(name: string): SipRequest {
  const m = parse(name);
  if (!(m instanceof SipRequest)) throw new Error(`${name} is not a request`);
  return m;
}

function parseError(fn: () => unknown): SipParseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
  throw new Error('expected a SipParseError');
}

/** Every typed accessor a proxy, registrar or UA might call. */
function touchAll(m: SipMessage): void {
  const calls: (() => unknown)[] = [
    () => m.via(),
    () => m.topVia(),
    () => m.from().parsedUri(),
    () => m.to().parsedUri(),
    () => m.callId(),
    () => m.cseq(),
    () => m.maxForwards(),
    () => m.expires(),
    () => m.contentLength(),
    () => m.contacts().map((c) => (c.star ? c : c.parsedUri())),
    () => m.routes().map((r) => r.parsedUri()),
    () => m.recordRoutes().map((r) => r.parsedUri()),
    () => m.paths(),
    () => m.serviceRoutes(),
    () => m.require(),
    () => m.supported(),
    () => m.proxyRequire(),
    () => m.allow(),
    () => m.authorizations(),
    () => m.date(),
    () => (m instanceof SipRequest ? m.requestUri() : m.status),
    () => m.toBuffer(),
  ];
  for (const call of calls) {
    try {
      call();
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
    }
  }
}

describe('RFC 4475 torture messages', () => {
  it('the archive has all 49 messages', () => {
    expect(index.messages).toHaveLength(49);
  });

  describe.each(index.messages)('$name ($validity, parser: $parserExpectation)', (v) => {
    const data = fs.readFileSync(path.join(DIR, v.file));

    if (v.parserExpectation.startsWith('accept')) {
      it('parses; serializing and re-parsing gives the same message', () => {
        const m = parseMessage(data);
        const again = parseMessage(m.toBuffer());
        expect(again.startLine()).toBe(m.startLine());
        expect(again.callId()).toBe(m.callId());
        expect(again.cseq()).toEqual(m.cseq());
        expect(again.body.equals(m.body)).toBe(true);
        const values = (x: SipMessage) =>
          [...x.headers].filter((f) => f.key !== 'content-length').map((f) => f.value);
        expect(values(again)).toEqual(values(m));
        expect(again.contentLength()).toBe(m.body.length);
      });
    } else {
      it('is rejected with a SipParseError, or parses with the fault detectable (see below)', () => {
        let m: SipMessage;
        try {
          m = parseMessage(data);
        } catch (err) {
          expect(err).toBeInstanceOf(SipParseError);
          expect([400, 416, 501, 505]).toContain((err as SipParseError).statusCode);
          return;
        }
        // Accepted at parse time: the RFC lets a higher layer reject it; the accessor that
        // layer uses must throw.
        expect(DETECTED_LATER[v.name]).toBeDefined();
        expect(() => DETECTED_LATER[v.name](m)).toThrow(SipParseError);
      });
    }

    it('never throws anything but SipParseError from any accessor', () => {
      let m: SipMessage;
      try {
        m = parseMessage(data);
      } catch (err) {
        expect(err).toBeInstanceOf(SipParseError);
        return;
      }
      expect(() => touchAll(m)).not.toThrow();
    });
  });
});

/** Invalid messages the parser accepts; the element rejects them when it reads this. */
const DETECTED_LATER: Record<string, (m: SipMessage) => unknown> = {
  // §3.1.2.12: "only if Date matters".
  baddate: (m) => m.date(),
  // §3.1.2.13: the registrar reads the Contact.
  regbadct: (m) => m.contacts(),
};

describe('RFC 4475 §3.1.1 valid messages', () => {
  it('wsinv: folding, escaped quotes, LWS everywhere, compact forms, leading zeros', () => {
    const m = request('wsinv');
    expect(m.method).toBe('INVITE');
    expect(m.uri).toBe('sip:vivekg@chair-dnrc.example.com;unknownparam');
    expect((m.requestUri() as SipUri).params.get('unknownparam')).toBeNull();
    expect(m.to().uri).toBe('sip:vivekg@chair-dnrc.example.com');
    expect(m.to().tag).toBe('1918181833n');
    expect(m.from().displayName).toBe('J Rosenberg \\"');
    expect(m.from().uri).toBe('sip:jdrosen@example.com');
    expect(m.from().tag).toBe('98asjd8');
    expect(m.maxForwards()).toBe(68);
    expect(m.callId()).toBe('wsinv.ndaksdj@192.0.2.1');
    expect(m.cseq()).toEqual({ seq: 9, method: 'INVITE' });
    expect(m.contentLength()).toBe(150);
    expect(m.body.length).toBe(150);
    const via = m.via();
    expect(via.map((x) => [x.protocol, x.transport, x.host, x.branch])).toEqual([
      ['SIP/2.0', 'UDP', '192.0.2.2', '390skdjuw'],
      ['SIP/2.0', 'TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['SIP/2.0', 'UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(m.topVia().host).toBe('192.0.2.2');
    // "s :" is an empty Subject.
    expect(m.has('Subject')).toBe(true);
    expect(m.get('subject')).toBe('');
    expect(m.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    // The unknown header is one opaque value, not a list.
    expect(m.getAll('UnknownHeaderWithUnusualValue')).toEqual([';;,,;;,;']);
    const [contact] = m.contacts();
    expect(m.contacts()).toHaveLength(1);
    expect(contact.displayName).toBe('Quoted string ""');
    expect(contact.uri).toBe('sip:jdrosen@example.com');
    expect(contact.params.get('newparam')).toBe('newvalue');
    expect(contact.params.get('secondparam')).toBeNull();
    expect(contact.q).toBe(0.33);
    const [route] = m.routes();
    const routeUri = route.parsedUri() as SipUri;
    expect(routeUri.host).toBe('services.example.com');
    expect(routeUri.lr).toBe(true);
    expect(routeUri.params.get('unknownwith')).toBe('value');
    expect(routeUri.params.get('unknown-no-value')).toBeNull();
    expect(m.contentType()).toBe('application/sdp');
    // Forwarded untouched: byte-identical.
    expect(m.toBuffer().equals(bytes('wsinv'))).toBe(true);
  });

  it('intmeth: unusual token characters, quoted NUL, UTF-8 extension header', () => {
    const m = request('intmeth');
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(m.cseq()).toEqual({ seq: 139122385, method: m.method });
    const uri = m.requestUri() as SipUri;
    expect(uri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(uri.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(uri.host).toBe('example.com');
    expect(m.topVia().branch).toBe("z9hG4bK-.!%66*_+`'~");
    expect(m.to().displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    expect(m.from().displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(m.from().params.get("fromparam''~+*_!.-%")).toBe('"работающий"');
    expect(m.from().tag).toBe("_token~1'+`*%!-.");
    expect(m.callId()).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    expect(m.maxForwards()).toBe(255);
    expect(m.get("extensionHeader-!.%*+_`'~")).toBe('\uFEFF大停電');
    expect(m.toBuffer().equals(bytes('intmeth'))).toBe(true);
  });

  it('esc01: %-escapes decoded where "escaped" is allowed, never recursively', () => {
    const m = request('esc01');
    const ruri = m.requestUri() as SipUri;
    expect(ruri.user).toBe('sips%3Auser%40example.com');
    expect(unescapeUri(ruri.user!)).toBe('sips:user@example.com');
    expect(ruri.host).toBe('example.net');
    expect(unescapeUri((m.to().parsedUri() as SipUri).user!)).toBe('user');
    expect(uriEquals(m.to().uri, 'sip:user@example.com')).toBe(true);
    expect(unescapeUri((m.from().parsedUri() as SipUri).user!)).toBe('I have spaces');
    expect(m.callId()).toBe('esc01.239409asdfakjkn23onasd0-3234');
    expect(m.contentType()).toBe('application/sdp');
    const contact = m.contacts()[0].parsedUri() as SipUri;
    expect(unescapeUri(contact.user!)).toBe('caller');
    expect(contact.lr).toBe(true); // %6C%72
    expect(unescapeUri(contact.params.get('name')!)).toBe('value%41');
    expect(uriEquals(m.contacts()[0].uri, 'sip:caller@host5.example.net;lr;name=value%2541')).toBe(
      true,
    );
    expect(uriEquals(m.contacts()[0].uri, 'sip:caller@host5.example.net;lr;name=valueA')).toBe(
      false,
    );
  });

  it('escnull: %00 in user parts is not a terminator; two distinct contacts', () => {
    const m = request('escnull');
    const to = m.to().parsedUri() as SipUri;
    expect(unescapeUri(to.user!)).toBe('null-\x00-null');
    const [a, b] = m.contacts().map((c) => c.parsedUri() as SipUri);
    expect(m.contacts()).toHaveLength(2);
    expect(unescapeUri(a.user!)).toBe('\x00');
    expect(unescapeUri(b.user!)).toBe('\x00\x00');
    expect(uriEquals(a, b)).toBe(false);
  });

  it('esc02: % that is not an escape; C%6Fntact is an unknown header', () => {
    const m = request('esc02');
    expect(m.method).toBe('RE%47IST%45R');
    expect(m.method).not.toBe('REGISTER');
    expect(m.to().displayName).toBe('%Z%45');
    expect(m.contacts().map((c) => c.uri)).toEqual([
      'sip:alias1@host1.example.com',
      'sip:alias3@host3.example.com',
    ]);
    expect(m.get('C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
    expect(m.topVia().branch).toBe('z9hG4bK209%fzsnel234');
  });

  it('lwsdisp: display name directly followed by "<"', () => {
    const m = request('lwsdisp');
    expect(m.from().displayName).toBe('caller');
    expect(m.from().uri).toBe('sip:caller@example.com');
    expect(m.from().tag).toBe('323');
  });

  it('longreq: long values are not truncated, 34 Via values in compact/odd-case lines', () => {
    const m = request('longreq');
    const via = m.via();
    expect(via).toHaveLength(34);
    expect(via[0].host).toBe('sip33.example.com');
    expect(via.slice(0, 33).map((v) => v.host)).toEqual(
      Array.from({ length: 33 }, (_, i) => `sip${33 - i}.example.com`),
    );
    expect(via[33].received).toBe('192.0.2.5');
    expect(via[33].branch).toMatch(/^verylong(long)+branchvalue$/);
    expect(via[33].branch!.length).toBe(
      'verylong'.length + 'long'.length * 49 + 'branchvalue'.length,
    );
    const to = m.to();
    expect(to.displayName).toBe(
      'I have a user name of extremeextremeextremeextremeextremeextremeextremeextremeextremeextreme proportion',
    );
    const toUri = to.parsedUri() as SipUri;
    expect(toUri.port).toBe(6000);
    expect(toUri.params.size).toBe(3);
    expect(m.from().tag).toMatch(/^12(982){50}424$/);
    expect(m.callId()).toMatch(/^longreq\.one(really){20}longcallid$/);
    expect(m.contacts()[0].uri).toBe(
      `sip:${'amazinglylongcallername'.repeat(5)}@host5.example.net`,
    );
    expect(m.body.length).toBe(150);
    expect(m.toBuffer().equals(bytes('longreq'))).toBe(true);
  });

  it('dblreq: only the first message of the datagram; the INVITE octets are dropped', () => {
    const m = request('dblreq');
    expect(m.method).toBe('REGISTER');
    expect(m.body.length).toBe(0);
    const out = m.toBuffer();
    expect(out.includes('INVITE')).toBe(false);
    expect(out.equals(bytes('dblreq').subarray(0, out.length))).toBe(true);
  });

  it('semiuri: ";" inside the user part of the Request-URI', () => {
    const m = request('semiuri');
    const uri = m.requestUri() as SipUri;
    expect(unescapeUri(uri.user!)).toBe('user;par=u@example.net');
    expect(uri.host).toBe('example.com');
    expect(uri.params.size).toBe(0);
    expect(m.getAll('Accept')).toEqual([
      'application/sdp',
      'application/pkcs7-mime',
      'multipart/mixed',
      'multipart/signed',
      'message/sip',
      'message/sipfrag',
    ]);
  });

  it('transports: varied and unknown transports in the Via list', () => {
    const m = request('transports');
    expect(m.via().map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
    expect(m.via().map((v) => v.host)).toEqual([1, 2, 3, 4, 5].map((i) => `t${i}.example.com`));
  });

  it('mpart01: binary multipart body framed by Content-Length', () => {
    const m = request('mpart01');
    expect(m.contentLength()).toBe(553);
    expect(m.body.length).toBe(553);
    expect(m.body.includes(0)).toBe(true);
    expect(m.body.toString('latin1').endsWith('--7a9cbec02ceef655--\r\n')).toBe(true);
    expect(m.topVia().rport).toBeNull();
    expect(m.toBuffer().equals(bytes('mpart01'))).toBe(true);
  });

  it('unreason: UTF-8 reason phrase', () => {
    const m = parse('unreason') as SipResponse;
    expect(m.isResponse()).toBe(true);
    expect(m.status).toBe(200);
    expect(m.reason).toBe('= 2**3 * 5**2 но сто девяносто девять - простое');
    expect(m.toBuffer().equals(bytes('unreason'))).toBe(true);
  });

  it('noreason: empty reason phrase', () => {
    const m = parse('noreason') as SipResponse;
    expect(m.status).toBe(100);
    expect(m.reason).toBe('');
    expect(m.toBuffer().equals(bytes('noreason'))).toBe(true);
  });
});

describe('RFC 4475 §3.1.2 invalid messages', () => {
  const cases: [string, number, string | undefined, string][] = [
    ['badinv01', 400, 'Via', ''],
    ['clerr', 400, 'Content-Length', 'Content-Length mismatch'],
    ['ncl', 400, 'Content-Length', ''],
    ['scalar02', 400, 'CSeq', ''],
    ['scalarlg', 400, 'CSeq', ''],
    ['quotbal', 400, 'To', 'unterminated quoted-string'],
    ['ltgtruri', 400, undefined, 'no scheme'],
    ['lwsruri', 400, undefined, 'Request-Line'],
    ['lwsstart', 400, undefined, 'Request-Line'],
    ['trws', 400, undefined, 'Request-Line'],
    ['escruri', 400, undefined, 'headers in Request-URI'],
    ['badaspec', 400, 'To', 'whitespace'],
    ['baddn', 400, undefined, ''],
    ['badvers', 505, undefined, ''],
    ['mismatch01', 400, 'CSeq', 'does not match'],
    ['mismatch02', 501, 'CSeq', 'does not match'],
    ['bigcode', 400, undefined, 'Status-Code'],
  ];

  it.each(cases)('%s -> %d (%s)', (name, status, header, text) => {
    const err = parseError(() => parse(name));
    expect(err.statusCode).toBe(status);
    expect(err.header).toBe(header);
    if (text) expect(err.reasonPhrase).toContain(text);
    expect(err.reasonPhrase).not.toMatch(/[\r\n]/);
  });

  it('baddn: with the missing final CRLF restored, the unquoted display name is the fault', () => {
    const err = parseError(() =>
      parseMessage(Buffer.concat([bytes('baddn'), Buffer.from('\r\n')])),
    );
    expect(err.statusCode).toBe(400);
    expect(err.header).toBe('From');
  });

  it('scalar02: overlarge Max-Forwards, Expires and contact expires are each rejected', () => {
    const text = bytes('scalar02').toString().replace('36893488147419103232', '1');
    const m = parseError(() => parseMessage(text));
    expect(m.header).toBe('Max-Forwards');
    const fixed = parseMessage(text.replace('Max-Forwards: 300', 'Max-Forwards: 70'));
    expect(parseError(() => fixed.expires()).header).toBe('Expires');
    expect(parseError(() => fixed.contacts()).header).toBe('Contact');
  });

  it('baddate: parses; Date with a non-GMT zone is rejected when read', () => {
    const m = parse('baddate');
    expect(parseError(() => m.date()).header).toBe('Date');
    const ok = parseMessage(bytes('baddate').toString('latin1').replace('EST', 'GMT'));
    expect(ok.date()!.toISOString()).toBe('2010-01-01T16:00:00.000Z');
  });

  it('regbadct: parses; the Contact URI with "?" outside <> is rejected when read', () => {
    const m = parse('regbadct');
    const err = parseError(() => m.contacts());
    expect(err.statusCode).toBe(400);
    expect(err.header).toBe('Contact');
  });
});

describe('RFC 4475 §3.2-3.4 transaction and application layer', () => {
  it('badbranch: parses; the bare magic cookie is not an RFC 3261 branch', () => {
    const via = request('badbranch').topVia();
    expect(via.branch).toBe('z9hG4bK');
    expect(via.isRfc3261Branch).toBe(false);
    expect(request('zeromf').topVia().isRfc3261Branch).toBe(true);
  });

  it('insuf: missing Call-ID, From and To -> 400 naming one of them', () => {
    const err = parseError(() => parse('insuf'));
    expect(err.statusCode).toBe(400);
    expect(['From', 'To', 'Call-ID']).toContain(err.header);
  });

  it('unkscm / novelsc: unknown Request-URI schemes parse as AbsoluteUri (element answers 416)', () => {
    const a = request('unkscm').requestUri();
    expect(a).toBeInstanceOf(AbsoluteUri);
    expect((a as AbsoluteUri).value).toBe('totallyopaquecontent');
    const b = request('novelsc').requestUri();
    expect(b).toBeInstanceOf(AbsoluteUri);
    expect(b.scheme).toBe('soap.beep');
    expect((b as AbsoluteUri).value).toBe('//192.0.2.103:3002');
  });

  it('unksm2: To/From/Contact with unknown schemes parse; a registrar sees To is not SIP', () => {
    const m = request('unksm2');
    expect(m.to().parsedUri()).toBeInstanceOf(AbsoluteUri);
    expect(m.to().parsedUri().scheme).toBe('isbn');
    expect(m.from().parsedUri().scheme).toBe('http');
    expect(m.contacts()[0].parsedUri().toString()).toBe('name:John_Smith');
  });

  it('bext01: Require and Proxy-Require option tags', () => {
    const m = request('bext01');
    expect(m.require()).toEqual(['nothingSupportsThis', 'nothingSupportsThisEither']);
    expect(m.proxyRequire()).toEqual(['noProxiesSupportThis', 'norDoAnyProxiesSupportThis']);
  });

  it('invut: unknown Content-Type, body framed', () => {
    const m = request('invut');
    expect(m.contentType()).toBe('application/unknownformat');
    expect(m.body.toString()).toBe('<audio>\r\n <pcmu port="443"/>\r\n</audio>\r\n');
  });

  it('regaut01: unknown authorization scheme parsed, header forwarded unmodified', () => {
    const m = request('regaut01');
    const [auth] = m.authorizations();
    expect(auth.scheme).toBe('NoOneKnowsThisScheme');
    expect(auth.params.get('opaque-data')).toBe('here');
    m.prepend('Via', 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKx');
    expect(m.toString()).toContain('\r\nAuthorization: NoOneKnowsThisScheme opaque-data=here\r\n');
  });

  it('multi01: several Call-ID / To / From / CSeq / Max-Forwards -> 400', () => {
    const err = parseError(() => parse('multi01'));
    expect(err.statusCode).toBe(400);
    expect(['Call-ID', 'CSeq', 'From', 'To', 'Max-Forwards']).toContain(err.header);
  });

  it('mcl01: two Content-Length values -> 400', () => {
    expect(parseError(() => parse('mcl01')).header).toBe('Content-Length');
  });

  it('bcast: the second Via sent-by is the broadcast address', () => {
    expect(parse('bcast').via()[1].host).toBe('255.255.255.255');
  });

  it('zeromf: Max-Forwards 0', () => {
    expect(request('zeromf').maxForwards()).toBe(0);
  });

  it('cparam01 / cparam02: contact-param versus url-parameter', () => {
    const c1 = request('cparam01').contacts()[0];
    expect(c1.params.has('unknownparam')).toBe(true);
    expect((c1.parsedUri() as SipUri).params.has('unknownparam')).toBe(false);
    const c2 = request('cparam02').contacts()[0];
    expect(c2.params.has('unknownparam')).toBe(false);
    expect((c2.parsedUri() as SipUri).params.has('unknownparam')).toBe(true);
    expect(c2.toString()).toBe('<sip:+19725552222@gw1.example.net;unknownparam>');
  });

  it('regescrt: escaped Route header kept in the Contact URI', () => {
    const c = request('regescrt').contacts()[0];
    const uri = c.parsedUri() as SipUri;
    expect(uri.headers.get('Route')).toBe('%3Csip:sip.example.com%3E');
    expect(unescapeUri(uri.headers.get('Route')!)).toBe('<sip:sip.example.com>');
    expect(c.toString()).toBe('<sip:user@example.com?Route=%3Csip:sip.example.com%3E>');
  });

  it('sdp01: Accept without application/sdp', () => {
    expect(request('sdp01').getAll('Accept')).toEqual(['text/nobodyKnowsThis']);
  });

  it('inv2543: RFC 2543 request without branch, tag, Max-Forwards or Content-Length', () => {
    const m = request('inv2543');
    expect(m.topVia().branch).toBeUndefined();
    expect(m.from().tag).toBeUndefined();
    expect(m.maxForwards()).toBeUndefined();
    expect(m.contentLength()).toBeUndefined();
    expect(m.body.length).toBe(105);
    // Without <>, ";user=phone" is a header parameter, not a URI parameter (RFC 3261 §20).
    expect(m.to().params.get('user')).toBe('phone');
    expect((m.from().parsedUri() as SipUri).params.get('user')).toBe('phone');
    expect(m.recordRoutes()[0].parsedUri().toString()).toBe(
      'sip:UserB@example.com;maddr=ss1.example.com',
    );
    // Serialized for a stream transport, Content-Length is added.
    expect(m.toString()).toContain('\r\nContent-Length: 105\r\n\r\nv=0');
  });

  it('tel URIs are parsed too', () => {
    const m = parseMessage(
      bytes('zeromf').toString().replace('To: sip:user@example.com', 'To: <tel:+1-201-555-0123>'),
    );
    expect(m.to().parsedUri()).toBeInstanceOf(TelUri);
    expect((m.to().parsedUri() as TelUri).isGlobal).toBe(true);
  });
});
