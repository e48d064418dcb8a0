import { ConfigError, loadConfig } from '../config';
import {
  HostResolutionError,
  ImsHosts,
  defaultImsHosts,
  imsHostsVar,
  parseImsHosts,
} from './index';

const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';

describe('IMS_HOSTS static host map', () => {
  it('parses name=ip pairs (IPv4, IPv6 with or without brackets), names lower-cased', () => {
    const m = parseImsHosts(' PCSCF.ims.test=10.0.0.1, scscf.ims.test=[::1],hss.ims.test=::1 ,');
    expect([...m]).toEqual([
      ['pcscf.ims.test', '10.0.0.1'],
      ['scscf.ims.test', '::1'],
      ['hss.ims.test', '::1'],
    ]);
  });

  it.each([
    ['pcscf.ims.test', /must be name=ip/],
    ['=127.0.0.1', /must be name=ip/],
    ['pcscf.ims.test=pcscf.other', /is not an IP address/],
    ['bad name!=127.0.0.1', /is not a host name/],
  ])('rejects %s', (raw, message) => {
    expect(() => parseImsHosts(raw)).toThrow(message);
  });

  it('names IMS_HOSTS when loaded through loadConfig with a bad value', () => {
    expect(() => loadConfig({ hosts: imsHostsVar }, { IMS_HOSTS: 'x=y' })).toThrow(ConfigError);
    expect(() => loadConfig({ hosts: imsHostsVar }, { IMS_HOSTS: 'x=y' })).toThrow(/IMS_HOSTS/);
  });

  it('maps the domain elements and the domain to 127.0.0.1 by default', () => {
    expect([...defaultImsHosts(DOMAIN).keys()]).toEqual([
      `pcscf.${DOMAIN}`,
      `icscf.${DOMAIN}`,
      `scscf.${DOMAIN}`,
      `hss.${DOMAIN}`,
      DOMAIN,
    ]);
    const hosts = new ImsHosts(DOMAIN);
    expect(hosts.resolve(`SCSCF.${DOMAIN}`)).toBe('127.0.0.1');
    expect(hosts.resolve(DOMAIN)).toBe('127.0.0.1');
  });

  it('lets explicit entries override and extend the defaults', () => {
    const hosts = new ImsHosts(DOMAIN, parseImsHosts(`scscf.${DOMAIN}=::1,as.example=127.0.0.2`));
    expect(hosts.resolve(`scscf.${DOMAIN}`)).toBe('::1');
    expect(hosts.resolve('as.example')).toBe('127.0.0.2');
    expect(hosts.resolve(`icscf.${DOMAIN}`)).toBe('127.0.0.1');
  });

  it('passes IP literals through and refuses unknown names with a typed error', () => {
    const hosts = new ImsHosts(DOMAIN);
    expect(hosts.resolve('192.0.2.7')).toBe('192.0.2.7');
    expect(hosts.resolve('[::1]')).toBe('::1');
    expect(() => hosts.resolve('unknown.example')).toThrow(HostResolutionError);
  });

  it('resolves SIP URIs: port, default 5060/5061, transport parameter', () => {
    const hosts = new ImsHosts(DOMAIN);
    expect(hosts.resolveUri(`sip:scscf.${DOMAIN}:6060;lr`)).toEqual({
      address: '127.0.0.1',
      port: 6060,
    });
    expect(hosts.resolveUri(`sip:orig@scscf.${DOMAIN};lr;transport=TCP`)).toEqual({
      address: '127.0.0.1',
      port: 5060,
      transport: 'tcp',
    });
    expect(hosts.resolveUri('sips:[::1]')).toEqual({ address: '::1', port: 5061 });
    expect(() => hosts.resolveUri('tel:+15551230001')).toThrow(/not a sip/);
    expect(() => hosts.resolveUri('sip:nowhere.example')).toThrow(HostResolutionError);
  });
});

describe('ImsHosts.destination', () => {
  it('sends over the URI transport, else the default (the core transport); refuses another', () => {
    const hosts = new ImsHosts(DOMAIN);
    expect(hosts.destination(`sip:scscf.${DOMAIN}:6060`, 'TCP')).toEqual({
      host: '127.0.0.1',
      port: 6060,
      transport: 'TCP',
    });
    expect(hosts.destination(`sip:scscf.${DOMAIN}:6060;transport=udp`, 'TCP').transport).toBe(
      'UDP',
    );
    expect(hosts.destination(`sip:scscf.${DOMAIN}:6060`, 'UDP').transport).toBe('UDP');
    expect(() => hosts.destination(`sip:scscf.${DOMAIN};transport=sctp`, 'TCP')).toThrow(
      /transport=sctp is not supported/,
    );
  });
});

describe('ImsHosts.toStackHostMap', () => {
  it('gives every entry to the SIP stack resolver with port 5060', () => {
    const map = new ImsHosts('ims.test', parseImsHosts('as.example=::1')).toStackHostMap();
    expect(map['scscf.ims.test']).toEqual({ host: '127.0.0.1', port: 5060 });
    expect(map['as.example']).toEqual({ host: '::1', port: 5060 });
  });
});
