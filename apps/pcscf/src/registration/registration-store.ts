import { KeyIndex, parseUri, SipUri, SweepTimer, TelUri, uriEquals } from '@lib/sip';
import { flowKey, type Flow } from '../flows';
import type { PcscfRegistration } from './pcscf-registration';

/**
 * The P-CSCF's registrations, keyed by flow and registered IMPU, with indexes by contact and
 * by associated identity so a lookup costs the same with ten or ten thousand registered UEs.
 * An index narrows the candidates by a coarse key (scheme, user, host, port); the RFC 3261
 * §19.1.4 comparison then decides. Expiry is checked lazily on lookup against the injected
 * clock (`now`). The indexes keep a lone registration per key without a Set (KeyIndex): one
 * entry per registered UE is what the P-CSCF's memory per subscriber is made of.
 */
export class RegistrationStore {
  /** By flow key; a flow's registrations differ by registered IMPU (lower-cased). */
  private readonly byFlow = new KeyIndex<PcscfRegistration>();
  private readonly byContactKey = new KeyIndex<PcscfRegistration>();
  private readonly byAorKey = new KeyIndex<PcscfRegistration>();
  /** Told of every registration that ends (de-registered, terminated by reg event, expired). */
  private readonly removedListeners: ((reg: PcscfRegistration) => void)[] = [];
  /** Told of every registration saved (new or refreshed). */
  private readonly savedListeners: ((reg: PcscfRegistration) => void)[] = [];

  /**
   * Removes registrations when they expire (RFC 3261 §10.3), also those nobody looks up
   * again (a UE that went away without de-registering and whose reg-event NOTIFY never
   * came): at most one pass over the store per second.
   */
  private readonly sweeper: SweepTimer;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = new SweepTimer(() => this.sweep(), 1000, now);
  }

  /** Stops the expiry timer (shutdown). */
  close(): void {
    this.sweeper.stop();
  }

  /** Calls `listener` with each registration that ends (not with one replaced by a refresh). */
  onRemoved(listener: (reg: PcscfRegistration) => void): void {
    this.removedListeners.push(listener);
  }

  /** Calls `listener` with each registration saved (created or refreshed). */
  onSaved(listener: (reg: PcscfRegistration) => void): void {
    this.savedListeners.push(listener);
  }

  /** Adds or replaces the registration of (flow, registered IMPU). */
  save(reg: PcscfRegistration): void {
    const key = flowKey(reg.flow);
    const previous = this.onFlow(key, reg.registeredImpu);
    if (previous) {
      this.byFlow.delete(key, previous);
      this.unindex(previous);
    }
    this.byFlow.add(key, reg);
    this.index(reg);
    this.sweeper.schedule(reg.expiresAt);
    for (const listener of this.savedListeners) listener(reg);
  }

  /** Removes the registration of (flow, IMPU); true when the flow has none left. */
  remove(flow: Flow, registeredImpu: string): boolean {
    const key = flowKey(flow);
    const reg = this.onFlow(key, registeredImpu);
    if (reg) this.drop(reg);
    return !this.byFlow.has(key);
  }

  /** The live registrations of a flow. */
  ofFlow(flow: Flow): PcscfRegistration[] {
    return this.byFlow.get(flowKey(flow)).filter((r) => this.alive(r));
  }

  /** The registration of (flow key, registered IMPU compared case-insensitively), live or not. */
  private onFlow(key: string, registeredImpu: string): PcscfRegistration | undefined {
    const impu = registeredImpu.toLowerCase();
    return this.byFlow.get(key).find((r) => r.registeredImpu.toLowerCase() === impu);
  }

  /** The live registration of (flow, registered IMPU), compared per RFC 3261 §19.1.4. */
  find(flow: Flow, registeredImpu: string): PcscfRegistration | undefined {
    const key = flowKey(flow);
    if (!this.byFlow.has(key)) return undefined;
    const exact = this.onFlow(key, registeredImpu);
    if (exact && this.alive(exact)) return exact;
    return this.candidates(this.byAorKey, registeredImpu).find(
      (r) => flowKey(r.flow) === flowKey(flow) && safeEquals(r.registeredImpu, registeredImpu),
    );
  }

  /** The live registration on `flow` whose implicit set holds `aor`. */
  findAssociated(flow: Flow, aor: string): PcscfRegistration | undefined {
    const key = flowKey(flow);
    return this.candidates(this.byAorKey, aor).find(
      (r) => flowKey(r.flow) === key && r.associatedUris.some((u) => safeEquals(u, aor)),
    );
  }

  /** The live registration one of whose contacts is `uri` (RFC 3261 §19.1.4 comparison). */
  byContact(uri: string): PcscfRegistration | undefined {
    return this.candidates(this.byContactKey, uri).find((reg) =>
      reg.contacts.some((c) => safeEquals(c, uri)),
    );
  }

  /**
   * Removes every registration whose implicit set contains `aor` (a reg-event NOTIFY said it
   * is terminated). Returns the removed registrations.
   */
  removeAor(aor: string): PcscfRegistration[] {
    const gone: PcscfRegistration[] = [];
    for (const reg of this.byAorKey.get(uriKey(aor))) {
      if (
        reg.associatedUris.some((u) => safeEquals(u, aor)) ||
        safeEquals(reg.registeredImpu, aor)
      ) {
        this.drop(reg);
        gone.push(reg);
      }
    }
    return gone;
  }

  /** Every live registration (for tests and diagnostics). */
  all(): PcscfRegistration[] {
    return [...this.byFlow.values()].filter((r) => this.alive(r));
  }

  /** Live candidates under the coarse key of `uri`; expired ones are dropped on the way. */
  private candidates(index: KeyIndex<PcscfRegistration>, uri: string): PcscfRegistration[] {
    return index.get(uriKey(uri)).filter((r) => this.alive(r));
  }

  private sweep(): void {
    let next = Infinity;
    for (const reg of [...this.byFlow.values()]) {
      if (this.alive(reg)) next = Math.min(next, reg.expiresAt);
    }
    this.sweeper.schedule(next);
  }

  private alive(reg: PcscfRegistration): boolean {
    if (reg.expiresAt > this.now()) return true;
    this.drop(reg);
    return false;
  }

  private drop(reg: PcscfRegistration): void {
    this.byFlow.delete(flowKey(reg.flow), reg);
    this.unindex(reg);
    for (const listener of this.removedListeners) listener(reg);
  }

  /**
   * Files `reg` under the key of each Contact and identity. A URI already in canonical form
   * (the usual `sip:user@host` IMPU, `tel:+number`) is its own key: the index then shares the
   * registration's string instead of keeping a copy (one string per key less).
   */
  private index(reg: PcscfRegistration): void {
    for (const c of reg.contacts) addKeyed(this.byContactKey, c, reg);
    addKeyed(this.byAorKey, reg.registeredImpu, reg);
    for (const u of reg.associatedUris) addKeyed(this.byAorKey, u, reg);
  }

  private unindex(reg: PcscfRegistration): void {
    for (const c of reg.contacts) this.byContactKey.delete(uriKey(c), reg);
    this.byAorKey.delete(uriKey(reg.registeredImpu), reg);
    for (const u of reg.associatedUris) this.byAorKey.delete(uriKey(u), reg);
  }
}

function addKeyed(index: KeyIndex<PcscfRegistration>, uri: string, reg: PcscfRegistration): void {
  const key = uriKey(uri);
  if (key === uri) index.add(uri, reg, true);
  else index.add(key, reg);
}

/**
 * A coarse key under which RFC 3261 §19.1.4-equal URIs always fall together: scheme, user,
 * host (case-insensitive) and port of a SIP URI; the number of a tel URI. Never finer than
 * the comparison, so an index lookup misses nothing. Written as the URI itself would be
 * (`sip:user@host[:port]`, `tel:+number`), so that a URI without parameters, with a lower-case
 * host, is its own key (see RegistrationStore.index).
 */
export function uriKey(uri: string): string {
  try {
    const u = parseUri(uri.trim());
    if (u instanceof SipUri) {
      const userinfo = u.user === undefined ? '' : `${u.user}@`;
      const port = u.port === undefined ? '' : `:${u.port}`;
      return `${u.scheme}:${userinfo}${u.host.toLowerCase()}${port}`;
    }
    if (u instanceof TelUri) return `tel:${u.number.replace(/[-.()]/g, '').toLowerCase()}`;
  } catch {
    // not a URI we know: fall through
  }
  return uri.trim().toLowerCase();
}

function safeEquals(a: string, b: string): boolean {
  try {
    return uriEquals(a, b);
  } catch {
    return a === b;
  }
}
