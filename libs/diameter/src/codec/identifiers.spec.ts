import {
  EndToEndIdGenerator,
  HopByHopIdGenerator,
  SessionIdGenerator,
  createSessionId,
} from './identifiers';

describe('RFC 6733 §3 identifiers and §8.8 Session-Id', () => {
  it('End-to-End: high 12 bits from the time, low 20 bits incrementing', () => {
    const now = 1_700_000_123_456;
    const g = new EndToEndIdGenerator(() => now);
    const a = g.next();
    const b = g.next();
    expect(a >>> 20).toBe(Math.floor(now / 1000) & 0xfff);
    expect(b >>> 20).toBe(a >>> 20);
    expect((b & 0xfffff) - (a & 0xfffff)).toBe((a & 0xfffff) === 0xfffff ? -0xfffff : 1);
  });
  it('End-to-End identifiers stay unique over many requests', () => {
    const g = new EndToEndIdGenerator();
    const seen = new Set(Array.from({ length: 50000 }, () => g.next()));
    expect(seen.size).toBe(50000);
  });
  it('Hop-by-Hop identifiers are unique 32-bit values', () => {
    const g = new HopByHopIdGenerator();
    const ids = Array.from({ length: 1000 }, () => g.next());
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id >>> 0).toBe(id);
  });
  it('Session-Id is <DiameterIdentity>;<high 32>;<low 32>[;<optional>], high = NTP seconds at start', () => {
    const g = new SessionIdGenerator(() => Date.UTC(2026, 0, 1));
    const high = Date.UTC(2026, 0, 1) / 1000 + 2208988800;
    expect(g.next('scscf.ims.example')).toBe(`scscf.ims.example;${high};1`);
    expect(g.next('scscf.ims.example', 'reg')).toBe(`scscf.ims.example;${high};2;reg`);
    expect(createSessionId('a')).not.toBe(createSessionId('a'));
  });
});
