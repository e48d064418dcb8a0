import { ConfigError } from '@lib/ims';
import { loadHssConfig } from './hss-config-spec';

describe('HSS configuration (namespace hss)', () => {
  it('applies the defaults of DESIGN.md, derived from IMS_DOMAIN', () => {
    expect(loadHssConfig({})).toEqual({
      imsDomain: 'ims.mnc001.mcc001.3gppnetwork.org',
      restHost: '127.0.0.1',
      restPort: 8080,
      diameterHost: '127.0.0.1',
      diameterPort: 3868,
      diameterOriginHost: 'hss.ims.mnc001.mcc001.3gppnetwork.org',
      diameterRealm: 'ims.mnc001.mcc001.3gppnetwork.org',
      diameterAllowedPeers: [],
      diameterWatchdogMs: 30000,
      allowedVisitedNetworks: [],
      dbType: 'sqlite',
      dbPath: './data/hss.sqlite',
      dbUrl: undefined,
      apiToken: undefined,
      scscfNames: ['sip:scscf.ims.mnc001.mcc001.3gppnetwork.org:6060'],
      seedDemo: false,
      logFormat: 'json',
      logLevel: 'log',
      diameterTrace: false,
      maxPendingCx: 1000,
      attemptsMaxRows: 20000,
    });
  });

  it('reads every variable; overrides beat the environment', () => {
    const c = loadHssConfig(
      {
        IMS_DOMAIN: 'ims.example.org',
        HSS_REST_PORT: '0',
        HSS_DIAMETER_PORT: '3869',
        HSS_DIAMETER_ALLOWED_PEERS: 'icscf.ims.example.org, scscf.ims.example.org',
        HSS_DB_TYPE: 'postgres',
        HSS_DB_URL: 'postgres://hss:pw@db:5432/hss',
        HSS_API_TOKEN: 'tok',
        HSS_SCSCF_NAMES: 'sip:s1.ims.example.org:6060,sip:s2.ims.example.org',
        HSS_SEED_DEMO: 'true',
      },
      { diameterPort: 0 },
    );
    expect(c).toMatchObject({
      imsDomain: 'ims.example.org',
      diameterOriginHost: 'hss.ims.example.org',
      diameterRealm: 'ims.example.org',
      restPort: 0,
      diameterPort: 0,
      diameterAllowedPeers: ['icscf.ims.example.org', 'scscf.ims.example.org'],
      dbType: 'postgres',
      dbUrl: 'postgres://hss:pw@db:5432/hss',
      apiToken: 'tok',
      scscfNames: ['sip:s1.ims.example.org:6060', 'sip:s2.ims.example.org'],
      seedDemo: true,
    });
  });

  it.each([
    ['HSS_REST_PORT', '70000', 'configuration: HSS_REST_PORT must be <= 65535 (got "70000")'],
    ['HSS_DIAMETER_PORT', 'x', 'configuration: HSS_DIAMETER_PORT must be an integer (got "x")'],
    [
      'HSS_DB_TYPE',
      'mysql',
      'configuration: HSS_DB_TYPE must be one of sqlite, postgres (got "mysql")',
    ],
    [
      'HSS_DB_URL',
      'mysql://x',
      'configuration: HSS_DB_URL must be a postgres:// URL (got "mysql://x")',
    ],
    ['HSS_SEED_DEMO', 'maybe', 'configuration: HSS_SEED_DEMO must be true or false (got "maybe")'],
    [
      'HSS_SCSCF_NAMES',
      'scscf.example',
      'configuration: HSS_SCSCF_NAMES must be a sip: or sips: URI (got "scscf.example")',
    ],
    [
      'HSS_DIAMETER_ALLOWED_PEERS',
      'a b',
      'configuration: HSS_DIAMETER_ALLOWED_PEERS must be an IP address or a host name (got "a b")',
    ],
    [
      'HSS_LOG_FORMAT',
      'xml',
      'configuration: HSS_LOG_FORMAT must be one of json, text (got "xml")',
    ],
  ])('names the bad variable %s=%s', (name, value, message) => {
    expect(() => loadHssConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadHssConfig({ [name]: value })).toThrow(message);
  });

  it('needs HSS_DB_URL for postgres', () => {
    expect(() => loadHssConfig({ HSS_DB_TYPE: 'postgres' })).toThrow(
      'configuration: HSS_DB_URL is required when HSS_DB_TYPE=postgres',
    );
  });
});
