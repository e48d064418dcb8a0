import fc from 'fast-check';
import { AvpValueError, DiameterEncodeError } from '../diameter-error';
import { ResultCode } from '../../dictionary/result-codes';
import {
  Address,
  DataTypeCodec,
  DiameterIdentity,
  DiameterURI,
  Enumerated,
  Float32,
  Float64,
  Integer32,
  Integer64,
  OctetString,
  Time,
  Unsigned32,
  Unsigned64,
  UTF8String,
  formatIPv6,
  parseIPv6,
} from '.';

function roundTrip<T>(codec: DataTypeCodec<T>, arb: fc.Arbitrary<T>): void {
  fc.assert(fc.property(arb, (v) => expect(codec.decode(codec.encode(v))).toEqual(v)));
}

function rejects(codec: DataTypeCodec<unknown>, data: Buffer, resultCode: number): void {
  let err: unknown;
  try {
    codec.decode(data);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AvpValueError);
  expect((err as AvpValueError).resultCode).toBe(resultCode);
}

describe('RFC 6733 §4.2 basic AVP data formats', () => {
  it('OctetString keeps any bytes', () =>
    roundTrip(
      OctetString,
      fc.uint8Array().map((a) => Buffer.from(a)),
    ));
  it('Integer32 is 32-bit signed big-endian', () => {
    roundTrip(Integer32, fc.integer({ min: -0x80000000, max: 0x7fffffff }));
    expect(Integer32.encode(-2)).toEqual(Buffer.from('fffffffe', 'hex'));
  });
  it('Integer64 is 64-bit signed big-endian (bigint)', () =>
    roundTrip(Integer64, fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })));
  it('Unsigned32 is 32-bit unsigned big-endian', () => {
    roundTrip(Unsigned32, fc.integer({ min: 0, max: 0xffffffff }));
    expect(Unsigned32.encode(16777216)).toEqual(Buffer.from('01000000', 'hex'));
  });
  it('Unsigned64 is 64-bit unsigned big-endian (bigint)', () =>
    roundTrip(Unsigned64, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })));
  it('Float32 / Float64 are IEEE 754 big-endian', () => {
    roundTrip(Float32, fc.float({ noNaN: true }));
    roundTrip(Float64, fc.double({ noNaN: true }));
    expect(Float32.encode(1)).toEqual(Buffer.from('3f800000', 'hex'));
  });
  it.each([
    ['Integer32', Integer32, 3],
    ['Unsigned32', Unsigned32, 5],
    ['Integer64', Integer64, 4],
    ['Unsigned64', Unsigned64, 9],
    ['Float32', Float32, 8],
    ['Float64', Float64, 4],
    ['Enumerated', Enumerated, 2],
    ['Time', Time, 8],
  ])('%s with the wrong data length is 5014 DIAMETER_INVALID_AVP_LENGTH', (_n, codec, len) =>
    rejects(codec as DataTypeCodec<unknown>, Buffer.alloc(len), ResultCode.INVALID_AVP_LENGTH),
  );
  it('rejects values outside the type when encoding', () => {
    expect(() => Unsigned32.encode(-1)).toThrow(DiameterEncodeError);
    expect(() => Unsigned32.encode(2 ** 32)).toThrow(DiameterEncodeError);
    expect(() => Integer32.encode(1.5)).toThrow(DiameterEncodeError);
    expect(() => Unsigned64.encode(-1n)).toThrow(DiameterEncodeError);
    expect(() => UTF8String.encode(42)).toThrow(DiameterEncodeError);
  });
});

describe('RFC 6733 §4.3 derived AVP data formats', () => {
  it('UTF8String round-trips any well-formed string', () =>
    roundTrip(UTF8String, fc.string({ unit: 'grapheme' })));
  it('UTF8String rejects invalid UTF-8 with 5004 DIAMETER_INVALID_AVP_VALUE', () => {
    rejects(UTF8String, Buffer.from([0x61, 0xc3]), ResultCode.INVALID_AVP_VALUE);
    rejects(UTF8String, Buffer.from([0xed, 0xa0, 0x80]), ResultCode.INVALID_AVP_VALUE); // surrogate
  });
  it('UTF8String refuses to encode a lone surrogate', () => {
    expect(() => UTF8String.encode('a\uD800')).toThrow(DiameterEncodeError);
  });
  it('DiameterIdentity is an ASCII FQDN', () => {
    expect(
      DiameterIdentity.decode(DiameterIdentity.encode('hss.ims.mnc001.mcc001.3gppnetwork.org')),
    ).toBe('hss.ims.mnc001.mcc001.3gppnetwork.org');
    rejects(DiameterIdentity, Buffer.from('a b'), ResultCode.INVALID_AVP_VALUE);
    expect(() => DiameterIdentity.encode('hôst')).toThrow(DiameterEncodeError);
  });
  it('DiameterURI carries aaa:// URIs', () => {
    const uri = 'aaa://hss.example.org:3868;transport=tcp;protocol=diameter';
    expect(DiameterURI.decode(DiameterURI.encode(uri))).toBe(uri);
  });
  it('Enumerated is an Integer32', () =>
    roundTrip(Enumerated, fc.integer({ min: -0x80000000, max: 0x7fffffff })));

  describe('Address: AddressType (IANA family) + address', () => {
    it('encodes IPv4 as family 1 + 4 octets', () => {
      expect(Address.encode('127.0.0.1')).toEqual(Buffer.from('00017f000001', 'hex'));
      expect(Address.decode(Buffer.from('00017f000001', 'hex'))).toEqual({
        family: 1,
        address: '127.0.0.1',
      });
    });
    it('encodes IPv6 as family 2 + 16 octets and prints RFC 5952 text', () => {
      expect(Address.encode('::1')).toEqual(Buffer.from('0002' + '00'.repeat(15) + '01', 'hex'));
      expect(
        Address.decode(Address.encode({ family: 2, address: '2001:db8:0:0:1:0:0:1' })),
      ).toEqual({
        family: 2,
        address: '2001:db8::1:0:0:1',
      });
      expect(formatIPv6(parseIPv6('::ffff:192.0.2.1'))).toBe('::ffff:c000:201');
    });
    it('round-trips arbitrary IPv4 and IPv6 addresses', () => {
      roundTrip(
        Address,
        fc.ipV4().map((address) => ({ family: 1, address })),
      );
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
          const text = formatIPv6(Buffer.from(bytes));
          expect(parseIPv6(text)).toEqual(Buffer.from(bytes));
          const v = Address.decode(Address.encode(text));
          expect(v).toEqual({ family: 2, address: text });
        }),
      );
      fc.assert(
        fc.property(fc.ipV6(), (a) =>
          expect(formatIPv6(parseIPv6(formatIPv6(parseIPv6(a))))).toBe(formatIPv6(parseIPv6(a))),
        ),
      );
    });
    it('keeps other families as hex and rejects bad lengths with 5014', () => {
      expect(Address.decode(Buffer.from('0008313233', 'hex'))).toEqual({
        family: 8,
        address: '313233',
      });
      rejects(Address, Buffer.from('000101020304ff', 'hex'), ResultCode.INVALID_AVP_LENGTH);
      rejects(Address, Buffer.from('00', 'hex'), ResultCode.INVALID_AVP_LENGTH);
    });
  });

  describe('Time: NTP seconds since 1900', () => {
    it('encodes 1970-01-01 as 2208988800', () => {
      expect(Time.encode(new Date(0))).toEqual(Buffer.from((2208988800).toString(16), 'hex'));
    });
    it('reads values with the MSB clear in the era after 2036-02-07 06:28:16 UTC', () => {
      expect(Time.decode(Buffer.from('00000000', 'hex')).toISOString()).toBe(
        '2036-02-07T06:28:16.000Z',
      );
      expect(Time.decode(Buffer.from('80000000', 'hex')).toISOString()).toBe(
        '1968-01-20T03:14:08.000Z',
      );
    });
    it('round-trips whole seconds between 1968 and 2104', () =>
      roundTrip(
        Time,
        fc
          .integer({ min: 0x80000000 - 2208988800, max: 0x80000000 + 2 ** 32 - 1 - 2208988800 })
          .map((s) => new Date(s * 1000)),
      ));
  });
});
