import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowTable } from '../flows';
import type { PcscfRegistration } from './pcscf-registration';
import { PcscfRegistrationPersistence } from './registration-persistence';
import { RegistrationStore } from './registration-store';

const udp = { transport: 'UDP' as const, host: '127.0.0.1', port: 5062 };
const tcp = { transport: 'TCP' as const, host: '127.0.0.1', port: 40000 };
const quiet = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };

function reg(over: Partial<PcscfRegistration> = {}): PcscfRegistration {
  return {
    registeredImpu: 'sip:alice@ims.test',
    associatedUris: ['sip:alice@ims.test', 'tel:+15551230001'],
    serviceRoutes: ['<sip:orig@scscf.ims.test:6060;lr>'],
    contacts: ['sip:alice@127.0.0.1:5062'],
    flow: udp,
    expiresAt: 10_000,
    ...over,
  };
}

describe('P-CSCF registration persistence', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pcscf-db-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function open(now: number) {
    const store = new RegistrationStore(() => now);
    const flows = new FlowTable();
    const p = PcscfRegistrationPersistence.open(
      join(dir, 'p.sqlite'),
      store,
      flows,
      quiet,
      () => now,
    );
    return { store, flows, p: p! };
  }

  it('restores UDP registrations with their flow token; drops TCP flows and expired ones', () => {
    const first = open(0);
    const token = first.flows.tokenFor(udp);
    first.store.save(reg());
    first.store.save(
      reg({ registeredImpu: 'sip:bob@ims.test', flow: tcp, contacts: ['sip:bob@x'] }),
    );
    first.store.save(
      reg({ registeredImpu: 'sip:carol@ims.test', expiresAt: 500, contacts: ['sip:c@y'] }),
    );
    first.p.close(); // SIGTERM: the queue is written

    const second = open(1000);
    expect(second.p.lastRestore).toEqual({ restored: 1, expired: 1, tcp: 1, unreadable: 0 });
    const [r] = second.store.all();
    expect(r).toMatchObject({
      registeredImpu: 'sip:alice@ims.test',
      associatedUris: ['sip:alice@ims.test', 'tel:+15551230001'],
      serviceRoutes: ['<sip:orig@scscf.ims.test:6060;lr>'],
      flow: udp,
      expiresAt: 10_000,
    });
    // The S-CSCF's Path still carries the old token: it must reach the same flow.
    expect(second.flows.flow(token)).toEqual(udp);
    expect(second.flows.tokenFor(udp)).toBe(token);
    expect(second.flows.flowOfContact('sip:alice@127.0.0.1:5062')).toEqual(udp);
    expect(second.store.findAssociated(udp, 'tel:+15551230001')).toBe(r);
    second.p.close();

    // Dropped rows are gone for good.
    const third = open(1000);
    expect(third.p.lastRestore.restored).toBe(1);
    expect(third.p.lastRestore.tcp + third.p.lastRestore.expired).toBe(0);
    third.p.close();
  });

  it('a de-registration removes the stored row', async () => {
    const first = open(0);
    first.store.save(reg());
    await new Promise((r) => setImmediate(r));
    first.store.remove(udp, 'sip:alice@ims.test');
    await new Promise((r) => setImmediate(r));
    expect(first.p.stats).toMatchObject({ written: 1, removed: 1, pending: 0 });
    first.p.close();
    expect(open(0).p.lastRestore.restored).toBe(0);
  });

  it('subscribes again to the reg event of restored registrations, paced, skipping gone ones', () => {
    const first = open(0);
    for (let i = 0; i < 45; i++) {
      first.store.save(
        reg({
          registeredImpu: `sip:u${i}@ims.test`,
          contacts: [`sip:u${i}@127.0.0.1:${6000 + i}`],
          flow: { ...udp, port: 6000 + i },
          serviceRoutes: i === 44 ? [] : ['<sip:orig@scscf.ims.test:6060;lr>'],
        }),
      );
    }
    first.p.close();
    jest.useFakeTimers();
    try {
      const second = open(1000);
      second.store.remove({ ...udp, port: 6001 }, 'sip:u1@ims.test');
      const subscribed: string[] = [];
      second.p.resubscribe(
        (r) => subscribed.push(r.registeredImpu),
        (r) => second.store.find(r.flow, r.registeredImpu) === r,
      );
      expect(subscribed).toHaveLength(19); // 20 in the first step, u1 gone
      jest.advanceTimersByTime(50);
      expect(subscribed).toHaveLength(39);
      jest.advanceTimersByTime(50);
      // u44 has no Service-Route: nothing to subscribe through.
      expect(subscribed).toHaveLength(43);
      expect(subscribed).not.toContain('sip:u1@ims.test');
      expect(subscribed).not.toContain('sip:u44@ims.test');
      second.p.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('is off for "off" and ":memory:"', () => {
    for (const path of ['off', ':memory:']) {
      expect(
        PcscfRegistrationPersistence.open(path, new RegistrationStore(), new FlowTable(), quiet),
      ).toBeUndefined();
    }
  });
});
