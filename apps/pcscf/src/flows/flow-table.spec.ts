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
});
