import { ConfigError, ConfigSpec, describeConfig, loadConfig, parse } from './index';

interface Demo {
  domain: string;
  port: number;
  realm: string;
  trace: boolean;
  peers: string[];
  icscfs: Map<string, { host: string; port: number }>;
}

const spec: ConfigSpec<Demo> = {
  domain: { env: 'IMS_DOMAIN', doc: 'home domain', default: 'ims.example', parse: parse.host },
  port: { env: 'X_PORT', doc: 'port', default: 5060, parse: parse.port },
  realm: { env: 'X_REALM', doc: 'realm', default: (r) => `realm.${r.domain}`, parse: parse.str },
  trace: { env: 'X_TRACE', doc: 'trace', default: false, parse: parse.bool },
  peers: { env: 'X_PEERS', doc: 'peers', default: [], parse: parse.list() },
  icscfs: { env: 'X_ICSCFS', doc: 'map', default: new Map(), parse: parse.map(parse.hostPort) },
};

describe('loadConfig', () => {
  it('applies defaults, derived defaults and overrides', () => {
    const c = loadConfig(spec, { IMS_DOMAIN: 'ims.test' }, { trace: true });
    expect(c).toMatchObject({
      domain: 'ims.test',
      port: 5060,
      realm: 'realm.ims.test',
      trace: true,
      peers: [],
    });
  });

  it('parses every kind of value', () => {
    const c = loadConfig(spec, {
      X_PORT: '0',
      X_TRACE: 'yes',
      X_PEERS: 'a, b,,c',
      X_ICSCFS: 'Home.Example=127.0.0.1:4060,other=[::1]:4061',
    });
    expect(c.port).toBe(0);
    expect(c.trace).toBe(true);
    expect(c.peers).toEqual(['a', 'b', 'c']);
    expect(c.icscfs.get('home.example')).toEqual({ host: '127.0.0.1', port: 4060 });
    expect(c.icscfs.get('other')).toEqual({ host: '::1', port: 4061 });
  });

  it.each([
    ['X_PORT', '70000', /X_PORT must be <= 65535/],
    ['X_PORT', '50a', /X_PORT must be an integer/],
    ['X_TRACE', 'maybe', /X_TRACE must be true or false/],
    ['X_ICSCFS', 'home=127.0.0.1', /X_ICSCFS must be host:port/],
    ['IMS_DOMAIN', 'bad domain!', /IMS_DOMAIN must be an IP address or a host name/],
  ])('names the variable when %s=%s is bad', (name, value, message) => {
    expect(() => loadConfig(spec, { [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig(spec, { [name]: value })).toThrow(message);
  });

  it('stops on a required variable that is missing', () => {
    const required: ConfigSpec<{ token: string }> = {
      token: { env: 'TOKEN', doc: 'token', parse: parse.str },
    };
    expect(() => loadConfig(required, {})).toThrow('configuration: TOKEN is required');
  });

  it('describes the variables for the documentation', () => {
    const rows = describeConfig(spec);
    expect(rows.map((r) => r[0])).toEqual([
      'IMS_DOMAIN',
      'X_PORT',
      'X_REALM',
      'X_TRACE',
      'X_PEERS',
      'X_ICSCFS',
    ]);
    expect(rows[2][1]).toBe('(derived)');
  });
});
