import { createCipheriv } from 'node:crypto';
import { BytesLike, toBytes, xor } from './bytes';

/**
 * The MILENAGE algorithm set, 3GPP TS 35.206 §4.1: the authentication and key generation
 * functions f1, f1*, f2, f3, f4, f5 and f5* built around the 128-bit block cipher E_K,
 * which MILENAGE instantiates with Rijndael (AES-128, TS 35.206 §3/§4.1).
 *
 * All values are octet strings (Buffers); K, OP, OPc and RAND are 16 octets, SQN 6, AMF 2.
 */

/** E_K, the "kernel function" of TS 35.206 §4.1: AES-128 encryption of one 16-octet block. */
type Kernel = (block: Buffer) => Buffer;

/**
 * E_K keyed once for one computation: a single AES-128-ECB context (no padding) encrypts each
 * block as it is fed, so the key schedule is set up once instead of once per block.
 */
function kernel(k: Buffer): Kernel {
  const cipher = createCipheriv('aes-128-ecb', k, null);
  cipher.setAutoPadding(false);
  return (block) => cipher.update(block);
}

/**
 * rot(x, r): "cyclically rotate the 128-bit value x by r bit positions towards the most
 * significant bit" (TS 35.206 §4.1). Every r MILENAGE uses is a multiple of 8.
 */
function rot(x: Buffer, rBits: number): Buffer {
  const r = (rBits / 8) % 16;
  return Buffer.concat([x.subarray(r), x.subarray(0, r)]);
}

/**
 * The constants c1..c5 and r1..r5 (TS 35.206 §4.1): c1 = 0, c2 = 1, c3 = 2, c4 = 4, c5 = 8
 * (in the least significant bit positions); r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96.
 */
function constant(lastOctet: number): Buffer {
  const c = Buffer.alloc(16);
  c[15] = lastOctet;
  return c;
}
const C1 = constant(0);
const C2 = constant(1);
const C3 = constant(2);
const C4 = constant(4);
const C5 = constant(8);
const R1 = 64;
const R2 = 0;
const R3 = 32;
const R4 = 64;
const R5 = 96;

/** OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1, "computation of OPc from OP"). */
export function computeOpc(k: BytesLike, op: BytesLike): Buffer {
  const K = toBytes(k, 'K', 16);
  const OP = toBytes(op, 'OP', 16);
  return xor(OP, kernel(K)(OP));
}

/** The inputs shared by every MILENAGE function. */
export interface MilenageKeys {
  /** K, the subscriber key (16 octets). */
  k: BytesLike;
  /** OPc, the operator variant key derived with the subscriber key (16 octets). */
  opc: BytesLike;
}

/** The outputs of f1 and f1*: MAC-A (network authentication) and MAC-S (resynchronisation). */
export interface F1Output {
  /** f1: the network authentication code MAC-A (8 octets). */
  macA: Buffer;
  /** f1*: the resynchronisation authentication code MAC-S (8 octets). */
  macS: Buffer;
}

/** The outputs of f2..f5 and f5*, all from OUT2..OUT5 (TS 35.206 §4.1). */
export interface F2345Output {
  /** f2: RES / XRES (8 octets for MILENAGE). */
  res: Buffer;
  /** f3: the cipher key CK (16 octets). */
  ck: Buffer;
  /** f4: the integrity key IK (16 octets). */
  ik: Buffer;
  /** f5: the anonymity key AK (6 octets). */
  ak: Buffer;
  /** f5*: the resynchronisation anonymity key AK* (6 octets). */
  akStar: Buffer;
}

/** TEMP = E_K(RAND ⊕ OPc) (TS 35.206 §4.1). */
function temp(E: Kernel, OPc: Buffer, RAND: Buffer): Buffer {
  return E(xor(RAND, OPc));
}

/** OUT1 of f1/f1*: E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, IN1 = SQN ‖ AMF ‖ SQN ‖ AMF. */
function out1(E: Kernel, OPc: Buffer, TEMP: Buffer, SQN: Buffer, AMF: Buffer): Buffer {
  const IN1 = Buffer.concat([SQN, AMF, SQN, AMF]);
  return xor(E(xor(xor(TEMP, rot(xor(IN1, OPc), R1)), C1)), OPc);
}

/** OUT2..OUT5 of f2..f5*: E_K(rot(TEMP ⊕ OPc, r) ⊕ c) ⊕ OPc. */
function f2345(E: Kernel, OPc: Buffer, TEMP: Buffer): F2345Output {
  const tempXorOpc = xor(TEMP, OPc);
  const out = (r: number, c: Buffer) => xor(E(xor(rot(tempXorOpc, r), c)), OPc);
  const out2 = out(R2, C2);
  const out3 = out(R3, C3);
  const out4 = out(R4, C4);
  const out5 = out(R5, C5);
  return {
    res: out2.subarray(8, 16),
    ck: out3,
    ik: out4,
    ak: out2.subarray(0, 6),
    akStar: out5.subarray(0, 6),
  };
}

/**
 * f1 and f1* (TS 35.206 §4.1):
 *   IN1 = SQN[0..47] ‖ AMF[0..15] ‖ SQN[0..47] ‖ AMF[0..15]
 *   OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc
 *   f1 = MAC-A = OUT1[0]..OUT1[63];  f1* = MAC-S = OUT1[64]..OUT1[127]
 */
export function milenageF1(
  keys: MilenageKeys,
  rand: BytesLike,
  sqn: BytesLike,
  amf: BytesLike,
): F1Output {
  const K = toBytes(keys.k, 'K', 16);
  const OPc = toBytes(keys.opc, 'OPc', 16);
  const RAND = toBytes(rand, 'RAND', 16);
  const SQN = toBytes(sqn, 'SQN', 6);
  const AMF = toBytes(amf, 'AMF', 2);
  const E = kernel(K);
  const o1 = out1(E, OPc, temp(E, OPc, RAND), SQN, AMF);
  return { macA: o1.subarray(0, 8), macS: o1.subarray(8, 16) };
}

/**
 * f2, f3, f4, f5 and f5* (TS 35.206 §4.1):
 *   OUT2 = E_K(rot(TEMP ⊕ OPc, r2) ⊕ c2) ⊕ OPc  -> f5 = OUT2[0..47], f2 = OUT2[64..127]
 *   OUT3 = E_K(rot(TEMP ⊕ OPc, r3) ⊕ c3) ⊕ OPc  -> f3 = CK
 *   OUT4 = E_K(rot(TEMP ⊕ OPc, r4) ⊕ c4) ⊕ OPc  -> f4 = IK
 *   OUT5 = E_K(rot(TEMP ⊕ OPc, r5) ⊕ c5) ⊕ OPc  -> f5* = OUT5[0..47]
 */
export function milenageF2345(keys: MilenageKeys, rand: BytesLike): F2345Output {
  const K = toBytes(keys.k, 'K', 16);
  const OPc = toBytes(keys.opc, 'OPc', 16);
  const RAND = toBytes(rand, 'RAND', 16);
  const E = kernel(K);
  return f2345(E, OPc, temp(E, OPc, RAND));
}

/**
 * f1, f1* and f2..f5* of one (RAND, SQN, AMF) at once, as an authentication vector needs
 * them (TS 33.102 §6.3.2): TEMP is computed once and one keyed E_K serves all six blocks.
 */
export function milenage(
  keys: MilenageKeys,
  rand: BytesLike,
  sqn: BytesLike,
  amf: BytesLike,
): F1Output & F2345Output {
  const K = toBytes(keys.k, 'K', 16);
  const OPc = toBytes(keys.opc, 'OPc', 16);
  const RAND = toBytes(rand, 'RAND', 16);
  const SQN = toBytes(sqn, 'SQN', 6);
  const AMF = toBytes(amf, 'AMF', 2);
  const E = kernel(K);
  const TEMP = temp(E, OPc, RAND);
  const o1 = out1(E, OPc, TEMP, SQN, AMF);
  return { macA: o1.subarray(0, 8), macS: o1.subarray(8, 16), ...f2345(E, OPc, TEMP) };
}

/** f1: MAC-A = f1_K(SQN, RAND, AMF). */
export function f1(keys: MilenageKeys, rand: BytesLike, sqn: BytesLike, amf: BytesLike): Buffer {
  return milenageF1(keys, rand, sqn, amf).macA;
}

/** f1*: MAC-S = f1*_K(SQN_MS, RAND, AMF). */
export function f1Star(
  keys: MilenageKeys,
  rand: BytesLike,
  sqn: BytesLike,
  amf: BytesLike,
): Buffer {
  return milenageF1(keys, rand, sqn, amf).macS;
}

/** f2: RES = f2_K(RAND). */
export function f2(keys: MilenageKeys, rand: BytesLike): Buffer {
  return milenageF2345(keys, rand).res;
}

/** f3: CK = f3_K(RAND). */
export function f3(keys: MilenageKeys, rand: BytesLike): Buffer {
  return milenageF2345(keys, rand).ck;
}

/** f4: IK = f4_K(RAND). */
export function f4(keys: MilenageKeys, rand: BytesLike): Buffer {
  return milenageF2345(keys, rand).ik;
}

/** f5: AK = f5_K(RAND). */
export function f5(keys: MilenageKeys, rand: BytesLike): Buffer {
  return milenageF2345(keys, rand).ak;
}

/** f5*: AK* = f5*_K(RAND), the anonymity key of the resynchronisation message AUTS. */
export function f5Star(keys: MilenageKeys, rand: BytesLike): Buffer {
  return milenageF2345(keys, rand).akStar;
}
