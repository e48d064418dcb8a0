/**
 * Checking a received request against the dictionary, and the answers that report a failure
 * (RFC 6733 §6.2, §7.1–§7.5).
 */
import { Avp } from '../codec/avp';
import { DiameterMessage } from '../codec/diameter-message';
import { avp, createAnswer } from '../codec/message-builder';
import type { AvpDefinition, AvpRule } from '../dictionary/definitions';
import { dictionary } from '../dictionary/dictionary';
import { ResultCode, isProtocolError } from '../dictionary/result-codes';

export interface ValidationFailure {
  /** The RFC 6733 §7.1 Result-Code to answer with. */
  resultCode: number;
  /** The AVP for Failed-AVP (§7.5). */
  failedAvp?: Avp;
  /** Text for Error-Message (§7.3). */
  errorMessage: string;
}

export interface ValidateOptions {
  /** Applications this node supports; others get 3007 (default: those in the dictionary). */
  applicationIds?: readonly number[];
}

/** Minimum Data length of each type, for the zero-filled example AVP of 5005 (§7.5). */
const MIN_DATA: Partial<Record<AvpDefinition['type'], number>> = {
  Integer32: 4,
  Unsigned32: 4,
  Enumerated: 4,
  Float32: 4,
  Time: 4,
  Integer64: 8,
  Unsigned64: 8,
  Float64: 8,
  Address: 6,
};

/**
 * §7.5: "If the failure reason is omission of a required AVP, an AVP with the missing AVP code,
 * the missing vendor id, and a zero-filled payload of the minimum required length for the
 * omitted AVP will be added."
 */
export function missingAvpExample(def: AvpDefinition): Avp {
  return new Avp(
    def.code,
    def.vendorId,
    { vendor: def.vendorId !== 0, mandatory: def.mBit === 'must', protected: false },
    Buffer.alloc(MIN_DATA[def.type] ?? 0),
  );
}

/** What checkAvps needs of one ABNF rule list, computed once per list (see ruleIndex). */
interface RuleIndex {
  /** `* [ AVP ]`: any AVP may appear. */
  anyAllowed: boolean;
  /** The AVP names the rules list. */
  names: ReadonlySet<string>;
  /** Each named rule with its dictionary entry, for the occurrence counts. */
  counted: readonly { rule: AvpRule; def: AvpDefinition }[];
}

const ruleIndexes = new WeakMap<readonly AvpRule[], RuleIndex>();

/**
 * The rule list of a command or Grouped AVP, indexed once: the dictionary's lists never
 * change, so every request is checked without scanning the rules once per AVP.
 */
function ruleIndex(rules: readonly AvpRule[]): RuleIndex {
  let index = ruleIndexes.get(rules);
  if (!index) {
    const named = rules.filter((r) => r.name !== 'AVP');
    index = {
      anyAllowed: named.length !== rules.length,
      names: new Set(named.map((r) => r.name)),
      counted: named.map((rule) => ({ rule, def: dictionary.avpByName(rule.name)! })),
    };
    ruleIndexes.set(rules, index);
  }
  return index;
}

function checkAvps(
  avps: Avp[],
  rules: readonly AvpRule[],
  owner: string,
): ValidationFailure | null {
  const { anyAllowed, names, counted } = ruleIndex(rules);
  const counts = new Map<string, number>();
  for (const a of avps) {
    const def = a.definition;
    if (!def) {
      // §4.1: "If an AVP with the 'M' bit set is received by a Diameter client, server, proxy,
      // or translation agent and either the AVP or its value is unrecognized, the message MUST
      // be rejected." -> 5001 DIAMETER_AVP_UNSUPPORTED
      if (a.flags.mandatory) {
        return {
          resultCode: ResultCode.AVP_UNSUPPORTED,
          failedAvp: a,
          errorMessage: `unsupported AVP ${a.vendorId ? `${a.vendorId}:` : ''}${a.code} with the M bit in ${owner}`,
        };
      }
      continue;
    }
    counts.set(def.name, (counts.get(def.name) ?? 0) + 1);
    if (!anyAllowed && !names.has(def.name)) {
      return {
        resultCode: ResultCode.AVP_NOT_ALLOWED,
        failedAvp: a,
        errorMessage: `${def.name} is not allowed in ${owner}`,
      };
    }
    let value;
    try {
      value = a.value;
    } catch {
      return {
        resultCode: ResultCode.INVALID_AVP_VALUE,
        failedAvp: a,
        errorMessage: `invalid ${def.name}`,
      };
    }
    if (def.type === 'Enumerated' && def.enumValues && !def.enumValues.has(value as number)) {
      return {
        resultCode: ResultCode.INVALID_AVP_VALUE,
        failedAvp: a,
        errorMessage: `${def.name} has no value ${String(value)}`,
      };
    }
    if (def.type === 'Grouped' && def.rules) {
      const inner = checkAvps(a.children, def.rules, def.name);
      if (inner) return inner;
    }
  }
  for (const { rule: r, def } of counted) {
    const n = counts.get(r.name) ?? 0;
    if (n < r.min) {
      return {
        resultCode: ResultCode.MISSING_AVP,
        failedAvp: missingAvpExample(def),
        errorMessage: `${owner} misses ${r.name}`,
      };
    }
    if (n > r.max) {
      return {
        resultCode: ResultCode.AVP_OCCURS_TOO_MANY_TIMES,
        failedAvp: avps.filter((a) => a.definition === def)[r.max],
        errorMessage: `${r.name} occurs ${n} times in ${owner}`,
      };
    }
  }
  return null;
}

/**
 * Checks a request against its command's ABNF. Returns null when it is acceptable, else the
 * failure to answer with: 3007 DIAMETER_APPLICATION_UNSUPPORTED (application not supported),
 * 3001 DIAMETER_COMMAND_UNSUPPORTED (command unknown in a supported application),
 * 5001 DIAMETER_AVP_UNSUPPORTED (unknown AVP with M bit), 5004 DIAMETER_INVALID_AVP_VALUE
 * (e.g. an undefined Enumerated value), 5005 DIAMETER_MISSING_AVP, 5008 DIAMETER_AVP_NOT_ALLOWED,
 * 5009 DIAMETER_AVP_OCCURS_TOO_MANY_TIMES. Length errors (5014) are found by decodeMessage().
 */
export function validateRequest(
  msg: DiameterMessage,
  opts: ValidateOptions = {},
): ValidationFailure | null {
  const supported = opts.applicationIds
    ? msg.applicationId === 0 || opts.applicationIds.includes(msg.applicationId)
    : dictionary.hasApplication(msg.applicationId);
  if (!supported) {
    return {
      resultCode: ResultCode.APPLICATION_UNSUPPORTED,
      errorMessage: `application ${msg.applicationId} is not supported`,
    };
  }
  const cmd = msg.command;
  if (!cmd || !cmd.request) {
    return {
      resultCode: ResultCode.COMMAND_UNSUPPORTED,
      errorMessage: `command ${msg.commandCode} is not supported in application ${msg.applicationId}`,
    };
  }
  return checkAvps(msg.avps, cmd.rules, cmd.abbreviation);
}

/**
 * An answer reporting `resultCode` for `req` (RFC 6733 §7.2 answer-message):
 *
 *   <answer-message> ::= < Diameter Header: code, ERR [, PXY] >
 *      0*1< Session-Id > { Origin-Host } { Origin-Realm } { Result-Code } [ Origin-State-Id ]
 *      [ Error-Message ] [ Error-Reporting-Host ] [ Failed-AVP ] [ Experimental-Result ]
 *      *[ Proxy-Info ] *[ AVP ]
 *
 * The E bit is set for 3xxx protocol errors (§7.1.3). Vendor-Specific-Application-Id and
 * Auth-Session-State are echoed so the answer also satisfies the Cx answer ABNF. Origin-Host
 * and Origin-Realm are added when given (a DiameterNode adds its own when they are missing).
 */
export function createErrorAnswer(
  req: DiameterMessage,
  resultCode: number,
  failedAvp?: Avp,
  opts: { originHost?: string; originRealm?: string; errorMessage?: string } = {},
): DiameterMessage {
  const avps: Avp[] = [];
  const vsai = req.find('Vendor-Specific-Application-Id');
  if (vsai) avps.push(vsai);
  avps.push(avp('Result-Code', resultCode));
  const authState = req.find('Auth-Session-State');
  if (authState && !isProtocolError(resultCode)) avps.push(authState);
  if (opts.originHost) avps.push(avp('Origin-Host', opts.originHost));
  if (opts.originRealm) avps.push(avp('Origin-Realm', opts.originRealm));
  if (opts.errorMessage) avps.push(avp('Error-Message', opts.errorMessage));
  if (failedAvp) avps.push(avp('Failed-AVP', [failedAvp]));
  const answer = createAnswer(req, avps);
  answer.flags.error = isProtocolError(resultCode);
  return answer;
}
