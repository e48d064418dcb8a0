/** RFC 3261 §25.1 URI character classes, as lookup tables. */

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** `unreserved = alphanum / mark`, `mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"` */
const MARK = "-_.!~*'()";
/** `user = 1*( unreserved / escaped / user-unreserved )`, user-unreserved = `& = + $ , ; ? /` */
export const USER = table(MARK + '&=+$,;?/%');
/** `password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )` */
export const PASSWORD = table(MARK + '&=+$,%');
/** `paramchar = param-unreserved / unreserved / escaped`, param-unreserved = `[ ] / : & + $` */
export const PARAMCHAR = table(MARK + '[]/:&+$%');
/** `hname / hvalue`: `hnv-unreserved / unreserved / escaped`, hnv-unreserved = `[ ] / ? : + $` */
export const HNV = table(MARK + '[]/?:+$%');
/** `hostname` characters (plus "_", seen in the wild) */
export const HOST = table('-._');
/** RFC 3966 `phonedigit-hex = HEXDIG / "*" / "#" / visual-separator`, visual-separator `- . ( )`. */
export const PHONE = new Uint8Array(128);
for (const ch of '0123456789abcdefABCDEF*#-.()') PHONE[ch.charCodeAt(0)] = 1;

export function allIn(t: Uint8Array, s: string, from = 0, to = s.length): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || t[c] !== 1) return false;
  }
  return true;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Every "%" is followed by two HEXDIG (`escaped`). */
export function escapesValid(s: string): boolean {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2)))
      return false;
  }
  return true;
}
