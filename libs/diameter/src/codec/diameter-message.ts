/**
 * RFC 6733 §3 Diameter header:
 *
 *   |    Version    |                 Message Length                |
 *   | command flags |                  Command Code                 |
 *   |                         Application-ID                        |
 *   |                      Hop-by-Hop Identifier                    |
 *   |                      End-to-End Identifier                    |
 *   |  AVPs ...
 *
 * Command flags: R(equest) 0x80, P(roxiable) 0x40, E(rror) 0x20, T (potentially
 * retransmitted) 0x10; "r(eserved) - These flag bits are reserved for future use; they MUST be
 * set to zero".
 */
import { dictionary } from '../dictionary/dictionary';
import type { CommandDefinition } from '../dictionary/definitions';
import { ResultCode } from '../dictionary/result-codes';
import { Avp, AvpValue, decodeAvps, findAllAvps, findAvp, writeAvp } from './avp';
import { DiameterDecodeError, DiameterEncodeError, PartialHeader } from './diameter-error';

export const HEADER_LENGTH = 20;
export const DIAMETER_VERSION = 1;
export const FLAG_REQUEST = 0x80;
export const FLAG_PROXIABLE = 0x40;
export const FLAG_ERROR = 0x20;
export const FLAG_RETRANSMIT = 0x10;
export const FLAGS_RESERVED = 0x0f;
/** The Message Length field has 24 bits. */
export const MAX_MESSAGE_LENGTH = 0xffffff;

export interface MessageFlags {
  request: boolean;
  proxiable: boolean;
  error: boolean;
  retransmit: boolean;
}

export class DiameterMessage {
  version = DIAMETER_VERSION;
  flags: MessageFlags = { request: false, proxiable: false, error: false, retransmit: false };
  commandCode = 0;
  applicationId = 0;
  hopByHop = 0;
  endToEnd = 0;
  avps: Avp[] = [];

  constructor(init?: Partial<Omit<DiameterMessage, 'flags'>> & { flags?: Partial<MessageFlags> }) {
    if (init) {
      if (init.version !== undefined) this.version = init.version;
      if (init.commandCode !== undefined) this.commandCode = init.commandCode;
      if (init.applicationId !== undefined) this.applicationId = init.applicationId;
      if (init.hopByHop !== undefined) this.hopByHop = init.hopByHop;
      if (init.endToEnd !== undefined) this.endToEnd = init.endToEnd;
      if (init.avps !== undefined) this.avps = init.avps;
      if (init.flags) this.flags = { ...this.flags, ...init.flags };
    }
  }

  /** The dictionary's command for (Application-ID, Command-Code, R bit). */
  get command(): CommandDefinition | undefined {
    return dictionary.command(this.commandCode, this.applicationId, this.flags.request);
  }

  /** e.g. "Multimedia-Auth-Request". */
  get commandName(): string | undefined {
    return this.command?.name;
  }

  /** First top-level AVP with this name (or code). */
  find(nameOrCode: string | number): Avp | undefined {
    return findAvp(this.avps, nameOrCode);
  }

  findAll(nameOrCode: string | number): Avp[] {
    return findAllAvps(this.avps, nameOrCode);
  }

  /** Value of the first top-level AVP with this name. */
  get(nameOrCode: string | number): AvpValue | undefined {
    return this.find(nameOrCode)?.value;
  }

  /** Appends AVPs; returns this. */
  add(...avps: Avp[]): this {
    this.avps.push(...avps);
    return this;
  }

  /**
   * Result-Code (RFC 6733 §7.1) or, when absent, Experimental-Result / Experimental-Result-Code
   * (§7.6, §7.7: "vendor-assigned values representing the result of processing the request").
   */
  resultCode(): number | undefined {
    const rc = this.get('Result-Code');
    if (typeof rc === 'number') return rc;
    const erc = this.find('Experimental-Result')?.get('Experimental-Result-Code');
    return typeof erc === 'number' ? erc : undefined;
  }

  /** True when the outcome is an Experimental-Result (no Result-Code). */
  isExperimentalResult(): boolean {
    return this.find('Result-Code') === undefined && this.find('Experimental-Result') !== undefined;
  }

  /** Vendor-Id of the Experimental-Result, if the outcome is one. */
  experimentalResultVendorId(): number | undefined {
    const v = this.find('Experimental-Result')?.get('Vendor-Id');
    return typeof v === 'number' ? v : undefined;
  }

  sessionId(): string | undefined {
    const v = this.get('Session-Id');
    return typeof v === 'string' ? v : undefined;
  }

  /** Total length on the wire. */
  get length(): number {
    let n = HEADER_LENGTH;
    for (const a of this.avps) n += a.paddedLength;
    return n;
  }

  toJSON(): unknown {
    return {
      command: this.commandName ?? this.commandCode,
      applicationId: this.applicationId,
      flags: this.flags,
      hopByHop: this.hopByHop,
      endToEnd: this.endToEnd,
      avps: this.avps.map((a) => a.toJSON()),
    };
  }
}

function headerFlags(f: MessageFlags): number {
  return (
    (f.request ? FLAG_REQUEST : 0) |
    (f.proxiable ? FLAG_PROXIABLE : 0) |
    (f.error ? FLAG_ERROR : 0) |
    (f.retransmit ? FLAG_RETRANSMIT : 0)
  );
}

/** Serialises a message: header, then each AVP padded to 32 bits. */
export function encodeMessage(msg: DiameterMessage): Buffer {
  const length = msg.length;
  if (length > MAX_MESSAGE_LENGTH) {
    throw new DiameterEncodeError(`message of ${length} octets exceeds the 24-bit length`);
  }
  const out = Buffer.allocUnsafe(length);
  out[0] = msg.version;
  out.writeUIntBE(length, 1, 3);
  out[4] = headerFlags(msg.flags);
  out.writeUIntBE(msg.commandCode, 5, 3);
  out.writeUInt32BE(msg.applicationId >>> 0, 8);
  out.writeUInt32BE(msg.hopByHop >>> 0, 12);
  out.writeUInt32BE(msg.endToEnd >>> 0, 16);
  let off = HEADER_LENGTH;
  for (const a of msg.avps) off = writeAvp(a, out, off);
  return out;
}

/**
 * Reads the header fields of a buffer that holds at least 20 octets (used by decodeMessage
 * and by the stream framer to answer a message it cannot decode).
 */
export function readHeader(buf: Buffer): PartialHeader & { version: number; length: number } {
  return {
    version: buf[0],
    length: buf.readUIntBE(1, 3),
    flags: buf[4],
    commandCode: buf.readUIntBE(5, 3),
    applicationId: buf.readUInt32BE(8),
    hopByHop: buf.readUInt32BE(12),
    endToEnd: buf.readUInt32BE(16),
  };
}

/**
 * Parses exactly one message. Throws DiameterDecodeError with the result code to answer:
 * 5015 DIAMETER_INVALID_MESSAGE_LENGTH, 5011 DIAMETER_UNSUPPORTED_VERSION,
 * 3008 DIAMETER_INVALID_HDR_BITS, or an AVP error (5014, 3009, 5004) with its Failed-AVP.
 */
export function decodeMessage(buf: Buffer): DiameterMessage {
  if (buf.length < HEADER_LENGTH) {
    throw new DiameterDecodeError(
      `message of ${buf.length} octets is shorter than the header`,
      ResultCode.INVALID_MESSAGE_LENGTH,
    );
  }
  const h = readHeader(buf);
  const fail = (message: string, code: number): never => {
    const e = new DiameterDecodeError(message, code);
    e.header = h;
    throw e;
  };
  if (h.length !== buf.length || h.length % 4 !== 0) {
    fail(
      `Message Length ${h.length} does not match ${buf.length} octets`,
      ResultCode.INVALID_MESSAGE_LENGTH,
    );
  }
  if (h.version !== DIAMETER_VERSION) {
    fail(`unsupported Diameter version ${h.version}`, ResultCode.UNSUPPORTED_VERSION);
  }
  // §3: reserved bits MUST be zero; "E ... This bit MUST NOT be set in request messages".
  if (h.flags & FLAGS_RESERVED || (h.flags & FLAG_REQUEST && h.flags & FLAG_ERROR)) {
    fail(`invalid command flags 0x${h.flags.toString(16)}`, ResultCode.INVALID_HDR_BITS);
  }
  let avps: Avp[];
  try {
    avps = decodeAvps(buf, HEADER_LENGTH, h.length);
  } catch (e) {
    if (e instanceof DiameterDecodeError) e.header = h;
    throw e;
  }
  return new DiameterMessage({
    version: h.version,
    flags: {
      request: (h.flags & FLAG_REQUEST) !== 0,
      proxiable: (h.flags & FLAG_PROXIABLE) !== 0,
      error: (h.flags & FLAG_ERROR) !== 0,
      retransmit: (h.flags & FLAG_RETRANSMIT) !== 0,
    },
    commandCode: h.commandCode,
    applicationId: h.applicationId,
    hopByHop: h.hopByHop,
    endToEnd: h.endToEnd,
    avps,
  });
}
