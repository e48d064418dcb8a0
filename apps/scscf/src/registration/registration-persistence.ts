/**
 * The S-CSCF's registrations survive a restart (issue 9 "Crashes", docs/reliability.md): every
 * change the RegistrationStore reports is written behind to SCSCF_DB_PATH (SQLite, WAL, one
 * transaction per event-loop turn, libs/ims WriteBehindTable), and a starting S-CSCF puts the
 * stored records back before it serves. A call to a UE registered before a crash is routed
 * (terminating contact lookup, RFC 3327 Path towards its P-CSCF), and a refresh or a
 * de-registration of a restored record is a RE_REGISTRATION / USER_DEREGISTRATION as if the
 * process had never stopped.
 *
 * Stored per record (one row per implicit registration set, keyed by IMPI and registered
 * IMPU): the IMPI, the registered IMPU, the user profile as TS 29.228 Annex E User-Data XML
 * (re-parsed on restore, so the implicit set, barred identities and service profile are
 * derived exactly as after an SAA), and each binding with its Path, Call-ID/CSeq and absolute
 * expiry. The reg-event subscriptions go to a second table of the same file
 * (reg-event/reg-event-persistence.ts). Not stored: nonces of challenges in flight (the UE is
 * challenged again), dialogs.
 *
 * On restore, bindings that expired while the S-CSCF was down are dropped; a record left
 * with none is put back only long enough to expire through the store's normal path, once Cx
 * is up: the registrar sends SAR TIMEOUT_DEREGISTRATION (TS 24.229 §5.4.1.4, TS 29.228
 * §6.1.2), so the HSS does not keep the user REGISTERED at an S-CSCF that no longer has a
 * contact for it (which would make the I-CSCF route its calls here for nothing).
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  generateImsSubscription,
  type HssClient,
  type ImsSubscription,
  parseImsSubscription,
  persistenceDisabled,
  WriteBehindTable,
} from '@lib/ims';
import { SCSCF_CONFIG, type ScscfConfig } from '../config';
import { HSS_CLIENT } from '../cx/hss-client.provider';
import { contactParams, storedBinding, type Binding, type RegistrationRecord } from './binding';
import { RegistrationChange, RegistrationStore } from './registration-store';
import { impuKey, implicitSetOf, storedList } from './user-profile';

/** The stored form of a binding (Map and optional fields as JSON can carry them). */
interface StoredBinding {
  id: string;
  uri: string;
  params: [string, string | null][];
  displayName?: string;
  expiresAt: number;
  callId: string;
  cseq: number;
  path: string[];
  instanceId?: string;
  regId?: string;
  registeredAt: number;
}

/** The stored form of a record, version 1. */
interface StoredRecord {
  v: 1;
  impi: string;
  registeredImpu: string;
  /** IMSSubscription User-Data XML (TS 29.228 Annex E). */
  userData: string;
  bindings: StoredBinding[];
}

/** The row key of a record: its IMPI and registered IMPU (one record per IMPU at a time). */
export function recordKey(record: Pick<RegistrationRecord, 'impi' | 'registeredImpu'>): string {
  return `${record.impi.toLowerCase()} ${impuKey(record.registeredImpu)}`;
}

/** A record as JSON text; `userData` makes (or recalls) the profile's XML. */
export function encodeRecord(
  record: RegistrationRecord,
  userData: (s: ImsSubscription) => string = (s) => generateImsSubscription(s, { indent: '' }),
): string {
  const stored: StoredRecord = {
    v: 1,
    impi: record.impi,
    registeredImpu: record.registeredImpu,
    userData: userData(record.subscription),
    bindings: record.bindings.map((b) => ({
      id: b.id,
      uri: b.uri,
      params: [...b.params],
      displayName: b.displayName,
      expiresAt: b.expiresAt,
      callId: b.callId,
      cseq: b.cseq,
      path: b.path,
      instanceId: b.instanceId,
      regId: b.regId,
      registeredAt: b.registeredAt,
    })),
  };
  return JSON.stringify(stored);
}

/**
 * A stored record back as the registrar keeps it: the profile re-parsed and the implicit set
 * derived from it (user-profile.ts). Throws on anything unreadable.
 */
export function decodeRecord(text: string): RegistrationRecord {
  const s = JSON.parse(text) as StoredRecord;
  if (s?.v !== 1 || typeof s.impi !== 'string' || typeof s.registeredImpu !== 'string') {
    throw new Error('not a stored registration (version 1)');
  }
  if (!Array.isArray(s.bindings)) throw new Error('bindings missing');
  const subscription = parseImsSubscription(s.userData);
  const set = implicitSetOf(subscription, s.registeredImpu);
  const bindings: Binding[] = s.bindings.map((b) => {
    if (typeof b.uri !== 'string' || typeof b.expiresAt !== 'number') {
      throw new Error('binding without uri or expiresAt');
    }
    return storedBinding({
      id: b.id,
      uri: b.uri,
      // Shares the one empty map when there are none (binding.ts, issue 8 memory).
      params: contactParams(new Map(b.params)),
      displayName: b.displayName ?? undefined,
      expiresAt: b.expiresAt,
      callId: b.callId,
      cseq: b.cseq,
      path: b.path ?? [],
      instanceId: b.instanceId ?? undefined,
      regId: b.regId ?? undefined,
      registeredAt: b.registeredAt,
    });
  });
  return {
    impi: s.impi,
    registeredImpu: s.registeredImpu,
    implicitSet: storedList(set.identities),
    barred: storedList(set.barred),
    subscription,
    serviceProfile: set.serviceProfile,
    bindings,
  };
}

/** What a restore found. */
export interface RestoreReport {
  restored: number;
  /** Records whose every binding expired while the S-CSCF was down (SAR TIMEOUT_DEREGISTRATION). */
  lapsed: number;
  /** Rows that could not be read (logged and removed). */
  unreadable: number;
}

@Injectable()
export class RegistrationPersistence implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Registrations');
  private table?: WriteBehindTable;
  /** Set when the restore of lapsed records is done (tests). */
  lapsedDone: Promise<void> = Promise.resolve();
  lastRestore: RestoreReport = { restored: 0, lapsed: 0, unreadable: 0 };

  /** Records without a live binding, expired once the app is up (onApplicationBootstrap). */
  private lapsed: [string, RegistrationRecord][] = [];

  constructor(
    @Inject(SCSCF_CONFIG) private readonly config: ScscfConfig,
    @Inject(HSS_CLIENT) private readonly hss: HssClient,
    private readonly store: RegistrationStore,
  ) {
    // At construction, i.e. before any onModuleInit starts the SIP stack: a restarted S-CSCF
    // never serves a request without the registrations it had.
    this.restore();
  }

  /** After every onModuleInit: the registrar listens for 'expired' by now. */
  onApplicationBootstrap(): void {
    const lapsed = this.lapsed;
    this.lapsed = [];
    if (lapsed.length > 0) this.lapsedDone = this.expireLapsed(lapsed);
  }

  private restore(): void {
    if (persistenceDisabled(this.config.dbPath)) return;
    const table = new WriteBehindTable({
      path: this.config.dbPath,
      table: 'scscf_registrations',
      onError: (err) => this.logger.error(`writing registrations failed: ${err.message}`),
    });
    this.table = table;
    const now = Date.now();
    const report: RestoreReport = { restored: 0, lapsed: 0, unreadable: 0 };
    const lapsed: [string, RegistrationRecord][] = [];
    for (const row of table.load()) {
      let record: RegistrationRecord;
      try {
        record = decodeRecord(row.value);
      } catch (err) {
        report.unreadable++;
        this.logger.warn(
          `stored registration ${row.key} unreadable, dropped: ${(err as Error).message}`,
        );
        table.delete(row.key);
        continue;
      }
      const live = record.bindings.filter((b) => b.expiresAt > now);
      if (live.length === 0) {
        lapsed.push([row.key, record]);
        continue;
      }
      // Contacts that expired meanwhile just go; the record stays registered.
      record.bindings = live;
      if (this.store.restore(record)) report.restored++;
      else this.settleUnrestored(row.key, record);
    }
    this.store.on('changed', (change) => this.onChange(change));
    report.lapsed = lapsed.length;
    this.lastRestore = report;
    this.logger.log(
      `restored ${report.restored} registration(s) from ${this.config.dbPath}` +
        (report.lapsed ? `, ${report.lapsed} expired while down` : '') +
        (report.unreadable ? `, ${report.unreadable} unreadable` : ''),
    );
    this.lapsed = lapsed;
  }

  /** SIGTERM (Nest shutdown hooks) or close(): what is queued is written before exit. */
  onApplicationShutdown(): void {
    this.table?.close();
    this.table = undefined;
  }

  /** Counters of the table (tests). */
  get stats() {
    return this.table?.stats;
  }

  private onChange(change: RegistrationChange): void {
    const table = this.table;
    if (!table) return;
    const record = change.record;
    const key = recordKey(record);
    if (change.terminated) table.delete(key);
    // The profile's XML is made at each write, not cached per profile object: a cache held
    // about 800 bytes per registered subscriber (memory benchmark, heap snapshots), and
    // missed anyway on a re-registration, whose SAA brings a newly parsed profile.
    else table.put(key, () => encodeRecord(record));
  }

  /**
   * Records left without a live binding: once Cx is up (bounded wait), put back with their
   * expired bindings and expired at once through the store, so the registrar tells the HSS
   * (SAR TIMEOUT_DEREGISTRATION) and this class removes the rows.
   */
  private async expireLapsed(lapsed: [string, RegistrationRecord][]): Promise<void> {
    await this.hss.waitUntilConnected(10000).catch(() => {
      this.logger.warn(`Cx not up: ${lapsed.length} lapsed registration(s) dropped without SAR`);
    });
    if (!this.table) return;
    for (const [key, record] of lapsed) {
      if (!this.store.restore(record)) this.settleUnrestored(key, record);
    }
    this.store.expireDue();
  }

  /** A stored record whose IMPU registered anew first: its row goes unless the new one owns it. */
  private settleUnrestored(key: string, record: RegistrationRecord): void {
    const current = this.store.find(record.registeredImpu);
    if (!current || recordKey(current) !== key) this.table?.delete(key);
  }
}
