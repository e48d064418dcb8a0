import type { ImpiRecord, ImpuRecord, RegistrationPatch, ServerCapabilitiesView } from './cx-store';

/** How long a cached IMPI stays usable: one registration's UAR, MAR, UAR, SAR fit many times. */
export const CX_CACHE_TTL_MS = 5000;
/** Least time between two sweeps of expired entries. */
const SWEEP_MIN_GAP_MS = 1000;
/** IMPIs cached at most (oldest dropped first): memory stays bounded whatever the subscriber count. */
export const CX_CACHE_MAX_ENTRIES = 4096;

/** One cached IMPI: its identity rows, and what the SAR derives from them. */
interface Entry {
  at: number;
  record: ImpiRecord;
  /** The IMPIs of its IMS subscription (SAR Associated-Identities). */
  subscriptionImpis?: string[];
  /** The IMSSubscription XML (SAR / PPR User-Data). */
  userData?: string;
}

/**
 * A short-lived cache of the identity rows a registration reads four times (UAR, MAR, UAR,
 * SAR each look up the IMPI with its IMPUs): one SELECT per registration instead of four.
 *
 * Correctness rules:
 * - The Cx writes of the HSS (S-CSCF assignment, registration state, SQN_HE) go to the
 *   database first and are then applied to the cached rows (write-through), so a cached
 *   record is never older than what the HSS itself wrote.
 * - SQN_HE stays authoritative in the database: the issuer's compare-and-set
 *   (`UPDATE ... WHERE sqn = <expected>`) fails on a stale cached value and re-reads, so a
 *   stale cache can cost a retry but never lets an SQN be issued twice (TS 33.102 C.1).
 * - Every provisioning change through the REST API clears the whole cache, before its handler
 *   runs and again when it has finished (CxCacheInvalidator), changes made while a user is
 *   registered included.
 * - Entries live at most CX_CACHE_TTL_MS and at most CX_CACHE_MAX_ENTRIES are kept, so a write
 *   made outside the HSS process (e.g. by hand in the sqlite file) is seen within seconds.
 * Returned records are copies: a handler holding one across an await sees a consistent snapshot.
 */
export class CxIdentityCache {
  private readonly entries = new Map<string, Entry>();
  /** IMPI keys by IMPU id and by implicit set, for the write-through of IMPU updates. */
  private readonly byImpu = new Map<number, Set<string>>();
  private readonly bySet = new Map<string, Set<string>>();
  private readonly byImpiId = new Map<number, string>();
  private capabilities: { at: number; view: ServerCapabilitiesView; key: string } | undefined;
  /** Drops expired entries when nothing reads them (unref'd: never keeps the process up). */
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ttlMs = CX_CACHE_TTL_MS,
    private readonly maxEntries = CX_CACHE_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries held (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** A copy of the cached IMPI, or undefined when absent or expired. */
  getImpi(impi: string): ImpiRecord | undefined {
    const e = this.live(impi);
    return e ? copyImpi(e.record) : undefined;
  }

  /** Caches `record` (as read from the database) under `impi`. */
  putImpi(impi: string, record: ImpiRecord): void {
    this.remove(impi);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.remove(oldest.value);
    }
    this.entries.set(impi, { at: this.now(), record: copyImpi(record) });
    this.armSweep();
    this.byImpiId.set(record.id, impi);
    for (const p of record.publicIdentities) {
      index(this.byImpu, p.id, impi);
      index(this.bySet, p.implicitSetId, impi);
    }
  }

  subscriptionImpis(impiId: number): string[] | undefined {
    const e = this.liveById(impiId);
    return e?.subscriptionImpis ? [...e.subscriptionImpis] : undefined;
  }

  putSubscriptionImpis(impiId: number, impis: string[]): void {
    const e = this.liveById(impiId);
    if (e) e.subscriptionImpis = [...impis];
  }

  userData(impi: string): string | undefined {
    return this.live(impi)?.userData;
  }

  putUserData(impi: string, xml: string): void {
    const e = this.live(impi);
    if (e) e.userData = xml;
  }

  serverCapabilities(key: string): ServerCapabilitiesView | undefined {
    const c = this.capabilities;
    if (!c || c.key !== key || this.now() - c.at >= this.ttlMs) return undefined;
    return copyCapabilities(c.view);
  }

  putServerCapabilities(key: string, view: ServerCapabilitiesView): void {
    this.capabilities = { at: this.now(), view: copyCapabilities(view), key };
  }

  /** Write-through of `UPDATE public_identities SET <patch> WHERE id IN (ids)`. */
  patchImpus(ids: number[], patch: RegistrationPatch): void {
    for (const id of ids) {
      for (const key of this.byImpu.get(id) ?? []) {
        for (const p of this.entries.get(key)?.record.publicIdentities ?? []) {
          if (p.id === id) applyPatch(p, patch);
        }
      }
    }
  }

  /** Write-through of `UPDATE public_identities SET <patch> WHERE implicit_set_id = ?`. */
  patchImplicitSet(implicitSetId: string, patch: RegistrationPatch): void {
    for (const key of this.bySet.get(implicitSetId) ?? []) {
      for (const p of this.entries.get(key)?.record.publicIdentities ?? []) {
        if (p.implicitSetId === implicitSetId) applyPatch(p, patch);
      }
    }
  }

  /** Write-through of a successful SQN_HE compare-and-set. */
  setSqn(impiId: number, sqn: number): void {
    const key = this.byImpiId.get(impiId);
    const e = key === undefined ? undefined : this.entries.get(key);
    if (e) e.record.sqn = sqn;
  }

  /** Drops the IMPI with this row id (e.g. its cached SQN_HE proved stale). */
  forgetImpiId(impiId: number): void {
    const key = this.byImpiId.get(impiId);
    if (key !== undefined) this.remove(key);
  }

  /**
   * Removes the entries older than the TTL. Entries are in the Map in the order they were put
   * (a put removes the old entry first), so the expired ones are at its head.
   */
  evictExpired(): void {
    const now = this.now();
    for (const [impi, e] of this.entries) {
      if (now - e.at < this.ttlMs) break;
      this.remove(impi);
    }
  }

  /** Everything goes: a provisioning change may touch any row. */
  clear(): void {
    this.entries.clear();
    this.byImpu.clear();
    this.bySet.clear();
    this.byImpiId.clear();
    this.capabilities = undefined;
  }

  /**
   * An idle HSS must not hold the identity rows and User-Data XML of the last 4,096
   * registrations until the next one: a sweep runs when the oldest entry expires (at most once
   * per SWEEP_MIN_GAP_MS) and re-arms while entries are left.
   */
  private armSweep(): void {
    if (this.sweepTimer || this.entries.size === 0) return;
    const oldest = this.entries.values().next().value as Entry;
    const delay = Math.max(oldest.at + this.ttlMs - this.now(), SWEEP_MIN_GAP_MS);
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      this.evictExpired();
      this.armSweep();
    }, delay);
    this.sweepTimer.unref?.();
  }

  private live(impi: string): Entry | undefined {
    const e = this.entries.get(impi);
    if (!e) return undefined;
    if (this.now() - e.at < this.ttlMs) return e;
    this.remove(impi);
    return undefined;
  }

  private liveById(impiId: number): Entry | undefined {
    const key = this.byImpiId.get(impiId);
    return key === undefined ? undefined : this.live(key);
  }

  private remove(impi: string): void {
    const e = this.entries.get(impi);
    if (!e) return;
    this.entries.delete(impi);
    if (this.byImpiId.get(e.record.id) === impi) this.byImpiId.delete(e.record.id);
    for (const p of e.record.publicIdentities) {
      unindex(this.byImpu, p.id, impi);
      unindex(this.bySet, p.implicitSetId, impi);
    }
  }
}

function index<K>(map: Map<K, Set<string>>, key: K, impi: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(impi);
}

function unindex<K>(map: Map<K, Set<string>>, key: K, impi: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(impi);
  if (!set.size) map.delete(key);
}

function applyPatch(p: ImpuRecord, patch: RegistrationPatch): void {
  if (patch.registrationState !== undefined) p.registrationState = patch.registrationState;
  if (patch.scscfName !== undefined) p.scscfName = patch.scscfName;
  if (patch.scscfDiameterHost !== undefined) p.scscfDiameterHost = patch.scscfDiameterHost;
}

function copyImpi(r: ImpiRecord): ImpiRecord {
  return { ...r, publicIdentities: r.publicIdentities.map((p) => ({ ...p })) };
}

function copyCapabilities(v: ServerCapabilitiesView): ServerCapabilitiesView {
  return {
    mandatory: [...v.mandatory],
    optional: [...v.optional],
    serverNames: [...v.serverNames],
  };
}
