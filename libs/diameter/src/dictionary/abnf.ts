/**
 * A small reader for the Command Code Format (RFC 6733 §3.2) and Grouped AVP Format (§4.4)
 * notation, so the dictionary holds the ABNF exactly as the specifications print it:
 *
 *   command-def = "<" command-name ">" "::=" diameter-message
 *   header      = "<" "Diameter Header:" command-id [r-bit] [p-bit] [e-bit] [application-id] ">"
 *   qual        = [min] "*" [max]
 *   fixed = [qual] "<" avp-spec ">"; required = [qual] "{" avp-spec "}"; optional = [qual] "[" avp-name "]"
 *
 * "If a fixed or required rule has no qualifier, then exactly one such AVP MUST be present.
 * If an optional rule has no qualifier, then 0 or 1 such AVP may be present." The default
 * min is 0 for fixed/optional and 1 for required rules; the default max is infinity.
 */
import type { AvpRule } from './definitions';

export interface CommandAbnf {
  abbreviation: string;
  code: number;
  request: boolean;
  proxiable: boolean;
  error: boolean;
  applicationId: number;
  rules: AvpRule[];
}

export interface GroupedAbnf {
  name: string;
  code: number;
  vendorId: number;
  rules: AvpRule[];
}

const COMMAND_HEAD = /^\s*<\s*([\w-]+)\s*>\s*::=\s*<\s*Diameter Header:\s*([^>]*)>/;
const GROUPED_HEAD = /^\s*([\w-]+)\s*::=\s*<\s*AVP Header:\s*(\d+)(?:\s+(\d+))?\s*>/;
const RULE = /(\d*)\s*(\*?)\s*(\d*)\s*([<{[])\s*([\w-]+)\s*([>}\]])/g;

function stripComments(text: string): string {
  return text.replace(/;[^\n]*/g, '');
}

function readRules(body: string, where: string): AvpRule[] {
  const rules: AvpRule[] = [];
  const rest = body.replace(
    RULE,
    (_m, min: string, star: string, max: string, open: string, name: string, close: string) => {
      const kind = open === '<' ? 'fixed' : open === '{' ? 'required' : 'optional';
      if ({ '<': '>', '{': '}', '[': ']' }[open] !== close)
        throw new Error(`${where}: unbalanced ${open}${name}${close}`);
      const defaultMin = kind === 'required' ? 1 : 0;
      const rule: AvpRule = star
        ? {
            name,
            min: min ? +min : defaultMin,
            max: max ? +max : Infinity,
            fixed: kind === 'fixed',
          }
        : { name, min: kind === 'optional' ? 0 : 1, max: 1, fixed: kind === 'fixed' };
      if (!star && min) throw new Error(`${where}: count without '*' before ${name}`);
      rules.push(rule);
      return '';
    },
  );
  if (rest.trim()) throw new Error(`${where}: cannot read "${rest.trim().slice(0, 40)}"`);
  return rules;
}

export function parseCommandAbnf(text: string): CommandAbnf {
  const src = stripComments(text);
  const head = COMMAND_HEAD.exec(src);
  if (!head) throw new Error(`not a command ABNF: ${text.slice(0, 60)}`);
  const parts = head[2].split(',').map((p) => p.trim());
  const code = Number(parts[0]);
  const flags = new Set(parts.slice(1));
  const app = parts.slice(1).find((p) => /^\d+$/.test(p));
  return {
    abbreviation: head[1],
    code,
    request: flags.has('REQ'),
    proxiable: flags.has('PXY'),
    error: flags.has('ERR'),
    applicationId: app === undefined ? 0 : Number(app),
    rules: readRules(src.slice(head[0].length), head[1]),
  };
}

export function parseGroupedAbnf(text: string): GroupedAbnf {
  const src = stripComments(text);
  const head = GROUPED_HEAD.exec(src);
  if (!head) throw new Error(`not a grouped AVP ABNF: ${text.slice(0, 60)}`);
  return {
    name: head[1],
    code: Number(head[2]),
    vendorId: head[3] ? Number(head[3]) : 0,
    rules: readRules(src.slice(head[0].length), head[1]),
  };
}
