import { randomHex } from './random-hex';
import { generateBranch, generateTag, MAGIC_COOKIE } from './via';

describe('randomHex (pooled CSPRNG octets for branches and tags)', () => {
  it('gives the asked number of octets as lower-case hex', () => {
    for (const n of [1, 4, 6, 8, 16, 5000])
      expect(randomHex(n)).toMatch(new RegExp(`^[0-9a-f]{${2 * n}}$`));
  });

  it('never hands out the same value twice across pool refills (RFC 3261 §8.1.1.7, §19.3)', () => {
    const seen = new Set<string>();
    // 20,000 x 8 octets = 160 KB: about forty refills of the 4 KB pool.
    for (let i = 0; i < 20_000; i++) seen.add(randomHex(8));
    expect(seen.size).toBe(20_000);
  });

  it('is not a constant stream: octet values spread over 0..255', () => {
    const counts = new Array<number>(256).fill(0);
    const hex = randomHex(4096);
    for (let i = 0; i < hex.length; i += 2) counts[parseInt(hex.slice(i, i + 2), 16)]++;
    // 4096 octets: about 16 per value; a broken pool (zeros, repeats) fails this by far.
    expect(counts.filter((c) => c === 0).length).toBeLessThan(10);
    expect(Math.max(...counts)).toBeLessThan(60);
  });

  it('generateBranch / generateTag draw from it', () => {
    expect(generateBranch()).toMatch(new RegExp(`^${MAGIC_COOKIE}[0-9a-f]{16}$`));
    expect(generateTag()).toMatch(/^[0-9a-f]{12}$/);
    expect(generateBranch()).not.toBe(generateBranch());
  });
});
