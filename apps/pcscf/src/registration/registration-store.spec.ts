import type { PcscfRegistration } from './pcscf-registration';
import { RegistrationStore, uriKey } from './registration-store';

const flow = { transport: 'UDP' as const, host: '127.0.0.1', port: 5062 };
const other = { transport: 'TCP' as const, host: '127.0.0.1', port: 40000 };

function reg(over: Partial<PcscfRegistration> = {}): PcscfRegistration {
  return {
    registeredImpu: 'sip:alice@ims.test',
    associatedUris: ['sip:alice@ims.test', 'tel:+15551230001'],
    serviceRoutes: ['<sip:orig@scscf.ims.test:6060;lr>'],
    contacts: ['sip:alice@127.0.0.1:5062'],
    flow,
    expiresAt: 10_000,
    ...over,
  };
}

describe('P-CSCF registration store', () => {
  it('finds registrations by flow and by Contact (URI comparison), until they expire', () => {
    let now = 0;
    const store = new RegistrationStore(() => now);
    store.save(reg());
    expect(store.ofFlow(flow)).toHaveLength(1);
    expect(store.ofFlow(other)).toHaveLength(0);
    expect(store.byContact('sip:alice@127.0.0.1:5062;transport=udp')).toBeUndefined();
    expect(store.byContact('SIP:alice@127.0.0.1:5062')?.registeredImpu).toBe('sip:alice@ims.test');
    now = 10_000;
    expect(store.ofFlow(flow)).toHaveLength(0);
    expect(store.byContact('sip:alice@127.0.0.1:5062')).toBeUndefined();
  });

  it('replaces the registration of the same (flow, IMPU) and removes it', () => {
    const store = new RegistrationStore(() => 0);
    store.save(reg());
    store.save(reg({ expiresAt: 20_000 }));
    expect(store.all()).toHaveLength(1);
    expect(store.all()[0].expiresAt).toBe(20_000);
    expect(store.remove(flow, 'SIP:alice@ims.test'.toLowerCase())).toBe(true);
    expect(store.all()).toHaveLength(0);
  });

  it('removes every registration whose implicit set contains a terminated aor', () => {
    const store = new RegistrationStore(() => 0);
    store.save(reg());
    store.save(
      reg({
        flow: other,
        registeredImpu: 'sip:bob@ims.test',
        associatedUris: ['sip:bob@ims.test'],
      }),
    );
    const gone = store.removeAor('tel:+15551230001');
    expect(gone.map((r) => r.registeredImpu)).toEqual(['sip:alice@ims.test']);
    expect(store.all().map((r) => r.registeredImpu)).toEqual(['sip:bob@ims.test']);
  });

  it('keeps its indexes right across replacement, removal and expiry', () => {
    let now = 0;
    const store = new RegistrationStore(() => now);
    store.save(reg());
    // Re-registration from a new contact replaces the old one in every index.
    store.save(reg({ contacts: ['sip:alice@127.0.0.1:6000'] }));
    expect(store.byContact('sip:alice@127.0.0.1:5062')).toBeUndefined();
    expect(store.byContact('sip:ALICE@127.0.0.1:6000')).toBeUndefined(); // user part is case-sensitive
    expect(store.byContact('sip:alice@127.0.0.1:6000')?.registeredImpu).toBe('sip:alice@ims.test');
    expect(store.find(flow, 'sip:alice@IMS.test')?.contacts).toEqual(['sip:alice@127.0.0.1:6000']);
    expect(store.findAssociated(flow, 'tel:+1-555-123-0001')?.registeredImpu).toBe(
      'sip:alice@ims.test',
    );
    expect(store.findAssociated(other, 'tel:+15551230001')).toBeUndefined();
    // Thousands of UEs on one flow (SIPp on one socket) are found without scanning.
    for (let i = 0; i < 2000; i++) {
      store.save(
        reg({
          registeredImpu: `sip:u${i}@ims.test`,
          associatedUris: [`sip:u${i}@ims.test`],
          contacts: [`sip:u${i}@127.0.0.1:5062`],
        }),
      );
    }
    expect(store.byContact('sip:u1999@127.0.0.1:5062')?.registeredImpu).toBe('sip:u1999@ims.test');
    expect(store.removeAor('sip:u7@ims.test').map((r) => r.registeredImpu)).toEqual([
      'sip:u7@ims.test',
    ]);
    expect(store.find(flow, 'sip:u7@ims.test')).toBeUndefined();
    now = 20_000;
    expect(store.byContact('sip:u8@127.0.0.1:5062')).toBeUndefined();
    expect(store.all()).toHaveLength(0);
  });
});

describe('P-CSCF registration store expiry without look-ups', () => {
  afterEach(() => jest.useRealTimers());

  it('removes a registration when it expires even if nobody looks it up (RFC 3261 §10.3)', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const store = new RegistrationStore(() => Date.now());
    const removed: string[] = [];
    store.onRemoved((r) => removed.push(r.registeredImpu));
    store.save(reg({ expiresAt: Date.now() + 5_000 }));
    store.save(
      reg({
        registeredImpu: 'sip:bob@ims.test',
        associatedUris: ['sip:bob@ims.test'],
        contacts: ['sip:bob@127.0.0.1:5064'],
        flow: other,
        expiresAt: Date.now() + 60_000,
      }),
    );
    jest.advanceTimersByTime(4_000);
    expect(removed).toEqual([]);
    jest.advanceTimersByTime(2_000);
    expect(removed).toEqual(['sip:alice@ims.test']);
    jest.advanceTimersByTime(60_000);
    expect(removed).toEqual(['sip:alice@ims.test', 'sip:bob@ims.test']);
    store.close();
  });
});

describe('index keys (uriKey)', () => {
  it('is the URI itself for a canonical URI, so the index shares the stored string', () => {
    for (const u of ['sip:alice@ims.test', 'tel:+15551230001', 'sip:alice@127.0.0.1:5062'])
      expect(uriKey(u)).toBe(u);
  });

  it('puts RFC 3261 §19.1.4-equal URIs under one key and never joins different ports', () => {
    expect(uriKey('SIP:alice@IMS.Test;transport=udp')).toBe('sip:alice@ims.test');
    expect(uriKey('tel:+1-555-123-0001')).toBe('tel:+15551230001');
    expect(uriKey('sip:alice@ims.test:5060')).not.toBe(uriKey('sip:alice@ims.test'));
    expect(uriKey('sip:ims.test')).not.toBe(uriKey('sip:alice@ims.test'));
  });
});
