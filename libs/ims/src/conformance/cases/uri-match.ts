import { uriEquals } from '@lib/sip';

/** RFC 3261 §19.1.4 URI comparison; text equality when either side does not parse. */
export function sameUri(a: string, b: string): boolean {
  try {
    return uriEquals(a, b);
  } catch {
    return a === b;
  }
}

/** The URI of a name-addr header value (`"Bob" <sip:b@x>;tag=1` -> `sip:b@x`). */
export function uriOf(nameAddr: string): string {
  const m = /<([^>]*)>/.exec(nameAddr);
  return (m ? m[1] : nameAddr.split(';')[0]).trim();
}
