import { ConfigError } from '@lib/ims';
import { loadIcscfConfig } from './icscf.config';

describe('I-CSCF configuration', () => {
  it('has the lab defaults of DESIGN.md', () => {
    const c = loadIcscfConfig({});
    expect(c).toMatchObject({
      domain: 'ims.mnc001.mcc001.3gppnetwork.org',
      sipHost: '127.0.0.1',
      sipPort: 4060,
      name: 'icscf.ims.mnc001.mcc001.3gppnetwork.org',
      hss: { host: '127.0.0.1', port: 3868 },
      diameterOriginHost: 'icscf.ims.mnc001.mcc001.3gppnetwork.org',
      scscfs: [{ uri: 'sip:scscf.ims.mnc001.mcc001.3gppnetwork.org:6060', capabilities: [] }],
      explainFailures: true,
      sipTrace: false,
    });
  });

  it('derives names from IMS_DOMAIN', () => {
    const c = loadIcscfConfig({ IMS_DOMAIN: 'ims.test' });
    expect(c.name).toBe('icscf.ims.test');
    expect(c.scscfs[0].uri).toBe('sip:scscf.ims.test:6060');
  });

  it.each([
    ['ICSCF_SCSCFS', 'scscf.ims.test:6060'],
    ['ICSCF_HSS', '127.0.0.1'],
    ['ICSCF_SIP_PORT', '70000'],
    ['IMS_HOSTS', 'scscf.ims.test'],
    ['IMS_EXPLAIN_FAILURES', 'perhaps'],
  ])('stops on a bad %s naming it', (name, value) => {
    expect(() => loadIcscfConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadIcscfConfig({ [name]: value })).toThrow(name);
  });
});
