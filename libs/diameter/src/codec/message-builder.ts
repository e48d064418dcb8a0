/**
 * Building AVPs and messages by name: the dictionary gives code, Vendor-Id, flags and data type,
 * so callers never write AVP numbers.
 */
import { dictionary } from '../dictionary/dictionary';
import type { AvpDefinition } from '../dictionary/definitions';
import { Avp, encodeAvps } from './avp';
import { AddressValue, codecFor } from './datatypes';
import { DiameterEncodeError } from './diameter-error';
import { DiameterMessage } from './diameter-message';
import { endToEndIds } from './identifiers';

/** A Grouped AVP's members by name; an array value gives a repeated member. */
export interface GroupedInput {
  [name: string]: AvpInput | AvpInput[] | undefined;
}
export type AvpInput =
  string | number | bigint | Buffer | Date | AddressValue | Avp[] | GroupedInput;

/** Largest AVP Data field (24-bit AVP Length minus a vendor header). */
const MAX_AVP_DATA = 0xffffff - 12;

const enumByName = new WeakMap<AvpDefinition, Map<string, number>>();

function enumValue(def: AvpDefinition, name: string): number {
  let byName = enumByName.get(def);
  if (!byName) {
    byName = new Map([...(def.enumValues ?? new Map<number, string>())].map(([k, v]) => [v, k]));
    enumByName.set(def, byName);
  }
  const v = byName.get(name);
  if (v === undefined) throw new DiameterEncodeError(`${def.name} has no value named ${name}`);
  return v;
}

function groupedChildren(def: AvpDefinition, value: AvpInput): Avp[] {
  if (Array.isArray(value)) {
    if (value.every((v) => v instanceof Avp)) return value;
    throw new DiameterEncodeError(`${def.name}: a Grouped value is Avp[] or {name: value}`);
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    Buffer.isBuffer(value) ||
    value instanceof Date
  ) {
    throw new DiameterEncodeError(`${def.name}: a Grouped value is Avp[] or {name: value}`);
  }
  const out: Avp[] = [];
  for (const [name, v] of Object.entries(value as GroupedInput)) {
    if (v === undefined) continue;
    // `{name: []}` is zero occurrences of `*[ name ]` (not an empty Grouped value; give `{}` for that).
    if (Array.isArray(v) && v.length === 0) continue;
    if (Array.isArray(v) && !v.every((x) => x instanceof Avp)) {
      for (const item of v) out.push(avp(name, item));
    } else {
      out.push(avp(name, v as AvpInput));
    }
  }
  return out;
}

/**
 * One AVP by dictionary name. Flags follow the dictionary: V when the AVP has a Vendor-Id, M
 * when its M-bit rule is "must". Enumerated values may be given by number or by name.
 */
export function avp(name: string, value: AvpInput): Avp {
  const def = dictionary.avpByName(name);
  if (!def) throw new DiameterEncodeError(`unknown AVP ${name}`);
  let data: Buffer;
  if (def.type === 'Grouped') {
    data = encodeAvps(groupedChildren(def, value));
  } else if (def.type === 'Enumerated' && typeof value === 'string') {
    data = codecFor('Integer32')!.encode(enumValue(def, value));
  } else {
    try {
      data = codecFor(def.type)!.encode(value);
    } catch (e) {
      if (e instanceof DiameterEncodeError) throw new DiameterEncodeError(`${name}: ${e.message}`);
      throw e;
    }
  }
  if (data.length > MAX_AVP_DATA) throw new DiameterEncodeError(`${name}: value too long`);
  return new Avp(
    def.code,
    def.vendorId,
    { vendor: def.vendorId !== 0, mandatory: def.mBit === 'must', protected: false },
    data,
  );
}

/** An AVP given by number, e.g. one the dictionary does not know (kept as raw Data). */
export function rawAvp(
  code: number,
  data: Buffer,
  opts: { vendorId?: number; mandatory?: boolean } = {},
): Avp {
  const vendorId = opts.vendorId ?? 0;
  return new Avp(
    code,
    vendorId,
    { vendor: vendorId !== 0, mandatory: !!opts.mandatory, protected: false },
    data,
  );
}

/**
 * A request of the named command ("Multimedia-Auth-Request" or "MAR") in application 'Base'
 * or 'Cx'. The P bit follows the command's ABNF (PXY) unless given. A fresh End-to-End
 * Identifier is set; the Hop-by-Hop Identifier is set by the peer that sends it.
 */
export function createRequest(
  command: string,
  appName: 'Base' | 'Cx' | string,
  avps: Avp[],
  opts: { proxiable?: boolean } = {},
): DiameterMessage {
  const def = dictionary.commandByName(command) ?? dictionary.commandByName(`${command}-Request`);
  if (!def || !def.request) throw new DiameterEncodeError(`unknown request ${command}`);
  const app = dictionary.application(appName);
  if (!app) throw new DiameterEncodeError(`unknown application ${appName}`);
  return new DiameterMessage({
    flags: { request: true, proxiable: opts.proxiable ?? def.proxiable },
    commandCode: def.code,
    applicationId: app.id,
    endToEnd: endToEndIds.next(),
    avps,
  });
}

/**
 * The answer to `req` (RFC 6733 §6.2): same Command-Code, Application-ID, Hop-by-Hop and
 * End-to-End Identifiers, R bit clear, P bit as in the request. "The Session-Id AVP ... MUST
 * be the first AVP" when the request had one (copied if `avps` lacks it); the request's
 * Proxy-Info AVPs are appended in order (§6.2 step 4) unless `avps` already has them.
 */
export function createAnswer(req: DiameterMessage, avps: Avp[]): DiameterMessage {
  const out = [...avps];
  const sid = req.find('Session-Id');
  const hasSid = out.some((a) => a.code === sid?.code && a.vendorId === 0);
  if (sid && !hasSid) out.unshift(sid);
  const proxyInfo = req.findAll('Proxy-Info');
  if (proxyInfo.length && !out.some((a) => a.code === proxyInfo[0].code && a.vendorId === 0)) {
    out.push(...proxyInfo);
  }
  return new DiameterMessage({
    flags: { request: false, proxiable: req.flags.proxiable, error: false, retransmit: false },
    commandCode: req.commandCode,
    applicationId: req.applicationId,
    hopByHop: req.hopByHop,
    endToEnd: req.endToEnd,
    avps: out,
  });
}
