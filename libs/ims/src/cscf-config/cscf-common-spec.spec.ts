import { ConfigError, describeConfig, loadConfig } from '../config';
import {
  cscfCommonSpec,
  cscfCxSpec,
  cscfLogLevelVar,
  cscfOverload,
  coreTransportParam,
  DEFAULT_IMS_DOMAIN,
  defaultHttpPort,
} from './cscf-common-spec';

describe('cscfCommonSpec: the variables every CSCF reads the same way', () => {
  it('names the shared variables and the role-prefixed SIP listening point, in that order', () => {
    expect(describeConfig(cscfCommonSpec('ICSCF', 4060)).map(([env, def]) => [env, def])).toEqual([
      ['IMS_DOMAIN', JSON.stringify(DEFAULT_IMS_DOMAIN)],
      ['IMS_HOSTS', '{}'],
      ['IMS_CORE_TRANSPORT', '"TCP"'],
      ['SIP_TRACE', 'false'],
      ['IMS_EXPLAIN_FAILURES', 'true'],
      ['ICSCF_SIP_HOST', '"127.0.0.1"'],
      ['ICSCF_SIP_PORT', '4060'],
      ['ICSCF_HTTP_HOST', '(derived)'],
      ['ICSCF_HTTP_PORT', '(derived)'],
      ['ICSCF_LOG_FORMAT', '"json"'],
      ['ICSCF_MAX_PENDING_TRANSACTIONS', '1000'],
      ['ICSCF_MAX_EVENT_LOOP_LAG_MS', '0'],
      ['ICSCF_OVERLOAD_RETRY_AFTER', '5'],
      ['DIAMETER_TRACE', 'false'],
    ]);
    // The P-CSCF has no Diameter: no DIAMETER_TRACE.
    expect(describeConfig(cscfCommonSpec('PCSCF', 5060)).map(([env]) => env)).not.toContain(
      'DIAMETER_TRACE',
    );
  });

  it.each([
    ['PCSCF', 5060, 9060],
    ['ICSCF', 4060, 8060],
    ['SCSCF', 6060, 10060],
  ] as const)(
    '%s serves HTTP on its SIP port + 4000 by default (%d -> %d)',
    (prefix, sip, http) => {
      expect(loadConfig(cscfCommonSpec(prefix, sip), {}).httpPort).toBe(http);
      expect(defaultHttpPort(sip)).toBe(http);
    },
  );

  it('moves the HTTP port with the SIP port, ephemeral with an ephemeral SIP port', () => {
    const spec = cscfCommonSpec('SCSCF', 6060);
    expect(loadConfig(spec, { SCSCF_SIP_PORT: '45000' }).httpPort).toBe(49000);
    expect(loadConfig(spec, { SCSCF_SIP_PORT: '0' }).httpPort).toBe(0);
    expect(loadConfig(spec, { SCSCF_SIP_PORT: '62000' }).httpPort).toBe(0);
    expect(loadConfig(spec, { SCSCF_SIP_PORT: '45000', SCSCF_HTTP_PORT: '9999' }).httpPort).toBe(
      9999,
    );
    expect(loadConfig(spec, { SCSCF_SIP_HOST: '::1' }).httpHost).toBe('::1');
    expect(
      loadConfig(spec, { SCSCF_SIP_HOST: '10.0.0.1', SCSCF_HTTP_HOST: '0.0.0.0' }).httpHost,
    ).toBe('0.0.0.0');
  });

  it('reads IMS_CORE_TRANSPORT as tcp or udp (any case), rejects another, and gives the URI parameter', () => {
    const spec = cscfCommonSpec('PCSCF', 5060);
    expect(loadConfig(spec, { IMS_CORE_TRANSPORT: 'TCP' }).coreTransport).toBe('TCP');
    expect(loadConfig(spec, { IMS_CORE_TRANSPORT: 'Udp' }).coreTransport).toBe('UDP');
    expect(() => loadConfig(spec, { IMS_CORE_TRANSPORT: 'sctp' })).toThrow(/IMS_CORE_TRANSPORT/);
    expect(coreTransportParam({ coreTransport: 'TCP' })).toBe(';transport=tcp');
    expect(coreTransportParam({ coreTransport: 'UDP' })).toBe('');
  });

  it('has the lab defaults', () => {
    const c = loadConfig(cscfCommonSpec('PCSCF', 5060), {});
    expect(c).toEqual({
      domain: 'ims.mnc001.mcc001.3gppnetwork.org',
      hosts: new Map(),
      coreTransport: 'TCP',
      sipTrace: false,
      explainFailures: true,
      sipHost: '127.0.0.1',
      sipPort: 5060,
      httpHost: '127.0.0.1',
      httpPort: 9060,
      logFormat: 'json',
      maxPendingTransactions: 1000,
      maxEventLoopLagMs: 0,
      overloadRetryAfter: 5,
    });
  });

  it('reads each variable from the environment, the listening point under the role prefix', () => {
    const c = loadConfig(cscfCommonSpec('SCSCF', 6060), {
      IMS_DOMAIN: 'ims.example.org',
      IMS_HOSTS: 'hss.ims.example.org=::1',
      IMS_CORE_TRANSPORT: 'udp',
      SIP_TRACE: 'true',
      IMS_EXPLAIN_FAILURES: 'false',
      SCSCF_SIP_HOST: '::1',
      SCSCF_SIP_PORT: '0',
      PCSCF_SIP_PORT: '1',
      SCSCF_LOG_FORMAT: 'text',
      DIAMETER_TRACE: 'true',
      SCSCF_MAX_PENDING_TRANSACTIONS: '50',
      SCSCF_MAX_EVENT_LOOP_LAG_MS: '250',
      SCSCF_OVERLOAD_RETRY_AFTER: '2',
    });
    expect(c).toEqual({
      domain: 'ims.example.org',
      hosts: new Map([['hss.ims.example.org', '::1']]),
      coreTransport: 'UDP',
      sipTrace: true,
      explainFailures: false,
      sipHost: '::1',
      sipPort: 0,
      httpHost: '::1',
      httpPort: 0,
      logFormat: 'text',
      diameterTrace: true,
      maxPendingTransactions: 50,
      maxEventLoopLagMs: 250,
      overloadRetryAfter: 2,
    });
    expect(cscfOverload(c)).toEqual({
      maxPendingServerTransactions: 50,
      maxEventLoopLagMs: 250,
      retryAfter: 2,
    });
  });

  it.each([
    ['SCSCF_SIP_PORT', '70000'],
    ['SCSCF_SIP_HOST', 'not a host'],
    ['SIP_TRACE', 'maybe'],
    ['SCSCF_HTTP_PORT', '-1'],
    ['SCSCF_LOG_FORMAT', 'xml'],
    ['DIAMETER_TRACE', 'sometimes'],
    ['SCSCF_MAX_PENDING_TRANSACTIONS', '-1'],
    ['SCSCF_OVERLOAD_RETRY_AFTER', 'soon'],
  ])('stops on a bad %s naming it', (name, value) => {
    const load = () => loadConfig(cscfCommonSpec('SCSCF', 6060), { [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(name);
  });

  it('<PREFIX>_LOG_LEVEL defaults to log and accepts only Nest level names', () => {
    const spec = { logLevel: cscfLogLevelVar('PCSCF') };
    expect(loadConfig(spec, {}).logLevel).toBe('log');
    expect(loadConfig(spec, { PCSCF_LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(() => loadConfig(spec, { PCSCF_LOG_LEVEL: 'loud' })).toThrow('PCSCF_LOG_LEVEL');
  });
});

describe('cscfCxSpec: the Cx client variables of the I- and S-CSCF', () => {
  const withDomain = (prefix: 'ICSCF' | 'SCSCF') => ({
    domain: cscfCommonSpec(prefix, 0).domain,
    ...cscfCxSpec(prefix),
  });

  it.each([
    ['ICSCF', 'I-CSCF', 'icscf'],
    ['SCSCF', 'S-CSCF', 'scscf'],
  ] as const)(
    '%s: names, lab defaults, Origin-Host derived from the domain',
    (prefix, title, role) => {
      expect(describeConfig(cscfCxSpec(prefix)).map(([env, , doc]) => [env, doc])).toEqual([
        [`${prefix}_HSS`, 'HSS Cx address host:port'],
        [`${prefix}_DIAMETER_ORIGIN_HOST`, `Diameter Origin-Host of the ${title}`],
        [`${prefix}_HSS_TIMEOUT_MS`, 'Cx request timeout in ms'],
        [`${prefix}_RETRY_AFTER`, 'Retry-After seconds on 480 when the HSS is unreachable'],
      ]);
      expect(loadConfig(withDomain(prefix), { IMS_DOMAIN: 'ims.example.org' })).toEqual({
        domain: 'ims.example.org',
        hss: { host: '127.0.0.1', port: 3868 },
        diameterOriginHost: `${role}.ims.example.org`,
        hssTimeoutMs: 3000,
        retryAfter: 30,
      });
    },
  );

  it('reads each variable and names a bad one', () => {
    const c = loadConfig(withDomain('SCSCF'), {
      SCSCF_HSS: '[::1]:3869',
      SCSCF_DIAMETER_ORIGIN_HOST: 'cx.example.org',
      SCSCF_HSS_TIMEOUT_MS: '500',
      SCSCF_RETRY_AFTER: '0',
    });
    expect(c).toMatchObject({
      hss: { host: '::1', port: 3869 },
      diameterOriginHost: 'cx.example.org',
      hssTimeoutMs: 500,
      retryAfter: 0,
    });
    expect(() => loadConfig(withDomain('ICSCF'), { ICSCF_HSS_TIMEOUT_MS: '0' })).toThrow(
      'ICSCF_HSS_TIMEOUT_MS',
    );
  });
});
