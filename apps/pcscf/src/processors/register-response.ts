import {
  formatAuthChallenge,
  ownString,
  StringInterner,
  uriEquals,
  type ProxyRequest,
  type ResponseProcessor,
  type SipResponse,
} from '@lib/sip';
import type { Flow } from '../flows';
import type { RegEventSubscriber } from '../reg-event';
import type { PcscfContext } from './pcscf-context';
import { REGISTER_FLOW } from './register.processor';

/**
 * Service-Route values: the same few for every user of an S-CSCF, so one copy each (the
 * registrations keep them for their lifetime).
 */
const SERVICE_ROUTES = new StringInterner(256);
/** Service-Route lists (read-only): one array per distinct list, shared by its users. */
const ROUTE_SETS = new Map<string, readonly string[]>();

function serviceRouteSet(values: string[]): readonly string[] {
  if (values.length === 0) return [];
  const key = values.join('\n');
  let set = ROUTE_SETS.get(key);
  if (set === undefined) {
    set = Object.freeze(values.map((r) => SERVICE_ROUTES.intern(r)));
    if (ROUTE_SETS.size < 256) ROUTE_SETS.set(set.join('\n'), set);
  }
  return set;
}

/**
 * Responses to a UE's REGISTER, TS 24.229 §5.2.2.1:
 * - 401: "remove the "ck" and "ik" parameters contained in the WWW-Authenticate header
 *   field" before relaying (the keys are for the P-CSCF's IPsec SAs; none here);
 * - 2xx: "store the ... P-Associated-URI", "the list of Service-Route header field values",
 *   the registered Contact and its expiry, and the flow; then subscribe to the user's reg
 *   event (§5.2.3). A 2xx that leaves no contact (de-registration) removes the registration.
 */
export function registerResponseProcessor(
  ctx: PcscfContext,
  subscriber: RegEventSubscriber,
  now: () => number = Date.now,
): ResponseProcessor {
  return (response, pr) => {
    if (pr.method !== 'REGISTER') return;
    const info = pr.data.get(REGISTER_FLOW) as { flow: Flow; token: string } | undefined;
    if (!info) return;
    if (response.status === 401 || response.status === 407) stripKeys(response);
    else if (response.status >= 200 && response.status < 300) {
      store(ctx, subscriber, pr, response, info.flow, info.token, now());
    }
  };
}

/** Removes `ck` / `ik` from every challenge of a 401 / 407. */
export function stripKeys(response: SipResponse): void {
  for (const header of ['WWW-Authenticate', 'Proxy-Authenticate']) {
    if (!response.has(header)) continue;
    const challenges =
      header === 'WWW-Authenticate' ? response.wwwAuthenticates() : response.proxyAuthenticates();
    response.set(
      header,
      challenges.map((c) => {
        c.params.delete('ck');
        c.params.delete('ik');
        return formatAuthChallenge(c);
      }),
    );
  }
}

function store(
  ctx: PcscfContext,
  subscriber: RegEventSubscriber,
  pr: ProxyRequest,
  response: SipResponse,
  flow: Flow,
  token: string,
  nowMs: number,
): void {
  const request = pr.request;
  const registeredImpu = request.to().uri;
  const asked = request.contacts().filter((c) => !c.star);
  const granted = response.contacts();
  const defaultExpires = response.expires() ?? request.expires() ?? 3600;
  let longest = 0;
  const contacts: string[] = [];
  for (const c of asked) {
    const g = granted.find((x) => sameUri(x.uri, c.uri));
    const expires = g ? (g.expires ?? defaultExpires) : 0;
    if (expires > 0) {
      contacts.push(c.uri);
      longest = Math.max(longest, expires);
    }
  }
  if (contacts.length === 0) {
    ctx.registrations.remove(flow, registeredImpu);
    ctx.logger.log(`${registeredImpu} de-registered`);
    return;
  }
  const previous = ctx.registrations.find(flow, registeredImpu);
  for (const c of contacts) ctx.flows.bindContact(c, flow);
  // What the registration keeps is stored in strings of its own: slices of the REGISTER or
  // 200 OK text would keep those messages alive as long as the registration (ownString).
  // The registered IMPU is usually one of the associated URIs: one string for both.
  const associatedUris = response.pAssociatedUris().map((u) => ownString(u.uri));
  const reg = {
    registeredImpu: associatedUris.find((u) => u === registeredImpu) ?? ownString(registeredImpu),
    associatedUris,
    serviceRoutes: serviceRouteSet(response.getAll('Service-Route')),
    contacts: contacts.map((c) => ownString(c)),
    // The flow table's copy of the flow (one object per flow, its host string interned).
    flow: ctx.flows.flow(token) ?? flow,
    expiresAt: nowMs + longest * 1000,
    subscription: previous?.subscription,
  };
  ctx.registrations.save(reg);
  ctx.logger.log(
    `${registeredImpu} registered for ${longest}s (${reg.associatedUris.length} associated URIs)`,
  );
  if (!reg.subscription && ctx.config.subscribeRegEvent && reg.serviceRoutes.length > 0) {
    subscriber.subscribe(reg);
  }
}

function sameUri(a: string, b: string): boolean {
  try {
    return uriEquals(a, b);
  } catch {
    return a === b;
  }
}
