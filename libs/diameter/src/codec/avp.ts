/**
 * RFC 6733 §4.1 AVP header and framing:
 *
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           AVP Code                            |
 *   |V M P r r r r r|                  AVP Length                   |
 *   |                        Vendor-ID (opt)                        |
 *   |    Data ...
 *
 * "The AVP Length field MUST NOT include the padding"; each AVP is padded to a 32-bit boundary.
 * An AVP keeps its raw Data; the value is decoded by the data type the dictionary gives it.
 * AVPs missing from the dictionary keep their bytes and are re-encoded unchanged.
 */
import { dictionary } from '../dictionary/dictionary';
import type { AvpDefinition } from '../dictionary/definitions';
import { ResultCode } from '../dictionary/result-codes';
import { AddressValue, codecFor } from './datatypes';
import { AvpValueError, DiameterDecodeError } from './diameter-error';

export interface AvpFlags {
  /** 'V': the optional Vendor-ID field is present. */
  vendor: boolean;
  /** 'M': "the receiver MUST either support the AVP or reject the message" (§4.1). */
  mandatory: boolean;
  /** 'P': reserved for end-to-end security (deprecated by RFC 6733, kept as received). */
  protected: boolean;
}

export type AvpValue = string | number | bigint | Buffer | Avp[] | Date | AddressValue;

export const AVP_FLAG_VENDOR = 0x80;
export const AVP_FLAG_MANDATORY = 0x40;
export const AVP_FLAG_PROTECTED = 0x20;
/** "r(eserved) - These flag bits are reserved for future use and MUST be set to zero". */
export const AVP_FLAGS_RESERVED = 0x1f;
/** RFC 6733 §7.5 Failed-AVP. */
const FAILED_AVP_CODE = 279;

export class Avp {
  private cached?: AvpValue;

  constructor(
    public code: number,
    public vendorId: number,
    public flags: AvpFlags,
    /** The Data field, without header and padding. */
    public data: Buffer,
  ) {}

  /** The dictionary entry for (code, Vendor-Id), if any. */
  get definition(): AvpDefinition | undefined {
    return dictionary.avp(this.code, this.vendorId);
  }

  get name(): string | undefined {
    return this.definition?.name;
  }

  /**
   * The Data decoded by the AVP's data type: string, number, bigint (64-bit types), Buffer,
   * Date (Time), {family, address} (Address), Avp[] (Grouped). Unknown AVPs give their raw Data.
   * Throws DiameterDecodeError (naming this AVP) when the Data is invalid for the type.
   */
  get value(): AvpValue {
    if (this.cached !== undefined) return this.cached;
    const def = this.definition;
    if (!def) return this.data;
    if (def.type === 'Grouped') {
      // RFC 6733 §7.5: Failed-AVP carries the offending AVP as received, so its members are
      // framed but not validated.
      const validate = !(this.code === FAILED_AVP_CODE && this.vendorId === 0);
      return (this.cached = decodeAvps(this.data, 0, this.data.length, validate));
    }
    try {
      return (this.cached = codecFor(def.type)!.decode(this.data) as AvpValue);
    } catch (e) {
      if (e instanceof AvpValueError) {
        throw new DiameterDecodeError(`${def.name}: ${e.message}`, e.resultCode, this);
      }
      throw e;
    }
  }

  /** The AVPs inside a Grouped AVP (empty for any other type). */
  get children(): Avp[] {
    return this.definition?.type === 'Grouped' ? (this.value as Avp[]) : [];
  }

  /** The first child with this name or AVP code. */
  find(nameOrCode: string | number): Avp | undefined {
    return findAvp(this.children, nameOrCode);
  }

  findAll(nameOrCode: string | number): Avp[] {
    return findAllAvps(this.children, nameOrCode);
  }

  /** Value of the first child with this name. */
  get(nameOrCode: string | number): AvpValue | undefined {
    return this.find(nameOrCode)?.value;
  }

  /** The AVP Length field: header plus Data, without padding. */
  get length(): number {
    return (this.flags.vendor ? 12 : 8) + this.data.length;
  }

  /** Length on the wire, padded to 32 bits. */
  get paddedLength(): number {
    return (this.length + 3) & ~3;
  }

  /** A readable form for logs and test failures. */
  toJSON(): unknown {
    const name = this.name ?? `${this.vendorId ? `${this.vendorId}:` : ''}${this.code}`;
    let value: unknown;
    try {
      const v = this.value;
      value = Array.isArray(v)
        ? v.map((c) => c.toJSON())
        : Buffer.isBuffer(v)
          ? v.toString('hex')
          : typeof v === 'bigint'
            ? v.toString()
            : v;
    } catch {
      value = this.data.toString('hex');
    }
    return { [name]: value };
  }
}

function matcher(nameOrCode: string | number): ((a: Avp) => boolean) | undefined {
  if (typeof nameOrCode === 'number') return (a) => a.code === nameOrCode;
  const def = dictionary.avpByName(nameOrCode);
  if (!def) return undefined;
  return (a) => a.code === def.code && a.vendorId === def.vendorId;
}

export function findAvp(avps: Avp[], nameOrCode: string | number): Avp | undefined {
  const m = matcher(nameOrCode);
  return m && avps.find(m);
}

export function findAllAvps(avps: Avp[], nameOrCode: string | number): Avp[] {
  const m = matcher(nameOrCode);
  return m ? avps.filter(m) : [];
}

/**
 * Reads the AVPs in buf[start, end). Every known AVP's value is decoded (recursively for
 * Grouped), so a message that decodes has no invalid AVP left inside. Errors are
 * DiameterDecodeError with 5014 DIAMETER_INVALID_AVP_LENGTH, 3009 DIAMETER_INVALID_AVP_BITS or
 * 5004 DIAMETER_INVALID_AVP_VALUE and the offending AVP.
 */
export function decodeAvps(buf: Buffer, start: number, end: number, validate = true): Avp[] {
  if (nesting >= MAX_GROUPED_NESTING) {
    throw new DiameterDecodeError('Grouped AVPs nested too deeply', ResultCode.INVALID_AVP_VALUE);
  }
  nesting++;
  try {
    return readAvps(buf, start, end, validate);
  } finally {
    nesting--;
  }
}

/** Grouped AVPs deeper than this are rejected (bounds the decoder's recursion). */
export const MAX_GROUPED_NESTING = 32;
let nesting = 0;

function readAvps(buf: Buffer, start: number, end: number, validate: boolean): Avp[] {
  const avps: Avp[] = [];
  let off = start;
  while (off < end) {
    const left = end - off;
    if (left < 8) {
      throw new DiameterDecodeError(
        `AVP header truncated (${left} octets left)`,
        ResultCode.INVALID_AVP_LENGTH,
        new Avp(left >= 4 ? buf.readUInt32BE(off) : 0, 0, flagsOf(0), Buffer.alloc(0)),
      );
    }
    const code = buf.readUInt32BE(off);
    const flagBits = buf[off + 4];
    const length = (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7];
    const flags = flagsOf(flagBits);
    const headerLength = flags.vendor ? 12 : 8;
    const vendorId = flags.vendor && left >= 12 ? buf.readUInt32BE(off + 8) : 0;
    let problem: [string, number] | undefined;
    if (length < headerLength || length > left) {
      problem = [
        `AVP ${code} length ${length} does not fit (${left} octets left)`,
        ResultCode.INVALID_AVP_LENGTH,
      ];
    } else if (flagBits & AVP_FLAGS_RESERVED) {
      problem = [`AVP ${code} has reserved flag bits set`, ResultCode.INVALID_AVP_BITS];
    } else if (((length + 3) & ~3) > left) {
      problem = [`AVP ${code} is missing its padding`, ResultCode.INVALID_AVP_LENGTH];
    }
    if (problem) {
      const rest = Buffer.from(buf.subarray(off + Math.min(headerLength, left), end));
      throw new DiameterDecodeError(problem[0], problem[1], new Avp(code, vendorId, flags, rest));
    }
    const padded = (length + 3) & ~3;
    const avp = new Avp(code, vendorId, flags, buf.subarray(off + headerLength, off + length));
    if (validate && avp.definition) void avp.value; // decode and validate now (throws with this AVP)
    avps.push(avp);
    off += padded;
  }
  return avps;
}

export function flagsOf(bits: number): AvpFlags {
  return {
    vendor: (bits & AVP_FLAG_VENDOR) !== 0,
    mandatory: (bits & AVP_FLAG_MANDATORY) !== 0,
    protected: (bits & AVP_FLAG_PROTECTED) !== 0,
  };
}

/** Writes one AVP (header, Data, zero padding) at `off`; returns the offset after it. */
export function writeAvp(avp: Avp, out: Buffer, off: number): number {
  const vendor = avp.flags.vendor;
  out.writeUInt32BE(avp.code, off);
  out[off + 4] =
    (vendor ? AVP_FLAG_VENDOR : 0) |
    (avp.flags.mandatory ? AVP_FLAG_MANDATORY : 0) |
    (avp.flags.protected ? AVP_FLAG_PROTECTED : 0);
  const length = avp.length;
  out[off + 5] = length >>> 16;
  out[off + 6] = (length >>> 8) & 0xff;
  out[off + 7] = length & 0xff;
  let p = off + 8;
  if (vendor) {
    out.writeUInt32BE(avp.vendorId, p);
    p += 4;
  }
  avp.data.copy(out, p);
  p += avp.data.length;
  const end = off + ((length + 3) & ~3);
  while (p < end) out[p++] = 0;
  return end;
}

/** The AVPs encoded back to back, each padded (the Data of a Grouped AVP). */
export function encodeAvps(avps: Avp[]): Buffer {
  let total = 0;
  for (const a of avps) total += a.paddedLength;
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  for (const a of avps) off = writeAvp(a, out, off);
  return out;
}
