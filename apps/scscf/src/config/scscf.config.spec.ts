import { ConfigError } from '@lib/ims';
import { loadScscfConfig } from './scscf.config';

describe('S-CSCF configuration', () => {
  it('has the lab defaults', () => {
    const c = loadScscfConfig({});
    expect(c).toMatchObject({
      domain: 'ims.mnc001.mcc001.3gppnetwork.org',
      sipHost: '127.0.0.1',
      sipPort: 6060,
      name: 'sip:scscf.ims.mnc001.mcc001.3gppnetwork.org:6060',
      hss: { host: '127.0.0.1', port: 3868 },
      diameterOriginHost: 'scscf.ims.mnc001.mcc001.3gppnetwork.org',
      minExpires: 60,
      maxExpires: 600000,
      defaultExpires: 3600,
      nonceLifetime: 30,
      defaultAuthScheme: '',
      regEventExpires: 600000,
      explainFailures: true,
      sipTrace: false,
    });
  });

  it('derives names from IMS_DOMAIN and reads every variable', () => {
    const c = loadScscfConfig({
      IMS_DOMAIN: 'ims.example.org',
      SCSCF_SIP_PORT: '0',
      SCSCF_HSS: '[::1]:3869',
      SCSCF_MIN_EXPIRES: '5',
      SCSCF_DEFAULT_AUTH_SCHEME: 'SIP Digest',
      IMS_EXPLAIN_FAILURES: 'false',
    });
    expect(c.name).toBe('sip:scscf.ims.example.org:6060');
    expect(c.diameterOriginHost).toBe('scscf.ims.example.org');
    expect(c.sipPort).toBe(0);
    expect(c.hss).toEqual({ host: '::1', port: 3869 });
    expect(c.minExpires).toBe(5);
    expect(c.defaultAuthScheme).toBe('SIP Digest');
    expect(c.explainFailures).toBe(false);
  });

  it.each([
    ['SCSCF_SIP_PORT', '70000'],
    ['SCSCF_HSS', 'nohostport'],
    ['SCSCF_NAME', 'scscf.example.org'],
    ['SCSCF_MIN_EXPIRES', 'soon'],
    ['SCSCF_DEFAULT_AUTH_SCHEME', 'MD5'],
    ['SCSCF_NONCE_LIFETIME', '0'],
    ['SCSCF_ICSCFS', 'ims.example.org'],
    ['SCSCF_ENUM', '1555=ims.example.org'],
    ['SCSCF_ENUM', '+1555=not a host'],
    ['SCSCF_BREAKOUT', 'bgcf.example.org'],
    ['SCSCF_AS_TIMEOUT_MS', '0'],
  ])('stops on a bad %s, naming it', (name, value) => {
    expect(() => loadScscfConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadScscfConfig({ [name]: value })).toThrow(name);
  });

  it('reads the routing variables (I-CSCFs, ENUM map, breakout, AS timeout)', () => {
    const d = loadScscfConfig({});
    expect([...d.icscfs]).toEqual([
      ['ims.mnc001.mcc001.3gppnetwork.org', { host: '127.0.0.1', port: 4060 }],
    ]);
    expect(d.enumMap.size).toBe(0);
    expect(d.breakout).toBe('');
    expect(d.asTimeoutMs).toBe(2000);
    const c = loadScscfConfig({
      SCSCF_ICSCFS: 'a.example=127.0.0.1:4060, b.example=[::1]:4061',
      SCSCF_ENUM: '+1555=a.example,+15551=b.example',
      SCSCF_BREAKOUT: 'sip:bgcf.a.example:5070',
      SCSCF_AS_TIMEOUT_MS: '500',
    });
    expect(c.icscfs.get('b.example')).toEqual({ host: '::1', port: 4061 });
    expect([...c.enumMap]).toEqual([
      ['+1555', 'a.example'],
      ['+15551', 'b.example'],
    ]);
    expect(c.breakout).toBe('sip:bgcf.a.example:5070');
    expect(c.asTimeoutMs).toBe(500);
  });

  it('trusts the own I-CSCF and pcscf.<domain>:5060 by default (SCSCF_TRUSTED_PEERS)', () => {
    const d = loadScscfConfig({ IMS_DOMAIN: 'a.example', SCSCF_ICSCFS: 'A.example=10.0.0.2:4070' });
    expect(d.trustedPeers).toEqual([
      { kind: 'host', host: '10.0.0.2', port: 4070 },
      { kind: 'host', host: 'pcscf.a.example', port: 5060 },
    ]);
    expect(loadScscfConfig({ SCSCF_TRUSTED_PEERS: '10.0.0.0/8' }).trustedPeers).toEqual([
      { kind: 'subnet', address: '10.0.0.0', prefix: 8 },
    ]);
    expect(() => loadScscfConfig({ SCSCF_TRUSTED_PEERS: 'a b' })).toThrow(/SCSCF_TRUSTED_PEERS/);
    expect(d.authMaxFailures).toBe(5);
  });

  it('lets overrides win over the environment', () => {
    expect(loadScscfConfig({ SCSCF_MIN_EXPIRES: '90' }, { minExpires: 1 }).minExpires).toBe(1);
  });
});
