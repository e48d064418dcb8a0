import { IdentityError } from './identity-error';

/**
 * A public user identity (IMPU): "either a SIP URI ... or a tel URI" (TS 23.003 §13.4,
 * TS 23.228 §4.3.3.2), parsed enough to validate and compare it.
 */
export type Impu =
  | {
      scheme: 'sip' | 'sips';
      /** The userinfo user part, percent-decoded; absent for e.g. `sip:example.com`. */
      user?: string;
      /** Lower-cased host (IPv6 in brackets). */
      host: string;
      port?: number;
      /** URI parameters, names lower-cased; a flag parameter has the value "". */
      params: Record<string, string>;
    }
  | {
      scheme: 'tel';
      /** The telephone-subscriber number as written (with "+" for global numbers). */
      number: string;
      params: Record<string, string>;
    };

// RFC 3261 §25.1 user = 1*( unreserved / escaped / user-unreserved )
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const HOSTNAME =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;
const PARAM = /^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-Fa-f]{2})+$/;
// RFC 3966 §3: global-number-digits = "+" *phonedigit DIGIT *phonedigit
const GLOBAL_NUMBER = /^\+[0-9\-.()]*[0-9][0-9\-.()]*$/;
const LOCAL_NUMBER = /^[0-9A-Fa-f*#\-.()]*[0-9A-Fa-f*#][0-9A-Fa-f*#\-.()]*$/;

function parseParams(text: string, uri: string): Record<string, string> {
  const params: Record<string, string> = {};
  if (text === '') return params;
  for (const p of text.split(';')) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : p.slice(eq + 1);
    if (!PARAM.test(name) || (value !== '' && !PARAM.test(value))) {
      throw new IdentityError('IMPU', `has a malformed parameter in "${uri}"`);
    }
    params[name] = value;
  }
  return params;
}

function decodeUser(user: string): string {
  return user.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) =>
    String.fromCharCode(parseInt(h, 16)),
  );
}

/** Parses a sip:, sips: or tel: IMPU; raises an {@link IdentityError} when malformed. */
export function parseImpu(uri: string): Impu {
  if (typeof uri !== 'string') throw new IdentityError('IMPU', 'must be a string');
  const text = uri.trim();
  const colon = text.indexOf(':');
  const scheme = text.slice(0, Math.max(colon, 0)).toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme === 'tel') {
    const [number, ...params] = rest.split(';');
    const parsed = parseParams(params.join(';'), text);
    if (GLOBAL_NUMBER.test(number)) return { scheme, number, params: parsed };
    if (LOCAL_NUMBER.test(number) && parsed['phone-context'] !== undefined) {
      return { scheme, number, params: parsed };
    }
    throw new IdentityError('IMPU', `"${text}" is not a valid tel URI (RFC 3966)`);
  }
  if (scheme !== 'sip' && scheme !== 'sips') {
    throw new IdentityError('IMPU', `"${text}" must be a sip:, sips: or tel: URI`);
  }
  const noHeaders = rest.split('?')[0];
  const at = noHeaders.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : noHeaders.slice(0, at);
  const afterUser = at < 0 ? noHeaders : noHeaders.slice(at + 1);
  const semi = afterUser.indexOf(';');
  const hostport = semi < 0 ? afterUser : afterUser.slice(0, semi);
  const params = parseParams(semi < 0 ? '' : afterUser.slice(semi + 1), text);
  let user: string | undefined;
  if (userinfo !== undefined) {
    const u = userinfo.split(':')[0]; // drop a (deprecated) password
    if (!USER.test(u)) throw new IdentityError('IMPU', `has an invalid user part in "${text}"`);
    user = decodeUser(u);
  }
  const m = /^(\[[^\]]*\]|[^:]+)(?::(\d{1,5}))?$/.exec(hostport);
  if (!m || !(HOSTNAME.test(m[1]) || IPV4.test(m[1]) || IPV6.test(m[1]))) {
    throw new IdentityError('IMPU', `has an invalid host in "${text}"`);
  }
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65535) throw new IdentityError('IMPU', 'has an invalid port');
  return {
    scheme,
    ...(user !== undefined ? { user } : {}),
    host: m[1].toLowerCase(),
    ...(port !== undefined ? { port } : {}),
    params,
  };
}

/** Whether `uri` is a well-formed sip:/sips:/tel: IMPU. */
export function isValidImpu(uri: string): boolean {
  try {
    parseImpu(uri);
    return true;
  } catch {
    return false;
  }
}

/** RFC 3966 §5.1.1: visual separators are ignored in comparisons. */
function stripVisualSeparators(number: string): string {
  return number.replace(/[-.()]/g, '');
}

/**
 * The canonical form used to compare IMPUs (e.g. to look one up in the HSS or a binding
 * store): scheme and host lower-cased, the user part percent-decoded, URI parameters and
 * headers dropped (an IMPU is the address-of-record, TS 23.228 §4.3.3.2; RFC 3261 §10.3
 * step 5 compares AORs "after converting ... to canonical form"), visual separators removed
 * from telephone numbers (`user=phone` user parts and tel URIs, RFC 3966 §5.1.1), and the
 * phone-context of a local tel number kept. So `sip:+1-555@D;user=phone` → `sip:+1555@d`.
 */
export function normalizeImpu(uri: string): string {
  const impu = parseImpu(uri);
  if (impu.scheme === 'tel') {
    const number = stripVisualSeparators(impu.number).toLowerCase();
    const ctx = impu.params['phone-context'];
    return number.startsWith('+') || ctx === undefined
      ? `tel:${number}`
      : `tel:${number};phone-context=${ctx.toLowerCase()}`;
  }
  let user = impu.user;
  if (user !== undefined && impu.params.user === 'phone') {
    const [number, ...rest] = user.split(';');
    user = [stripVisualSeparators(number), ...rest].join(';');
  }
  const hostport = impu.port === undefined ? impu.host : `${impu.host}:${impu.port}`;
  return `${impu.scheme}:${user === undefined ? '' : `${user}@`}${hostport}`;
}

/** Whether two IMPUs denote the same identity after {@link normalizeImpu}. */
export function impuEquals(a: string, b: string): boolean {
  return normalizeImpu(a) === normalizeImpu(b);
}
