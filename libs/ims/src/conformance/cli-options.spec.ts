import { parseHostPort, parseImsTestArgs, UsageError } from './cli-options';

describe('ims-test command line', () => {
  const base = ['--pcscf', '10.0.0.5:5070', '--subscribers', 'subs.json'];

  it('reads a full command line', () => {
    const o = parseImsTestArgs([
      ...base,
      '--transport',
      'TCP',
      '--suite',
      'registration',
      '--case',
      'reg.aka, reg.path',
      '--junit',
      'out/j.xml',
      '--html',
      'out/r.html',
      '--t1',
      '200',
      '--case-timeout',
      '90',
      '--max-expiry-wait',
      '30',
      '--domain',
      'ims.example.org',
      '--local-host',
      '10.0.0.9',
    ]);
    expect(o).toMatchObject({
      pcscf: { host: '10.0.0.5', port: 5070 },
      transport: 'TCP',
      source: { kind: 'file', path: 'subs.json' },
      suites: ['registration'],
      cases: ['reg.aka', 'reg.path'],
      junit: 'out/j.xml',
      html: 'out/r.html',
      t1Ms: 200,
      caseTimeoutMs: 90000,
      maxExpiryWaitS: 30,
      domain: 'ims.example.org',
      localHost: '10.0.0.9',
    });
  });

  it('defaults: UDP, every suite, T1 500 ms', () => {
    const o = parseImsTestArgs([
      '--pcscf',
      '127.0.0.1',
      '--provision',
      'http://127.0.0.1:8080/',
      '--token',
      't',
    ]);
    expect(o).toMatchObject({
      pcscf: { host: '127.0.0.1', port: 5060 },
      transport: 'UDP',
      suites: ['registration', 'calls'],
      source: { kind: 'provision', url: 'http://127.0.0.1:8080', token: 't' },
      t1Ms: 500,
    });
  });

  it.each([
    [[], /--pcscf HOST:PORT is required/],
    [['--pcscf', 'a:b:c', '--subscribers', 'x'], /--pcscf must be HOST:PORT/],
    [['--pcscf', 'h:0', '--subscribers', 'x'], /port must be 1\.\.65535/],
    [['--pcscf', 'h'], /subscribers needed/],
    [[...base, '--provision', 'http://x'], /either --provision or --subscribers/],
    [[...base, '--token', 't'], /--token goes with --provision/],
    [[...base, '--transport', 'sctp'], /--transport must be udp or tcp/],
    [[...base, '--suite', 'everything'], /--suite must be registration, calls or all/],
    [[...base, '--t1', 'fast'], /--t1 must be a whole number/],
    [[...base, '--local-host', 'myhost'], /--local-host must be an IP address/],
    [[...base, '--domain', 'bad domain'], /--domain must be a domain name/],
    [[...base, 'stray'], /Unexpected argument/],
    [['--pcscf', 'h', '--provision', 'not a url'], /must be an http\(s\) URL/],
  ])('refuses %j', (args, message) => {
    expect(() => parseImsTestArgs(args as string[])).toThrow(UsageError);
    expect(() => parseImsTestArgs(args as string[])).toThrow(message);
  });

  it('--help and --list need no target', () => {
    expect(parseImsTestArgs(['--help']).help).toBe(true);
    expect(parseImsTestArgs(['--list']).list).toBe(true);
  });

  it('reads IPv6 references and host names', () => {
    expect(parseHostPort('[::1]:5062')).toEqual({ host: '::1', port: 5062 });
    expect(parseHostPort('pcscf.example.org')).toEqual({ host: 'pcscf.example.org', port: 5060 });
  });
});
