/**
 * From the downloaded IMSSubscription (TS 29.228 Annex B) to what the registrar keeps: the
 * implicit registration set of the registered IMPU and its service profile.
 */
import { ImsSubscription, ServiceProfile } from '@lib/ims';
import { ownString, parseUri, SipUri, TelUri, uriEquals } from '@lib/sip';

export class UserProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserProfileError';
  }
}

/** Compares two IMPUs as URIs (RFC 3261 §19.1.4), falling back to text for odd input. */
export function sameImpu(a: string, b: string): boolean {
  try {
    return uriEquals(a, b);
  } catch {
    return a.trim().toLowerCase() === b.trim().toLowerCase();
  }
}

/**
 * An index key for an IMPU: what RFC 3261 §19.1.4 compares of a SIP URI for an AOR (scheme,
 * user case-sensitively, host case-insensitively, port; parameters dropped) or a tel URI's
 * number without visual separators (RFC 3966 §5.1.1). Text lower-cased for odd input.
 */
export function impuKey(impu: string): string {
  try {
    const u = parseUri(impu.trim());
    if (u instanceof SipUri) {
      return `${u.scheme}:${u.user ?? ''}@${u.host.toLowerCase()}${u.port ? `:${u.port}` : ''}`;
    }
    if (u instanceof TelUri) return `tel:${u.number.replace(/[-.()]/g, '')}`;
  } catch {
    // not a URI we know: fall through
  }
  return impu.trim().toLowerCase();
}

/**
 * `impuKey` for an index that outlives the call: `impu` itself when it is its own key (a
 * stored identity, e.g. `sip:user@home.example`, usually is), so the index shares the
 * record's string instead of keeping a copy (about 70 bytes per identity); otherwise the
 * key in a string of its own (see ownString).
 */
export function storedImpuKey(impu: string): string {
  const key = impuKey(impu);
  return key === impu ? impu : ownString(key);
}

/** The index key of an IMPI (compared case-insensitively): `impi` itself when lower-case. */
export function storedImpiKey(impi: string): string {
  const key = impi.toLowerCase();
  return key === impi ? impi : ownString(key);
}

/** The one empty identity list records without barred identities share (frozen: never grown). */
const NO_IDENTITIES = Object.freeze([]) as unknown as string[];

/**
 * An identity list as a record keeps it: an exact-size copy (an array grown by push keeps
 * room for 17 elements in V8, ~120 bytes more), or the shared empty list (an array object
 * less, 32 bytes, per record without barred identities).
 */
export function storedList(list: readonly string[]): string[] {
  return list.length === 0 ? NO_IDENTITIES : list.slice();
}

export interface ImplicitSet {
  /** Non-barred identities, the default public user identity first. */
  identities: string[];
  barred: string[];
  serviceProfile: ServiceProfile;
}

/**
 * The implicit set of `impu` in the profile: every public identity of the subscription
 * downloaded for it (the HSS sends the identities of the implicit set, TS 29.228 §6.1.2),
 * in the HSS's order, the first non-barred one being the default public user identity.
 * Throws UserProfileError when the profile does not contain `impu`.
 */
export function implicitSetOf(subscription: ImsSubscription, impu: string): ImplicitSet {
  const profile = subscription.serviceProfiles.find((p) =>
    p.publicIdentities.some((i) => sameImpu(i.identity, impu)),
  );
  if (!profile) {
    throw new UserProfileError(`the user profile of ${subscription.privateId} lacks ${impu}`);
  }
  const identities: string[] = [];
  const barred: string[] = [];
  for (const p of subscription.serviceProfiles) {
    for (const id of p.publicIdentities) {
      if (id.identityType && id.identityType !== 'public-user-identity') continue;
      const list = id.barringIndication ? barred : identities;
      if (![...identities, ...barred].some((x) => sameImpu(x, id.identity))) list.push(id.identity);
    }
  }
  return { identities, barred, serviceProfile: profile };
}
