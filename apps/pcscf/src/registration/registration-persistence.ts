/**
 * The P-CSCF's registrations survive a restart (issue 9 "Crashes", docs/reliability.md):
 * each registration saved or removed is written behind to PCSCF_DB_PATH (SQLite, WAL, one
 * transaction per event-loop turn, libs/ims WriteBehindTable) and put back when the P-CSCF
 * starts, before it serves. Stored per registration: what TS 24.229 §5.2.2.1 says the
 * P-CSCF keeps (registered IMPU, P-Associated-URI list, Service-Route list, Contacts, expiry)
 * plus its flow (transport, address and port the UE registered from) and the flow token of
 * the Path the P-CSCF inserted (RFC 5626 §5.2): the S-CSCF still routes terminating requests
 * to `sip:<token>@pcscf`, so the restarted P-CSCF must know the token.
 *
 * After a restart a UE registered over UDP still originates (the P-Asserted-Identity comes
 * from the restored P-Associated-URIs, Service-Route is applied) and receives calls. A TCP
 * flow is a connection, and it died with the process: its registrations are not restored
 * (RFC 5626 §4.4: the UE sees the flow fail and registers again). The P-CSCF's reg-event
 * subscription (TS 24.229 §5.2.3) is not stored: its dialog died with the process, so the
 * restarted P-CSCF subscribes again for each restored registration (`resubscribe`, paced),
 * and still learns of a network-initiated de-registration.
 */
import { persistenceDisabled, WriteBehindTable } from '@lib/ims';
import type { Flow, FlowTable } from '../flows';
import { registrationKey, type PcscfRegistration } from './pcscf-registration';
import type { RegistrationStore } from './registration-store';

interface StoredRegistration {
  v: 1;
  registeredImpu: string;
  associatedUris: string[];
  serviceRoutes: readonly string[];
  contacts: string[];
  flow: Flow;
  expiresAt: number;
  /** The flow token of the Path this P-CSCF put in the REGISTER. */
  token: string;
}

export interface PcscfRestoreReport {
  restored: number;
  /** Expired while the P-CSCF was down. */
  expired: number;
  /** TCP flows (their connection is gone). */
  tcp: number;
  unreadable: number;
}

export interface PcscfPersistenceLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export class PcscfRegistrationPersistence {
  private constructor(private readonly table: WriteBehindTable) {}

  /**
   * Opens `path` (undefined when persistence is off), restores its registrations into
   * `registrations` and `flows`, then writes every later change behind.
   */
  static open(
    path: string,
    registrations: RegistrationStore,
    flows: FlowTable,
    logger: PcscfPersistenceLogger,
    now: () => number = Date.now,
  ): PcscfRegistrationPersistence | undefined {
    if (persistenceDisabled(path)) return undefined;
    const table = new WriteBehindTable({
      path,
      table: 'pcscf_registrations',
      onError: (err) => logger.error(`writing registrations failed: ${err.message}`),
    });
    const p = new PcscfRegistrationPersistence(table);
    const report = p.restore(registrations, flows, now());
    logger.log(
      `restored ${report.restored} registration(s) from ${path}` +
        (report.expired ? `, ${report.expired} expired while down` : '') +
        (report.tcp ? `, ${report.tcp} on TCP flows dropped (connection gone)` : '') +
        (report.unreadable ? `, ${report.unreadable} unreadable` : ''),
    );
    registrations.onSaved((reg) =>
      table.put(registrationKey(reg), () => encode(reg, flows.tokenFor(reg.flow))),
    );
    registrations.onRemoved((reg) => table.delete(registrationKey(reg)));
    p.lastRestore = report;
    return p;
  }

  lastRestore: PcscfRestoreReport = { restored: 0, expired: 0, tcp: 0, unreadable: 0 };
  /** The registrations put back at start-up. */
  restored: PcscfRegistration[] = [];
  private pacing?: ReturnType<typeof setTimeout>;

  /**
   * TS 24.229 §5.2.3: subscribes again to the reg event of each restored registration that
   * has a Service-Route and no subscription yet, `perTick` every `intervalMs` so that a
   * P-CSCF restarting with many registrations does not flood the S-CSCF.
   */
  resubscribe(
    subscribe: (reg: PcscfRegistration) => void,
    isLive: (reg: PcscfRegistration) => boolean,
    perTick = 20,
    intervalMs = 50,
  ): void {
    const queue = this.restored;
    this.restored = [];
    const step = (): void => {
      this.pacing = undefined;
      for (const reg of queue.splice(0, perTick)) {
        if (!reg.subscription && reg.serviceRoutes.length > 0 && isLive(reg)) subscribe(reg);
      }
      if (queue.length > 0) {
        this.pacing = setTimeout(step, intervalMs);
        this.pacing.unref?.();
      }
    };
    step();
  }

  get stats() {
    return this.table.stats;
  }

  /** Writes what is queued and closes the file (application shutdown, SIGTERM). */
  close(): void {
    if (this.pacing) clearTimeout(this.pacing);
    this.table.close();
  }

  private restore(
    registrations: RegistrationStore,
    flows: FlowTable,
    nowMs: number,
  ): PcscfRestoreReport {
    const report: PcscfRestoreReport = { restored: 0, expired: 0, tcp: 0, unreadable: 0 };
    for (const row of this.table.load()) {
      let s: StoredRegistration;
      try {
        s = decode(row.value);
      } catch {
        report.unreadable++;
        this.table.delete(row.key);
        continue;
      }
      if (s.expiresAt <= nowMs) {
        report.expired++;
        this.table.delete(row.key);
        continue;
      }
      if (s.flow.transport !== 'UDP') {
        report.tcp++;
        this.table.delete(row.key);
        continue;
      }
      flows.adopt(s.flow, s.token);
      for (const c of s.contacts) flows.bindContact(c, s.flow);
      const reg: PcscfRegistration = {
        registeredImpu: s.registeredImpu,
        associatedUris: s.associatedUris,
        serviceRoutes: s.serviceRoutes,
        contacts: s.contacts,
        flow: s.flow,
        expiresAt: s.expiresAt,
      };
      registrations.save(reg);
      this.restored.push(reg);
      report.restored++;
    }
    return report;
  }
}

function encode(reg: PcscfRegistration, token: string): string {
  const stored: StoredRegistration = {
    v: 1,
    registeredImpu: reg.registeredImpu,
    associatedUris: reg.associatedUris,
    serviceRoutes: reg.serviceRoutes,
    contacts: reg.contacts,
    flow: { transport: reg.flow.transport, host: reg.flow.host, port: reg.flow.port },
    expiresAt: reg.expiresAt,
    token,
  };
  return JSON.stringify(stored);
}

function decode(text: string): StoredRegistration {
  const s = JSON.parse(text) as StoredRegistration;
  const strings = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'string');
  if (
    s?.v !== 1 ||
    typeof s.registeredImpu !== 'string' ||
    !strings(s.associatedUris) ||
    !strings(s.serviceRoutes) ||
    !strings(s.contacts) ||
    typeof s.expiresAt !== 'number' ||
    typeof s.token !== 'string' ||
    typeof s.flow?.host !== 'string' ||
    typeof s.flow?.port !== 'number'
  ) {
    throw new Error('not a stored P-CSCF registration (version 1)');
  }
  return s;
}
