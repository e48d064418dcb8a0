import { ConfigError } from '@lib/ims';
import { loadPcscfConfig } from './pcscf.config';

describe('P-CSCF configuration', () => {
  it('has the lab defaults of DESIGN.md', () => {
    const c = loadPcscfConfig({});
    expect(c).toMatchObject({
      sipHost: '127.0.0.1',
      sipPort: 5060,
      name: 'pcscf.ims.mnc001.mcc001.3gppnetwork.org',
      visitedNetworkId: 'ims.mnc001.mcc001.3gppnetwork.org',
      explainFailures: true,
      subscribeRegEvent: true,
      regEventExpires: 600000,
    });
    expect([...c.icscfs]).toEqual([
      ['ims.mnc001.mcc001.3gppnetwork.org', { host: '127.0.0.1', port: 4060 }],
    ]);
  });

  it('maps home domains to I-CSCFs from PCSCF_ICSCF', () => {
    const c = loadPcscfConfig({ PCSCF_ICSCF: 'a.test=127.0.0.1:4061,B.test=[::1]:4062' });
    expect(c.icscfs.get('b.test')).toEqual({ host: '::1', port: 4062 });
  });

  it.each([
    ['PCSCF_ICSCF', 'a.test=127.0.0.1'],
    ['PCSCF_SIP_PORT', '-1'],
    ['PCSCF_NAME', 'not a host'],
    ['IMS_HOSTS', 'x'],
  ])('stops on a bad %s naming it', (name, value) => {
    expect(() => loadPcscfConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadPcscfConfig({ [name]: value })).toThrow(name);
  });
});
