import fc from 'fast-check';
import { Avp, encodeAvps } from './avp';
import { DiameterDecodeError } from './diameter-error';
import { DiameterMessage, decodeMessage, encodeMessage } from './diameter-message';
import { avp, createAnswer, createRequest, rawAvp } from './message-builder';
import { ResultCode } from '../dictionary/result-codes';

function decodeError(bytes: Buffer): DiameterDecodeError {
  try {
    decodeMessage(bytes);
  } catch (e) {
    if (e instanceof DiameterDecodeError) return e;
    throw e;
  }
  throw new Error('decoded without error');
}

/** A DWR written out by hand from RFC 6733 §3 and §4.1. */
const DWR_HEX =
  '01000038' + // version 1, length 56
  '80000118' + // R, command 280
  '00000000' + // application 0
  '00000007' + // hop-by-hop
  '00000009' + // end-to-end
  '00000108' +
  '40000011' +
  '612e6578616d706c65' +
  '000000' + // Origin-Host "a.example" (17) + pad 3
  '00000128' +
  '4000000f' +
  '6578616d706c65' +
  '00'; // Origin-Realm "example" (15) + pad 1

describe('RFC 6733 §3 header and §4.1 AVP framing', () => {
  it('decodes a hand-written DWR and encodes it back byte for byte', () => {
    const bytes = Buffer.from(DWR_HEX, 'hex');
    const msg = decodeMessage(bytes);
    expect(msg.commandName).toBe('Device-Watchdog-Request');
    expect(msg.flags).toEqual({ request: true, proxiable: false, error: false, retransmit: false });
    expect(msg.hopByHop).toBe(7);
    expect(msg.endToEnd).toBe(9);
    expect(msg.get('Origin-Host')).toBe('a.example');
    expect(msg.get('Origin-Realm')).toBe('example');
    expect(encodeMessage(msg)).toEqual(bytes);
  });

  it.each([
    ['R', 0x80, { request: true }],
    ['P', 0x40, { proxiable: true }],
    ['E', 0x20, { error: true }],
    ['T', 0x10, { retransmit: true }],
  ])('command flag %s is bit %d', (_n, bit, flags) => {
    const msg = new DiameterMessage({ commandCode: 280, flags: flags as never });
    const bytes = encodeMessage(msg);
    expect(bytes[4]).toBe(bit);
    expect(decodeMessage(bytes).flags).toEqual(msg.flags);
  });

  it('pads every AVP to 32 bits without counting the padding in the AVP Length', () => {
    const msg = new DiameterMessage({ commandCode: 280, avps: [avp('User-Name', 'abcde')] });
    const bytes = encodeMessage(msg);
    expect(bytes.length).toBe(20 + 16);
    expect(bytes.readUIntBE(20 + 5, 3)).toBe(13);
    expect(bytes.subarray(33, 36)).toEqual(Buffer.alloc(3));
  });

  it('sets V and the Vendor-Id for vendor-specific AVPs and M from the dictionary', () => {
    const a = avp('Public-Identity', 'sip:alice@ims.example');
    expect(a.flags).toEqual({ vendor: true, mandatory: true, protected: false });
    expect(a.vendorId).toBe(10415);
    const bytes = encodeMessage(new DiameterMessage({ avps: [a] }));
    expect(bytes.readUInt32BE(20)).toBe(601);
    expect(bytes[24]).toBe(0xc0);
    expect(bytes.readUInt32BE(28)).toBe(10415);
    expect(avp('Product-Name', 'x').flags.mandatory).toBe(false); // RFC 6733 §4.5: M must not
    expect(avp('Supported-Features', []).flags).toEqual({
      vendor: true,
      mandatory: false,
      protected: false,
    });
  });

  it('builds and decodes nested Grouped AVPs', () => {
    const msg = createRequest('MAR', 'Cx', [
      avp('SIP-Auth-Data-Item', {
        'SIP-Authentication-Scheme': 'SIP Digest',
        'SIP-Digest-Authenticate': {
          'Digest-Realm': 'ims.example',
          'Digest-QoP': 'auth',
          'Digest-HA1': 'abc',
        },
      }),
    ]);
    const back = decodeMessage(encodeMessage(msg));
    const item = back.find('SIP-Auth-Data-Item')!;
    expect(item.get('SIP-Authentication-Scheme')).toBe('SIP Digest');
    expect(item.find('SIP-Digest-Authenticate')!.get('Digest-HA1')).toBe('abc');
    expect(item.children.map((c) => c.name)).toEqual([
      'SIP-Authentication-Scheme',
      'SIP-Digest-Authenticate',
    ]);
  });

  it('keeps unknown AVPs raw and re-encodes them byte-identical', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            code: fc.integer({ min: 100000, max: 0xffffffff }),
            vendorId: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffffffff })),
            mandatory: fc.boolean(),
            data: fc.uint8Array({ maxLength: 40 }),
          }),
          { maxLength: 6 },
        ),
        (avps) => {
          const msg = new DiameterMessage({
            commandCode: 300,
            applicationId: 16777216,
            avps: avps.map((a) => rawAvp(a.code, Buffer.from(a.data), a)),
          });
          const bytes = encodeMessage(msg);
          const back = decodeMessage(bytes);
          expect(back.avps.map((a) => a.name)).toEqual(avps.map(() => undefined));
          expect(back.avps.map((a) => Buffer.from(a.value as Buffer))).toEqual(
            avps.map((a) => Buffer.from(a.data)),
          );
          expect(encodeMessage(back)).toEqual(bytes);
        },
      ),
    );
  });

  it('re-encodes any decodable message byte-identical', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          avp('Session-Id', 'h;1;2'),
          avp('Host-IP-Address', '::1'),
          avp('Accounting-Sub-Session-Id', 5n),
          avp('Event-Timestamp', new Date('2025-01-01T00:00:00Z')),
          avp('Experimental-Result', { 'Vendor-Id': 10415, 'Experimental-Result-Code': 2001 }),
        ),
        fc.integer({ min: 0, max: 0xffffffff }),
        (a, hbh) => {
          const bytes = encodeMessage(
            new DiameterMessage({ commandCode: 303, hopByHop: hbh, avps: [a, a] }),
          );
          expect(encodeMessage(decodeMessage(bytes))).toEqual(bytes);
        },
      ),
    );
  });
});

describe('decode errors carry the RFC 6733 §7.1 result code and Failed-AVP', () => {
  const good = () => Buffer.from(DWR_HEX, 'hex');

  it('5015 DIAMETER_INVALID_MESSAGE_LENGTH when the length field does not match', () => {
    const b = good();
    b.writeUIntBE(60, 1, 3);
    expect(decodeError(b).resultCode).toBe(ResultCode.INVALID_MESSAGE_LENGTH);
    expect(decodeError(Buffer.alloc(10)).resultCode).toBe(ResultCode.INVALID_MESSAGE_LENGTH);
  });

  it('5011 DIAMETER_UNSUPPORTED_VERSION for version 2', () => {
    const b = good();
    b[0] = 2;
    expect(decodeError(b).resultCode).toBe(ResultCode.UNSUPPORTED_VERSION);
  });

  it('3008 DIAMETER_INVALID_HDR_BITS for reserved bits or E in a request', () => {
    const b = good();
    b[4] = 0x81;
    expect(decodeError(b).resultCode).toBe(ResultCode.INVALID_HDR_BITS);
    b[4] = 0xa0;
    const e = decodeError(b);
    expect(e.resultCode).toBe(ResultCode.INVALID_HDR_BITS);
    expect(e.header?.hopByHop).toBe(7);
  });

  it('5014 DIAMETER_INVALID_AVP_LENGTH for an AVP running past the message', () => {
    const b = good();
    b.writeUIntBE(40, 20 + 5, 3); // Origin-Host claims 40 octets
    const e = decodeError(b);
    expect(e.resultCode).toBe(ResultCode.INVALID_AVP_LENGTH);
    expect(e.failedAvp?.code).toBe(264);
  });

  it('5014 for a fixed-size AVP of the wrong size, naming the AVP', () => {
    const bad = new Avp(
      268,
      0,
      { vendor: false, mandatory: true, protected: false },
      Buffer.alloc(3),
    );
    const e = decodeError(encodeMessage(new DiameterMessage({ commandCode: 280, avps: [bad] })));
    expect(e.resultCode).toBe(ResultCode.INVALID_AVP_LENGTH);
    expect(e.failedAvp?.name).toBe('Result-Code');
  });

  it('5004 DIAMETER_INVALID_AVP_VALUE for invalid UTF-8 inside a Grouped AVP', () => {
    const inner = new Avp(
      617,
      10415,
      { vendor: true, mandatory: true, protected: false },
      Buffer.from([0xff]),
    );
    const outer = new Avp(
      615,
      10415,
      { vendor: true, mandatory: true, protected: false },
      Buffer.alloc(0),
    );
    outer.data = encodeAvps([avp('Reason-Code', 0), inner]);
    const e = decodeError(encodeMessage(new DiameterMessage({ commandCode: 304, avps: [outer] })));
    expect(e.resultCode).toBe(ResultCode.INVALID_AVP_VALUE);
    expect(e.failedAvp?.name).toBe('Reason-Info');
  });

  it('3009 DIAMETER_INVALID_AVP_BITS for reserved AVP flag bits', () => {
    const b = good();
    b[24] = 0x41;
    expect(decodeError(b).resultCode).toBe(ResultCode.INVALID_AVP_BITS);
  });

  it('arbitrary bytes never throw anything but DiameterDecodeError', () => {
    const check = (bytes: Uint8Array) => {
      try {
        decodeMessage(Buffer.from(bytes));
      } catch (e) {
        expect(e).toBeInstanceOf(DiameterDecodeError);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), { numRuns: 2000 });
    // Plausible headers with random AVP bytes reach deeper into the AVP decoder.
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 160 }),
        fc.constantFrom(0, 0x80, 0xc0, 0x40),
        (body, flags) => {
          const len = 20 + (body.length & ~3);
          const b = Buffer.alloc(len);
          b[0] = 1;
          b.writeUIntBE(len, 1, 3);
          b[4] = flags;
          b.writeUIntBE(303, 5, 3);
          b.writeUInt32BE(16777216, 8);
          Buffer.from(body).copy(b, 20, 0, len - 20);
          check(b);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('rejects deeply nested Grouped AVPs without overflowing the stack', () => {
    let a = avp('Proxy-Info', []);
    for (let i = 0; i < 200; i++) a = avp('Proxy-Info', [a]);
    const e = decodeError(encodeMessage(new DiameterMessage({ avps: [a] })));
    expect(e.resultCode).toBe(ResultCode.INVALID_AVP_VALUE);
  });
});

describe('createRequest / createAnswer', () => {
  it('creates a request with R, P from the ABNF and an End-to-End Identifier', () => {
    const req = createRequest('User-Authorization-Request', 'Cx', [avp('Session-Id', 's;1;1')]);
    expect(req.flags.request).toBe(true);
    expect(req.flags.proxiable).toBe(true);
    expect(req.applicationId).toBe(16777216);
    expect(req.commandCode).toBe(300);
    expect(createRequest('CER', 'Base', []).flags.proxiable).toBe(false);
  });
  it('answers with the same identifiers, R clear, Session-Id first and Proxy-Info echoed', () => {
    const proxyInfo = avp('Proxy-Info', {
      'Proxy-Host': 'proxy.example',
      'Proxy-State': Buffer.from('x'),
    });
    const req = createRequest('UAR', 'Cx', [avp('Session-Id', 's;1;1'), proxyInfo]);
    req.hopByHop = 42;
    const ans = createAnswer(req, [avp('Result-Code', 2001)]);
    expect(ans.flags.request).toBe(false);
    expect([ans.commandCode, ans.applicationId, ans.hopByHop, ans.endToEnd]).toEqual([
      300,
      16777216,
      42,
      req.endToEnd,
    ]);
    expect(ans.avps.map((a) => a.name)).toEqual(['Session-Id', 'Result-Code', 'Proxy-Info']);
    expect(ans.resultCode()).toBe(2001);
    expect(ans.isExperimentalResult()).toBe(false);
  });
  it('reads Experimental-Result as the result code', () => {
    const ans = new DiameterMessage({
      avps: [avp('Experimental-Result', { 'Vendor-Id': 10415, 'Experimental-Result-Code': 5001 })],
    });
    expect(ans.resultCode()).toBe(5001);
    expect(ans.isExperimentalResult()).toBe(true);
  });
});
