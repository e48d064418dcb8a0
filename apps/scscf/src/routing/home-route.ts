/**
 * Where an originating request goes once the originating iFCs are done (TS 24.229 §5.4.3.2
 * steps 10-11, TS 23.228 §5.4.3 "S-CSCF to S-CSCF/I-CSCF"): towards the callee's home.
 */
import { SipUri, TelUri, type Uri } from '@lib/sip';

export interface HomeRoutingConfig {
  /** Home domain -> its I-CSCF (SCSCF_ICSCFS). */
  icscfs: Map<string, { host: string; port: number }>;
  /** E.164 prefix -> home domain (SCSCF_ENUM). */
  enumMap: Map<string, string>;
  /** Breakout (BGCF) SIP URI, empty for none (SCSCF_BREAKOUT). */
  breakout: string;
}

export type HomeRoute =
  /** A home domain we know: its I-CSCF (LIR there finds the terminating S-CSCF). */
  | { kind: 'icscf'; domain: string; uri: string; icscf: { host: string; port: number } }
  /** A number that maps to no domain: to the breakout route, Request-URI unchanged. */
  | { kind: 'breakout'; uri: string; route: string }
  /** Anything else: RFC 3261 §16 forwarding by the Request-URI (maybe translated). */
  | { kind: 'forward'; uri: string }
  /** A number that maps to nothing and no breakout: 604 (Does Not Exist Anywhere). */
  | { kind: 'unknown-number'; number: string };

/**
 * Decides the route to the callee's home:
 *
 * - a tel URI, or a SIP URI with `user=phone` (RFC 3261 §19.1.6), is a telephone number:
 *   TS 24.229 §5.4.3.2 step 10 "the S-CSCF shall [...] translate the E.164 address [...] to a
 *   globally routeable SIP URI" (here an ENUM-style prefix map, longest prefix wins) giving
 *   `sip:+<digits>@<domain>;user=phone`; a `user=phone` SIP URI whose host is a home domain
 *   needs no translation; an unmapped number goes to the breakout route ("forward the request
 *   to [...] a BGCF", TS 24.229 §5.4.3.2 step 10), else 604;
 * - a SIP URI in a configured home domain goes to that domain's I-CSCF, the S-CSCF's own
 *   domain included (TS 23.228 §5.4.3: the terminating S-CSCF is found by the I-CSCF);
 * - any other SIP URI is forwarded by its host (RFC 3261 §16.5).
 */
export function routeToHome(uri: Uri, config: HomeRoutingConfig): HomeRoute {
  const number = telephoneNumber(uri);
  if (number !== undefined) {
    const mapped = longestPrefix(number, config.enumMap);
    if (mapped) {
      const translated = `sip:${number}@${mapped};user=phone`;
      const icscf = config.icscfs.get(mapped.toLowerCase());
      return icscf
        ? { kind: 'icscf', domain: mapped.toLowerCase(), uri: translated, icscf }
        : { kind: 'forward', uri: translated };
    }
    if (uri instanceof SipUri) {
      const icscf = config.icscfs.get(uri.host.toLowerCase());
      if (icscf)
        return { kind: 'icscf', domain: uri.host.toLowerCase(), uri: uri.toString(), icscf };
    }
    if (config.breakout) {
      return { kind: 'breakout', uri: uri.toString(), route: looseRoute(config.breakout) };
    }
    return { kind: 'unknown-number', number };
  }
  if (uri instanceof SipUri) {
    const domain = uri.host.toLowerCase();
    const icscf = config.icscfs.get(domain);
    if (icscf) return { kind: 'icscf', domain, uri: uri.toString(), icscf };
  }
  return { kind: 'forward', uri: uri.toString() };
}

/**
 * The number of a tel URI or of a SIP URI with `user=phone`, without visual separators
 * (RFC 3966 §5.1.1) and without the user part's parameters (`;npdi`, `;rn=`).
 */
export function telephoneNumber(uri: Uri): string | undefined {
  if (uri instanceof TelUri) return uri.digits;
  if (uri instanceof SipUri && uri.params.get('user')?.toLowerCase() === 'phone' && uri.user) {
    return uri.user.split(';')[0].replace(/[-.()]/g, '');
  }
  return undefined;
}

function longestPrefix(number: string, map: Map<string, string>): string | undefined {
  let best: string | undefined;
  let bestLength = -1;
  for (const [prefix, domain] of map) {
    if (number.startsWith(prefix) && prefix.length > bestLength) {
      best = domain;
      bestLength = prefix.length;
    }
  }
  return best;
}

/** A SIP URI as a loose-routing Route value: `<uri;lr>` (RFC 3261 §19.1.1 lr parameter). */
export function looseRoute(uri: string): string {
  const bare = uri.replace(/^<|>$/g, '');
  return /;lr(=|;|$)/i.test(bare) ? `<${bare}>` : `<${bare};lr>`;
}
