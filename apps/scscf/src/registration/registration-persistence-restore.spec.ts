import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HssClient, type ImsSubscription, WriteBehindTable } from '@lib/ims';
import type { ScscfConfig } from '../config';
import type { Binding, RegistrationRecord } from './binding';
import { encodeRecord, recordKey, RegistrationPersistence } from './registration-persistence';
import { RegistrationChange, RegistrationStore } from './registration-store';

function record(user: string, expiresAt: number): RegistrationRecord {
  const impu = `sip:${user}@ims.test`;
  const subscription: ImsSubscription = {
    privateId: `${user}@ims.test`,
    serviceProfiles: [{ publicIdentities: [{ identity: impu }], initialFilterCriteria: [] }],
  };
  const binding: Binding = {
    id: user,
    uri: `sip:${user}@127.0.0.1:5062`,
    params: new Map(),
    expiresAt,
    callId: `c-${user}`,
    cseq: 1,
    path: ['<sip:tok@pcscf.ims.test;lr>'],
    registeredAt: 1,
  };
  return {
    impi: `${user}@ims.test`,
    registeredImpu: impu,
    implicitSet: [impu],
    barred: [],
    subscription,
    serviceProfile: subscription.serviceProfiles[0],
    bindings: [binding],
  };
}

describe('RegistrationPersistence: restore at start-up', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scscf-restore-'));
    path = join(dir, 'scscf.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const hss = { waitUntilConnected: () => Promise.resolve() } as unknown as HssClient;
  const config = (dbPath: string) => ({ dbPath }) as ScscfConfig;
  const rows = (): string[] => {
    const t = new WriteBehindTable({ path, table: 'scscf_registrations' });
    const keys = t.load().map((r) => r.key);
    t.close();
    return keys;
  };

  it('restores live records, drops unreadable rows, expires lapsed ones once bootstrapped', async () => {
    const live = record('live', Date.now() + 600_000);
    const lapsed = record('lapsed', Date.now() - 1000);
    const seed = new WriteBehindTable({ path, table: 'scscf_registrations' });
    seed.put(recordKey(live), encodeRecord(live));
    seed.put(recordKey(lapsed), encodeRecord(lapsed));
    seed.put('garbage', '{"v":9}');
    seed.close();

    const store = new RegistrationStore();
    const expired: RegistrationChange[] = [];
    store.on('expired', (c) => expired.push(c));
    const p = new RegistrationPersistence(config(path), hss, store);
    // Constructed = restored: before any module starts its SIP stack.
    expect(p.lastRestore).toEqual({ restored: 1, lapsed: 1, unreadable: 1 });
    expect(store.find('sip:live@ims.test')?.bindings[0].path).toEqual(live.bindings[0].path);
    expect(store.find('sip:lapsed@ims.test')).toBeUndefined();

    p.onApplicationBootstrap();
    await p.lapsedDone;
    // The lapsed record went through the store's expiry (the registrar's SAR listens there).
    expect(expired.map((c) => [c.record.registeredImpu, c.terminated])).toEqual([
      ['sip:lapsed@ims.test', true],
    ]);
    p.onApplicationShutdown(); // writes the queue
    store.close();
    expect(rows()).toEqual([recordKey(live)]);
  });

  it('writes every change behind and deletes a terminated record', async () => {
    const store = new RegistrationStore();
    const p = new RegistrationPersistence(config(path), hss, store);
    p.onApplicationBootstrap();
    const r = record('alice', Date.now() + 600_000);
    store.commit(r, [], 'register', true);
    await new Promise((res) => setImmediate(res));
    expect(rows()).toEqual([recordKey(r)]);
    store.terminate(r, 'deactivated');
    p.onApplicationShutdown();
    store.close();
    expect(rows()).toEqual([]);
  });

  it('does nothing with SCSCF_DB_PATH=off', () => {
    const store = new RegistrationStore();
    const p = new RegistrationPersistence(config('off'), hss, store);
    store.commit(record('bob', Date.now() + 600_000), [], 'register', true);
    expect(p.stats).toBeUndefined();
    p.onApplicationShutdown();
    store.close();
  });
});
