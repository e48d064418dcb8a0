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

  it('remembers the flow a Contact registered on (URI comparison of user, host, port)', () => {
    const t = new FlowTable();
    t.bindContact('sip:alice@Example.COM:5062;transport=udp', udp);
    expect(t.flowOfContact('sip:alice@example.com:5062')).toEqual(udp);
    expect(t.flowOfContact('sip:alice@example.com')).toBeUndefined();
    expect(t.flowOfContact('tel:+1555')).toBeUndefined();
  });
});
