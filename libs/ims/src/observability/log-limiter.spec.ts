import { LogLimiter } from './log-limiter';

describe('LogLimiter', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('logs the first event of a key, counts the rest of the window, then logs with the count', () => {
    const l = new LogLimiter(60_000, 16, clock);
    expect(l.take('127.0.0.1')).toBe('');
    now += 1_000;
    expect(l.take('127.0.0.1')).toBeUndefined();
    now += 1_000;
    expect(l.take('127.0.0.1')).toBeUndefined();
    // Another key has its own window.
    expect(l.take('10.0.0.9')).toBe('');
    now += 60_000;
    expect(l.take('127.0.0.1')).toBe(' (2 more in the last 62 s not logged)');
    // The window starts again at the logged event.
    now += 1_000;
    expect(l.take('127.0.0.1')).toBeUndefined();
  });

  it('logs again after the window when nothing was suppressed, without a count', () => {
    const l = new LogLimiter(10_000, 16, clock);
    expect(l.take('a')).toBe('');
    now += 10_000;
    expect(l.take('a')).toBe('');
  });

  it('forgets the oldest key beyond maxKeys, so a forgotten key logs at once', () => {
    const l = new LogLimiter(60_000, 2, clock);
    expect(l.take('a')).toBe('');
    expect(l.take('b')).toBe('');
    expect(l.take('c')).toBe(''); // 'a' forgotten
    expect(l.take('b')).toBeUndefined();
    expect(l.take('a')).toBe('');
  });
});
