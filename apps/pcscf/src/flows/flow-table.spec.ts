import { FlowTable, flowKey } from './flow-table';

describe('RFC 5626 flow tokens', () => {
  const udp = { transport: 'UDP' as const, host: '127.0.0.1', port: 5062 };
  const tcp = { transport: 'TCP' as const, host: '127.0.0.1', port: 5062 };

  it('gives one stable, opaque token per flow and maps it back', () => {
    const t = new FlowTable();
    const a = t.tokenFor(udp);
    expect(t.tokenFor({ ...udp })).toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(a).not.toContain('5062');
    const b = t.tokenFor(tcp);
    expect(b).not.toBe(a);
    expect(t.flow(a)).toEqual(udp);
    expect(t.flow(b)).toEqual(tcp);
  });

  it('knows no forged or forgotten token', () => {
    const t = new FlowTable();
    const a = t.tokenFor(udp);
    expect(t.flow('forged')).toBeUndefined();
    t.forget(udp);
    expect(t.flow(a)).toBeUndefined();
    expect(flowKey(udp)).not.toBe(flowKey(tcp));
  });

  it('derives the token from the flow (two tables, two keys) and takes back a foreign one', () => {
    const t = new FlowTable();
    const other = new FlowTable();
    expect(other.tokenFor(udp)).not.toBe(t.tokenFor(udp));
    // A restored registration's token, made by the previous process.
    const restored = new FlowTable();
    restored.adopt(udp, 'previousToken123');
    expect(restored.tokenFor(udp)).toBe('previousToken123');
    expect(restored.flow('previousToken123')).toEqual(udp);
    restored.forget(udp);
    expect(restored.flow('previousToken123')).toBeUndefined();
    const fresh = restored.tokenFor(udp);
    expect(fresh).not.toBe('previousToken123');
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(restored.flow(fresh)).toEqual(udp);
  });

  it('remembers the flow a Contact registered on (URI comparison of user, host, port)', () => {
    const t = new FlowTable();
    t.bindContact('sip:alice@Example.COM:5062;transport=udp', udp);
    expect(t.flowOfContact('sip:alice@example.com:5062')).toEqual(udp);
    expect(t.flowOfContact('sip:alice@example.com')).toBeUndefined();
    expect(t.flowOfContact('tel:+1555')).toBeUndefined();
  });
});

describe('flows and Contacts no registration uses any more', () => {
  const udp = { transport: 'UDP' as const, host: '127.0.0.1', port: 5062 };
  afterEach(() => jest.useRealTimers());

  it('are forgotten after the grace time, unless registered again before', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const t = new FlowTable(10_000, () => Date.now());
    const token = t.tokenFor(udp);
    t.bindContact('sip:alice@127.0.0.1:5062', udp);
    t.bindContact('sip:bob@127.0.0.1:5064', udp);
    t.release(udp, ['sip:alice@127.0.0.1:5062', 'sip:bob@127.0.0.1:5064'], true);
    jest.advanceTimersByTime(9_000);
    // Still known within the grace time (the last NOTIFY, a call's BYE).
    expect(t.flow(token)).toEqual(udp);
    expect(t.flowOfContact('sip:alice@127.0.0.1:5062')).toEqual(udp);
    // bob registers again on the same flow before the grace time ends.
    expect(t.tokenFor(udp)).toBe(token);
    t.bindContact('sip:bob@127.0.0.1:5064', udp);
    jest.advanceTimersByTime(2_000);
    expect(t.flowOfContact('sip:alice@127.0.0.1:5062')).toBeUndefined();
    expect(t.flowOfContact('sip:bob@127.0.0.1:5064')).toEqual(udp);
    expect(t.flow(token)).toEqual(udp);
    expect(t.size()).toEqual({ flows: 1, contacts: 1 });
    t.release(udp, ['sip:bob@127.0.0.1:5064'], true);
    jest.advanceTimersByTime(11_000);
    expect(t.flow(token)).toBeUndefined();
    expect(t.size()).toEqual({ flows: 0, contacts: 0 });
    t.close();
  });
});

describe('Contacts with a registration store to ask', () => {
  const udp = { transport: 'UDP' as const, host: '127.0.0.1', port: 5062 };
  afterEach(() => jest.useRealTimers());

  it('keeps only the released Contacts itself, for their grace time', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const registered = new Map<string, typeof udp>();
    const t = new FlowTable(
      10_000,
      () => Date.now(),
      (c) => registered.get(c),
    );
    t.tokenFor(udp);
    t.bindContact('sip:alice@127.0.0.1:5062', udp);
    registered.set('sip:alice@127.0.0.1:5062', udp);
    // Registered: the store answers, the table holds no entry of its own.
    expect(t.flowOfContact('sip:alice@127.0.0.1:5062')).toBe(udp);
    expect(t.size().contacts).toBe(0);
    // De-registered: the table remembers it for the grace time (the last NOTIFY).
    registered.clear();
    t.release(udp, ['sip:alice@127.0.0.1:5062'], true);
    expect(t.size().contacts).toBe(1);
    expect(t.flowOfContact('sip:alice@127.0.0.1:5062')).toEqual(udp);
    // Registered again: the store answers again and the table's entry goes.
    t.bindContact('sip:alice@127.0.0.1:5062', udp);
    expect(t.size().contacts).toBe(0);
    t.release(udp, ['sip:alice@127.0.0.1:5062'], true);
    jest.advanceTimersByTime(11_000);
    expect(t.flowOfContact('sip:alice@127.0.0.1:5062')).toBeUndefined();
    expect(t.size()).toEqual({ flows: 0, contacts: 0 });
    t.close();
  });
});
