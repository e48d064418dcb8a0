import { ImsSubscription } from '@lib/ims';
import { Binding, RegistrationRecord } from './binding';
import { RegistrationChange, RegistrationStore } from './registration-store';

const SET = ['sip:alice@ims.test', 'sip:+15550001@ims.test', 'tel:+15550001'];

function binding(id: string, expiresInS: number): Binding {
  return {
    id,
    uri: `sip:alice@127.0.0.1:${5000 + Number(id)}`,
    params: new Map(),
    expiresAt: Date.now() + expiresInS * 1000,
    callId: `call-${id}`,
    cseq: 1,
    path: [],
    registeredAt: Date.now(),
  };
}

function record(bindings: Binding[]): RegistrationRecord {
  const subscription: ImsSubscription = {
    privateId: 'alice@ims.test',
    serviceProfiles: [
      { publicIdentities: SET.map((identity) => ({ identity })), initialFilterCriteria: [] },
    ],
  };
  return {
    impi: 'alice@ims.test',
    registeredImpu: SET[0],
    implicitSet: SET,
    barred: [],
    subscription,
    serviceProfile: subscription.serviceProfiles[0],
    bindings,
  };
}

describe('RegistrationStore (RFC 3261 §10.3 binding expiry)', () => {
  let store: RegistrationStore;
  let changes: RegistrationChange[];
  let expired: RegistrationChange[];

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    store = new RegistrationStore();
    changes = [];
    expired = [];
    store.on('changed', (c) => changes.push(c));
    store.on('expired', (c) => expired.push(c));
  });

  afterEach(() => {
    store.close();
    jest.useRealTimers();
  });

  it('finds a registration by any IMPU of the implicit set, by IMPI, and reports the change', () => {
    const r = record([binding('1', 60)]);
    store.commit(
      r,
      [{ binding: r.bindings[0], state: 'active', event: 'registered' }],
      'register',
      true,
    );
    for (const impu of SET) expect(store.find(impu)).toBe(r);
    expect(store.find('sip:alice@IMS.TEST;user=phone')).toBe(r);
    expect(store.find('sip:ALICE@ims.test')).toBeUndefined();
    expect(store.findByImpi('Alice@ims.test')).toEqual([r]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ origin: 'register', initial: true, terminated: false });
  });

  it('setProfile re-indexes a stored record under its new identities; a removed one drops them all', () => {
    const r = record([binding('1', 60)]);
    store.commit(r, []);
    const subscription: ImsSubscription = {
      privateId: 'alice@ims.test',
      serviceProfiles: [
        {
          publicIdentities: [
            { identity: 'sip:alice@ims.test' },
            { identity: 'sip:alice-work@ims.test' },
            { identity: 'sip:alice-old@ims.test', barringIndication: true },
          ],
          initialFilterCriteria: [],
        },
      ],
    };
    store.setProfile(r, subscription, {
      identities: ['sip:alice@ims.test', 'sip:alice-work@ims.test'],
      barred: ['sip:alice-old@ims.test'],
      serviceProfile: subscription.serviceProfiles[0],
    });
    expect(r.subscription).toBe(subscription);
    expect(store.find('tel:+15550001')).toBeUndefined();
    expect(store.find('sip:+15550001@ims.test')).toBeUndefined();
    expect(store.find('sip:alice-work@ims.test')).toBe(r);
    expect(store.find('sip:alice-old@ims.test')).toBe(r);
    store.commit(r, []); // a refresh: still indexed, once
    expect(store.records()).toEqual([r]);
    store.terminate(r, 'deactivated');
    for (const impu of ['sip:alice@ims.test', 'sip:alice-work@ims.test', 'sip:alice-old@ims.test'])
      expect(store.find(impu)).toBeUndefined();
    expect(store.findByImpi('alice@ims.test')).toEqual([]);
    expect(store.records()).toEqual([]);
  });

  it('a commit looks at its own record only; a refreshed binding re-arms after an early wake-up', () => {
    const others = Array.from({ length: 50 }, (_, i) => record([binding(String(i + 10), 600)]));
    for (const o of others) store.commit(o, []);
    const r = record([binding('1', 60)]);
    const scan = jest.spyOn(store, 'records');
    store.commit(r, []);
    // Refreshed (RFC 3261 §10.2.1: a REGISTER with a new expiry) before it expires.
    r.bindings = [{ ...r.bindings[0], expiresAt: Date.now() + 120_000 }];
    store.commit(r, []);
    expect(scan).not.toHaveBeenCalled();
    // The timer armed for 60 s finds nothing due and re-arms for the refreshed binding.
    jest.advanceTimersByTime(60_000);
    expect(expired).toHaveLength(0);
    jest.advanceTimersByTime(60_000);
    expect(expired).toHaveLength(1);
    expect(expired[0].record).toBe(r);
    jest.advanceTimersByTime(479_999);
    expect(expired).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(expired).toHaveLength(51);
  });

  it('expires each binding at its time; the last one terminates the registration', () => {
    const r = record([binding('1', 60), binding('2', 120)]);
    store.commit(r, []);
    jest.advanceTimersByTime(59_999);
    expect(expired).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(expired).toHaveLength(1);
    expect(expired[0].terminated).toBe(false);
    expect(expired[0].contacts).toEqual([
      expect.objectContaining({ state: 'terminated', event: 'expired' }),
    ]);
    expect(store.find(SET[0])?.bindings.map((b) => b.id)).toEqual(['2']);
    expect(store.remaining(r.bindings[0])).toBe(60);

    jest.advanceTimersByTime(60_000);
    expect(expired).toHaveLength(2);
    expect(expired[1]).toMatchObject({ terminated: true, origin: 'expiry' });
    expect(store.find(SET[1])).toBeUndefined();
  });

  it('re-arms the timer when a refresh moves the earliest expiry', () => {
    const r = record([binding('1', 60)]);
    store.commit(r, []);
    jest.advanceTimersByTime(30_000);
    r.bindings = [{ ...r.bindings[0], expiresAt: Date.now() + 60_000 }];
    store.commit(r, []);
    jest.advanceTimersByTime(59_000);
    expect(expired).toHaveLength(0);
    jest.advanceTimersByTime(1_000);
    expect(expired).toHaveLength(1);
  });

  it('terminates a registration at once (network de-registration) with the given event', () => {
    const r = record([binding('1', 60), binding('2', 60)]);
    store.commit(r, []);
    const change = store.terminate(r, 'deactivated');
    expect(change.terminated).toBe(true);
    expect(change.origin).toBe('network');
    expect(change.contacts.map((c) => c.event)).toEqual(['deactivated', 'deactivated']);
    expect(store.records()).toEqual([]);
    jest.advanceTimersByTime(120_000);
    expect(expired).toHaveLength(0);
  });

  it('expires bindings that fall due one after another in a few scans, not one per binding', () => {
    const impus = Array.from({ length: 200 }, (_, i) => `sip:user${i}@ims.test`);
    for (const [i, impu] of impus.entries()) {
      const r = record([{ ...binding(String(i), 1), expiresAt: Date.now() + 1000 + i * 5 }]);
      Object.assign(r, { impi: `user${i}@ims.test`, registeredImpu: impu, implicitSet: [impu] });
      store.commit(r, [], 'register', true);
    }
    const scans = jest.spyOn(store, 'expireDue');
    jest.advanceTimersByTime(1000 + 200 * 5 + 1000);
    expect(expired).toHaveLength(200);
    expect(impus.every((u) => store.find(u) === undefined)).toBe(true);
    // 200 distinct expiries within 1 s: one scan per second at most, not 200.
    expect(scans.mock.calls.length).toBeLessThanOrEqual(3);
  });
});
