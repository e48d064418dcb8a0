/**
 * The SIPp runner refuses unsafe or malformed arguments before SIPp starts: traffic from tests
 * and benchmarks goes to loopback only, bounded in count and time.
 */
import * as path from 'node:path';
import {
  checkSippOptions,
  isLoopback,
  parseSippCounts,
  SippArgumentError,
  sippArgs,
} from '../../scripts/sipp';

const scenario = path.join(__dirname, 'ims-aka-register.xml');
const ok = { scenario, target: { host: '127.0.0.1', port: 5060 }, calls: 10, timeoutSec: 30 };

describe('SIPp runner argument checks', () => {
  it.each(['127.0.0.1', '127.10.20.30', '::1', '[::1]', 'localhost'])(
    'accepts loopback %s',
    (h) => {
      expect(isLoopback(h)).toBe(true);
    },
  );

  it.each([
    '10.0.0.1',
    '192.168.1.1',
    '8.8.8.8',
    '128.0.0.1',
    '0.0.0.0',
    '::',
    'example.com',
    '127.0.0.256',
    '5000',
  ])('refuses non-loopback %s', (h) => {
    expect(isLoopback(h)).toBe(false);
    expect(() => checkSippOptions({ ...ok, target: { host: h, port: 5060 } })).toThrow(
      SippArgumentError,
    );
  });

  it('refuses a rate typed where the host belongs, and unbounded numbers', () => {
    expect(() => checkSippOptions({ ...ok, target: { host: '500', port: 5060 } })).toThrow(
      /loopback/,
    );
    expect(() => checkSippOptions({ ...ok, localHost: '192.168.0.2' })).toThrow(/local host/);
    expect(() => checkSippOptions({ ...ok, rate: 0 })).toThrow(/rate/);
    expect(() => checkSippOptions({ ...ok, rate: Number.NaN })).toThrow(/rate/);
    expect(() => checkSippOptions({ ...ok, calls: 0 })).toThrow(/calls/);
    expect(() => checkSippOptions({ ...ok, calls: 2_000_000 })).toThrow(/calls/);
    expect(() => checkSippOptions({ ...ok, timeoutSec: 0 })).toThrow(/timeoutSec/);
    expect(() => checkSippOptions({ ...ok, target: { host: '127.0.0.1', port: 70000 } })).toThrow(
      /port/,
    );
    expect(() => checkSippOptions({ ...ok, transport: 'x1' as never })).toThrow(/transport/);
    expect(() => checkSippOptions({ ...ok, authUri: 'a b' })).toThrow(/authUri/);
    expect(() => checkSippOptions({ ...ok, scenario: '/nonexistent.xml' })).toThrow(/scenario/);
  });

  it('builds a bounded command line that ends with the checked target', () => {
    const args = sippArgs({ ...ok, rate: 50, transport: 't1', authUri: 'ims.example' }, '/tmp');
    expect(args.slice(-1)).toEqual(['127.0.0.1:5060']);
    expect(args).toEqual(
      expect.arrayContaining([
        '-m',
        '10',
        '-r',
        '50',
        '-t',
        't1',
        '-timeout',
        '30s',
        '-timeout_error',
      ]),
    );
    expect(sippArgs({ ...ok, target: { host: '::1', port: 5060 } }, '/tmp').slice(-1)).toEqual([
      '[::1]:5060',
    ]);
  });

  it('reads the successful and failed counts of the final screen', () => {
    const screen = [
      '  Successful call        |        0                  |        7                 ',
      '  Failed call            |        0                  |        1                 ',
      '  Successful call        |        3                  |        9                 ',
      '  Failed call            |        0                  |        2                 ',
    ].join('\n');
    expect(parseSippCounts(screen)).toEqual({ successful: 9, failed: 2 });
  });
});
