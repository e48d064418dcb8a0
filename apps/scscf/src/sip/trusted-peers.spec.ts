import { ImsHosts } from '@lib/ims';
import { createRequest, type IncomingContext } from '@lib/sip';
import { parseTrustedPeers, TrustedPeers } from './trusted-peers';

const DOMAIN = 'ims.example';

function register(viaSentBy: string) {
  return createRequest({
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
    headers: [
      ['Via', `SIP/2.0/UDP ${viaSentBy};branch=z9hG4bK-${Math.random().toString(36).slice(2)}`],
      ['Max-Forwards', '70'],
      ['From', `<sip:u@${DOMAIN}>;tag=1`],
      ['To', `<sip:u@${DOMAIN}>`],
      ['Call-ID', 'c1'],
      ['CSeq', '1 REGISTER'],
    ],
  });
}

function from(host: string, port: number, reliable = false): IncomingContext {
  return {
    source: { host, port, transport: reliable ? 'TCP' : 'UDP' },
    local: { host: '127.0.0.1', port: 6060 },
    reliable,
  };
}

describe('SCSCF_TRUSTED_PEERS', () => {
  it('parses host:port, names, [v6]:port, CIDRs and *', () => {
    expect(parseTrustedPeers('icscf.ims.example:4060, 10.0.0.0/8,[::1]:4060, 192.0.2.7,*')).toEqual(
      [
        { kind: 'host', host: 'icscf.ims.example', port: 4060 },
        { kind: 'subnet', address: '10.0.0.0', prefix: 8 },
        { kind: 'host', host: '::1', port: 4060 },
        { kind: 'host', host: '192.0.2.7', port: undefined },
        { kind: 'any' },
      ],
    );
  });

  it.each(['', 'a b', '10.0.0.0/33', '10.0.0.300/8', 'host:0', 'host:port'])('refuses %j', (raw) =>
    expect(() => parseTrustedPeers(raw)).toThrow(),
  );

  it('a name not in IMS_HOSTS stops the boot naming the variable', () => {
    expect(
      () => new TrustedPeers(parseTrustedPeers('nowhere.example:4060'), new ImsHosts(DOMAIN)),
    ).toThrow(/SCSCF_TRUSTED_PEERS/);
  });

  describe('host:port (the I-CSCF on a shared loopback address)', () => {
    const peers = new TrustedPeers(
      parseTrustedPeers(`icscf.${DOMAIN}:4060`),
      new ImsHosts(DOMAIN), // icscf.<domain> -> 127.0.0.1
    );

    it('accepts the I-CSCF: its address, its Via (name or IP), over UDP from its port', () => {
      expect(peers.refusal(register(`icscf.${DOMAIN}:4060`), from('127.0.0.1', 4060))).toBe(
        undefined,
      );
      expect(peers.refusal(register('127.0.0.1:4060'), from('::ffff:127.0.0.1', 4060))).toBe(
        undefined,
      );
      // TCP: the source port is ephemeral, the Via names the peer.
      expect(peers.refusal(register('127.0.0.1:4060'), from('127.0.0.1', 51000, true))).toBe(
        undefined,
      );
    });

    it('refuses a UE on the same address, also one that forges the I-CSCF Via over UDP', () => {
      expect(peers.refusal(register('127.0.0.1:51000'), from('127.0.0.1', 51000))).toMatch(
        /REGISTER from 127\.0\.0\.1:51000\/UDP \(Via 127\.0\.0\.1:51000\), not a trusted/,
      );
      expect(peers.refusal(register('127.0.0.1:4060'), from('127.0.0.1', 51000))).toBeDefined();
      expect(peers.refusal(register('127.0.0.1'), from('127.0.0.1', 5060))).toBeDefined();
      expect(peers.refusal(register('127.0.0.1:4060'), from('127.0.0.2', 4060))).toBeDefined();
      expect(peers.refusal(register('unknown.host:4060'), from('127.0.0.1', 4060))).toBeDefined();
    });
  });

  it('a host without port or a CIDR trusts any port of that address / network', () => {
    const peers = new TrustedPeers(
      parseTrustedPeers('192.0.2.7,10.1.0.0/16'),
      new ImsHosts(DOMAIN),
    );
    expect(peers.refusal(register('192.0.2.7:7777'), from('192.0.2.7', 7777))).toBeUndefined();
    expect(peers.refusal(register('x.example'), from('10.1.200.3', 5060))).toBeUndefined();
    expect(peers.refusal(register('10.2.0.1'), from('10.2.0.1', 5060))).toBeDefined();
    // The subnet answer is remembered per source address: asked again, the same answers.
    expect(peers.refusal(register('x.example'), from('10.1.200.3', 5061))).toBeUndefined();
    expect(peers.refusal(register('10.2.0.1'), from('10.2.0.1', 5061))).toBeDefined();
    for (let i = 0; i < 1100; i++)
      peers.refusal(register('x'), from(`10.3.${i >> 8}.${i & 255}`, 1));
    expect(peers.refusal(register('x.example'), from('10.1.200.3', 5062))).toBeUndefined();
    expect(peers.refusal(register('10.2.0.1'), from('10.2.0.1', 5062))).toBeDefined();
  });

  it('* trusts everybody', () => {
    const peers = new TrustedPeers(parseTrustedPeers('*'), new ImsHosts(DOMAIN));
    expect(peers.refusal(register('198.51.100.1'), from('198.51.100.1', 5060))).toBeUndefined();
  });
});
