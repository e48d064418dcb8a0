/**
 * The binding store (Kamailio's ims_usrloc_scscf, kept apart from the registrar): records per
 * implicit registration set, indexed by every IMPU of the set, and the expiry of bindings
 * (RFC 3261 §10.3: "the registrar MUST remove the binding when its expiration time passes").
 * It knows nothing of Cx and only carries the REGISTER exchange along; it reports every
 * change so the reg event package (RFC 3680)
 * and the registrar (SAR TIMEOUT_DEREGISTRATION) can act on it.
 */
import { EventEmitter } from 'node:events';
import type { ImsSubscription } from '@lib/ims';
import { KeyIndex } from '@lib/sip';
import { Binding, ContactEvent, RegisterExchange, RegistrationRecord } from './binding';
import { ImplicitSet, impuKey, storedImpiKey, storedImpuKey, storedList } from './user-profile';

/** The identities a record is indexed under. */
function identitiesOf(record: RegistrationRecord): string[] {
  return [record.registeredImpu, ...record.implicitSet, ...record.barred];
}

/** A contact that changed and how (RFC 3680 §5.1 state/event of `<contact>`). */
export interface ContactChange {
  binding: Binding;
  state: 'active' | 'terminated';
  event: ContactEvent;
}

/**
 * What caused a change: a REGISTER (registration, refresh or user de-registration), the
 * expiry of bindings, or the network (RTR from the HSS, an AS failure, TS 24.229 §5.4.1.5).
 */
export type ChangeOrigin = 'register' | 'expiry' | 'network';

/** One change of a registration, as the reg event reports it. */
export interface RegistrationChange {
  record: RegistrationRecord;
  origin: ChangeOrigin;
  /** For origin 'register': whether the REGISTER created the registration. */
  initial?: boolean;
  contacts: ContactChange[];
  /** True when no binding is left: the registration of the whole implicit set ended. */
  terminated: boolean;
  /** For origin 'register': the REGISTER and the 200 OK. */
  exchange?: RegisterExchange;
}

export interface RegistrationStoreEvents {
  changed: [RegistrationChange];
  /** Bindings removed because they expired; `terminated` when none is left. */
  expired: [RegistrationChange];
}

/** The clock the store reads (injected for tests; jest fake timers also drive the default). */
export interface StoreClock {
  now(): number;
}

/** Least time between two expiry scans: a binding may outlive its expiry by up to this. */
const SCAN_GAP_MS = 1000;

/** setTimeout's limit: a longer delay fires at once, so longer waits re-arm. */
const MAX_TIMER_MS = 0x7fffffff;

export class RegistrationStore extends EventEmitter<RegistrationStoreEvents> {
  private readonly byImpu = new Map<string, RegistrationRecord>();
  /** By lower-cased IMPI; a lone record per IMPI without a Set (KeyIndex). */
  private readonly byImpi = new KeyIndex<RegistrationRecord>();
  /**
   * Every indexed record. Its index keys are those of its identities (identitiesOf), which
   * change only through setProfile, so they need not be kept per record (a key array and a
   * Map entry, about 110 bytes per registration).
   */
  private readonly indexed = new Set<RegistrationRecord>();
  private timer?: ReturnType<typeof setTimeout>;
  private nextExpiry = Infinity;
  /**
   * When the last expiry scan ran: scans are at least SCAN_GAP_MS apart, so bindings that
   * expire one after another cost one pass over the store per gap, not one per binding
   * (which would be quadratic in the number of registrations).
   */
  private lastScan = -Infinity;

  constructor(private readonly clock: StoreClock = { now: () => Date.now() }) {
    super();
  }

  /** The registration that holds `impu` (in its implicit set or barred list). */
  find(impu: string): RegistrationRecord | undefined {
    return this.byImpu.get(impuKey(impu));
  }

  /** Every registration whose IMPI is `impi`. */
  findByImpi(impi: string): RegistrationRecord[] {
    return this.byImpi.get(impi.toLowerCase());
  }

  records(): RegistrationRecord[] {
    return [...this.indexed];
  }

  /**
   * Stores `record` with its new bindings and reports the change. With no binding left the
   * record is dropped (TS 24.229 §5.4.1.4: the user is de-registered).
   */
  commit(
    record: RegistrationRecord,
    contacts: ContactChange[],
    origin: ChangeOrigin = 'register',
    initial = false,
    exchange?: RegisterExchange,
  ): RegistrationChange {
    const terminated = record.bindings.length === 0;
    if (terminated) this.unindex(record);
    else if (!this.indexed.has(record)) this.index(record);
    const change: RegistrationChange = { record, origin, contacts, terminated, initial, exchange };
    this.armFor(record);
    this.emit('changed', change);
    return change;
  }

  /**
   * Puts back a record a previous process stored (RegistrationPersistence, at start-up):
   * indexed and its expiry timer armed like a committed one, but no change is reported (the
   * reg event and third-party registration already told everybody when it happened). False,
   * and nothing restored, when one of its IMPUs is registered already (a REGISTER that
   * arrived first wins).
   */
  restore(record: RegistrationRecord): boolean {
    if (record.bindings.length === 0) return false;
    const keys = [record.registeredImpu, ...record.implicitSet, ...record.barred].map(impuKey);
    if (keys.some((k) => this.byImpu.has(k))) return false;
    this.index(record);
    this.armFor(record);
    return true;
  }

  /** Removes every binding of `record` with `event` (RTR, operator action, failed AS). */
  terminate(
    record: RegistrationRecord,
    event: ContactEvent,
    origin: ChangeOrigin = 'network',
  ): RegistrationChange {
    const removed = record.bindings.map((binding): ContactChange => ({
      binding,
      state: 'terminated',
      event,
    }));
    record.bindings = [];
    return this.commit(record, removed, origin);
  }

  /**
   * Gives `record` another user profile (SAA, PPR): its implicit set, barred identities and
   * service profile, re-indexing it when it is stored. The one way to change a stored
   * record's identities: the index finds its keys from them.
   */
  setProfile(record: RegistrationRecord, subscription: ImsSubscription, set: ImplicitSet): void {
    const stored = this.indexed.has(record);
    if (stored) this.unindex(record);
    record.subscription = subscription;
    // Exact-size copies, or the shared empty list (storedList).
    record.implicitSet = storedList(set.identities);
    record.barred = storedList(set.barred);
    record.serviceProfile = set.serviceProfile;
    if (stored) this.index(record);
  }

  private index(record: RegistrationRecord): void {
    // Keys that are the record's own identity strings where the text is the same, else
    // strings of their own (storedImpuKey): they live as long as the record.
    for (const id of identitiesOf(record)) this.byImpu.set(storedImpuKey(id), record);
    this.byImpi.add(storedImpiKey(record.impi), record, true);
    this.indexed.add(record);
  }

  /** Removes the record under the keys of its identities. */
  private unindex(record: RegistrationRecord): void {
    if (!this.indexed.delete(record)) return;
    for (const id of identitiesOf(record)) {
      const k = impuKey(id);
      if (this.byImpu.get(k) === record) this.byImpu.delete(k);
    }
    this.byImpi.delete(record.impi.toLowerCase(), record);
  }

  /** Stops the expiry timer (application shutdown). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextExpiry = Infinity;
  }

  /** Seconds left of a binding (0 when due). */
  remaining(binding: Binding): number {
    return Math.max(0, Math.ceil((binding.expiresAt - this.clock.now()) / 1000));
  }

  /** Removes the bindings whose time has come; called by the timer. */
  expireDue(): void {
    const now = this.clock.now();
    this.lastScan = now;
    for (const record of this.records()) {
      const due = record.bindings.filter((b) => b.expiresAt <= now);
      if (due.length === 0) continue;
      record.bindings = record.bindings.filter((b) => b.expiresAt > now);
      const change = this.commit(
        record,
        due.map((binding): ContactChange => ({ binding, state: 'terminated', event: 'expired' })),
        'expiry',
      );
      this.emit('expired', change);
    }
    this.reschedule();
  }

  /**
   * Keeps the expiry timer at or before the earliest binding of `record`, looking at that
   * record only: a commit costs its own bindings, not a scan of every registration. A timer
   * left earlier than needed (its binding was refreshed or removed) finds nothing due when it
   * fires and re-arms from one full scan (expireDue -> reschedule).
   */
  private armFor(record: RegistrationRecord): void {
    let earliest = Infinity;
    for (const b of record.bindings) if (b.expiresAt < earliest) earliest = b.expiresAt;
    if (earliest === Infinity) return;
    if (!this.timer || earliest < this.nextExpiry) this.arm(earliest);
  }

  /** The timer at the earliest expiry of all bindings (one scan). */
  private reschedule(): void {
    let earliest = Infinity;
    for (const r of this.indexed)
      for (const b of r.bindings) if (b.expiresAt < earliest) earliest = b.expiresAt;
    this.arm(earliest);
  }

  private arm(due: number): void {
    const earliest = due === Infinity ? due : Math.max(due, this.lastScan + SCAN_GAP_MS);
    if (earliest === this.nextExpiry && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextExpiry = earliest;
    if (earliest === Infinity) return;
    const delay = Math.min(Math.max(0, earliest - this.clock.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nextExpiry = Infinity;
      this.expireDue();
    }, delay);
    this.timer.unref?.();
  }
}
