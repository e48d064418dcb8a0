/** Shapes of the dictionary: AVPs, commands and applications (RFC 6733 §4, §3.2). */
import type { DataTypeName } from '../codec/datatypes/data-type';

/** RFC 6733 §4.5 flag-rule columns for the 'M' bit: MUST, MAY or MUST NOT be set. */
export type MBitRule = 'must' | 'may' | 'mustnot';

/**
 * One element of a Command Code Format or Grouped AVP Format (RFC 6733 §3.2, §4.4):
 * `< name >` fixed, `{ name }` required, `[ name ]` optional, with `min*max` qualifiers.
 * The name "AVP" stands for any AVP.
 */
export interface AvpRule {
  name: string;
  min: number;
  max: number;
  /** `< name >`: must appear at a fixed position (Session-Id first, RFC 6733 §8.8). */
  fixed: boolean;
}

export interface AvpDefinition {
  name: string;
  code: number;
  /** 0 = no Vendor-Id (the V bit clear). */
  vendorId: number;
  type: DataTypeName;
  mBit: MBitRule;
  /** Where it is defined, e.g. "RFC 6733 §8.8" or "TS 29.229 §6.3.2". */
  reference: string;
  /** Enumerated: value -> name. */
  enumValues?: ReadonlyMap<number, string>;
  /** Grouped: the AVP's ABNF. */
  rules?: readonly AvpRule[];
}

export interface CommandDefinition {
  /** e.g. "Multimedia-Auth-Request". */
  name: string;
  /** e.g. "MAR". */
  abbreviation: string;
  code: number;
  applicationId: number;
  request: boolean;
  proxiable: boolean;
  rules: readonly AvpRule[];
}

export interface ApplicationDefinition {
  name: string;
  id: number;
  /** Vendor-Id of a vendor-specific application (advertised in Vendor-Specific-Application-Id). */
  vendorId: number;
}

/** One row of an AVP table as transcribed from a spec: [name, code, type, M-bit, §]. */
export type AvpRow = [
  name: string,
  code: number,
  type: DataTypeName,
  m: 'M' | 'm' | '-',
  section: string,
];
