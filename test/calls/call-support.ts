/**
 * Helpers of the calls suites: subscribers of either lab domain, registered UE simulators,
 * iFCs towards the test application server, and checks of what crossed the wire.
 */
import { UeSimulator, type UeOptions } from '@lib/ims';
import type { SipMessage, SipRequest, TransportProtocol } from '@lib/sip';
import { DOMAIN, ENUM_PREFIXES, Lab } from '../support/lab';
import { akaSubscriber, shortcutBody, TestSubscriber } from '../support/subscribers';

/**
 * A fresh AKA subscriber of `lab`'s home domain: the identities the HSS's one-call shortcut
 * derives there (TS 23.003 §13), and an MSISDN in that domain's E.164 range (ENUM_PREFIXES),
 * so `tel:+<msisdn>` routes to it.
 */
export function subscriberOf(lab: Lab): TestSubscriber {
  const s = akaSubscriber();
  const domain = lab.domain;
  const prefix = (ENUM_PREFIXES[domain] ?? ENUM_PREFIXES[DOMAIN])[0].slice(1);
  const msisdn = prefix + s.msisdn.slice(prefix.length);
  return {
    ...s,
    msisdn,
    impi: `${s.imsi}@${domain}`,
    impu: `sip:${s.imsi}@${domain}`,
    impus: [`sip:${s.imsi}@${domain}`, `sip:+${msisdn}@${domain}`, `tel:+${msisdn}`],
  };
}

/** Provisions `s` in `lab`'s HSS (`POST /subscribers`). */
export async function provision(
  lab: Lab,
  s: TestSubscriber,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const res = await lab.rest('POST', '/subscribers', shortcutBody(s, extra));
  if (res.status !== 201)
    throw new Error(`POST /subscribers -> ${res.status}: ${JSON.stringify(res.body)}`);
}

export interface UeOpts {
  transport?: TransportProtocol;
  /** Distinct contact of the same IMPU (forking), e.g. `+sip.instance="<urn:uuid:...>"`. */
  contactParams?: string;
  /** Requests outside calls that the test answers itself (UeOptions.onRequest). */
  onRequest?: UeOptions['onRequest'];
}

/** Starts a UE for `s` on `lab`'s P-CSCF and registers it (throws unless 200). */
export async function registeredUe(
  lab: Lab,
  s: TestSubscriber,
  opts: UeOpts = {},
): Promise<UeSimulator> {
  const ue = await UeSimulator.start({
    impi: s.impi,
    impu: s.impu,
    domain: lab.domain,
    pcscf: lab.pcscf(opts.transport ?? 'UDP'),
    credentials: { k: s.k, op: s.op },
    expires: 600,
    contactParams: opts.contactParams,
    onRequest: opts.onRequest,
    timers: { T1: 100 },
  });
  const r = await ue.register();
  if (r.status !== 200) {
    await ue.close();
    throw new Error(`registration of ${s.impu} in ${lab.domain}: ${r.status}`);
  }
  return ue;
}

/** The URIs of a header that holds name-addrs (Route, Record-Route, Path...), in order. */
export function uris(message: SipMessage, header: 'Record-Route' | 'Route'): string[] {
  return (header === 'Route' ? message.routes() : message.recordRoutes()).map((r) => r.uri);
}

/** The URI of the first P-Asserted-Identity (RFC 3325 §9.1). */
export function assertedIdentities(request: SipRequest): string[] {
  return request.pAssertedIdentities().map((a) => a.uri);
}
