import { NonceCounter } from './nonce-counter';
import { DigestError } from './digest-error';

describe('NonceCounter (RFC 2617 §3.2.2 replay detection)', () => {
  it('accepts strictly increasing nc per nonce and rejects replays (clearwater Nonce-Count)', () => {
    const counter = new NonceCounter();
    const nonce = counter.issue('abc');
    expect(counter.check(nonce, '00000001')).toBe('ok');
    expect(counter.check(nonce, '00000002')).toBe('ok');
    expect(counter.check(nonce, '00000002')).toBe('replay');
    expect(counter.check(nonce, 1)).toBe('replay');
    expect(counter.check(nonce, '0000000a')).toBe('ok');
    expect(counter.check(nonce, 9)).toBe('replay');
  });

  it('counts each nonce separately', () => {
    const counter = new NonceCounter();
    counter.issue('a');
    counter.issue('b');
    expect(counter.check('a', 1)).toBe('ok');
    expect(counter.check('b', 1)).toBe('ok');
    expect(counter.check('a', 1)).toBe('replay');
  });

  it('does not know nonces it never issued or has forgotten', () => {
    const counter = new NonceCounter();
    expect(counter.check('never', 1)).toBe('unknown-nonce');
    counter.issue('x');
    counter.forget('x');
    expect(counter.check('x', 1)).toBe('unknown-nonce');
  });

  it('reports stale nonces after their lifetime (injected clock)', () => {
    let now = 1_000;
    const counter = new NonceCounter({ lifetimeMs: 30_000, now: () => now });
    counter.issue('n');
    now += 29_999;
    expect(counter.has('n')).toBe(true);
    expect(counter.check('n', 1)).toBe('ok');
    now += 1;
    expect(counter.has('n')).toBe(false);
    expect(counter.check('n', 2)).toBe('stale');
  });

  it('bounds memory by forgetting the oldest nonces', () => {
    const counter = new NonceCounter({ maxNonces: 2 });
    counter.issue('1');
    counter.issue('2');
    counter.issue('3');
    expect(counter.size).toBe(2);
    expect(counter.check('1', 1)).toBe('unknown-nonce');
    expect(counter.check('3', 1)).toBe('ok');
  });

  it('issues distinct random nonces', () => {
    const counter = new NonceCounter();
    const a = counter.issue();
    const b = counter.issue();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64')).toHaveLength(16);
  });

  it('rejects malformed nc values with a typed error', () => {
    const counter = new NonceCounter();
    counter.issue('n');
    expect(() => counter.check('n', '1')).toThrow(DigestError);
    expect(() => counter.check('n', '00000000')).toThrow(DigestError);
    expect(() => counter.check('n', 0)).toThrow(DigestError);
  });
});
