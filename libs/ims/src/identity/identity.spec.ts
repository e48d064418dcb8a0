import {
  deriveIdentities,
  homeDomain,
  homeDomainFromImsi,
  IdentityError,
  impuEquals,
  isValidImpi,
  isValidImpu,
  isValidImsi,
  isValidMsisdn,
  normalizeImpu,
  normalizeMsisdn,
  parseImpi,
  parseImpu,
  parseImsi,
} from './index';

const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';

describe('home network domain (TS 23.003 §13.2)', () => {
  it('pads a 2-digit MNC with a leading 0', () => {
    expect(homeDomain('001', '01')).toBe(DOMAIN);
    expect(homeDomain('310', '410')).toBe('ims.mnc410.mcc310.3gppnetwork.org');
  });
  it('derives it from an IMSI with a 2- or 3-digit MNC', () => {
    expect(homeDomainFromImsi('001010000000001')).toBe(DOMAIN);
    expect(homeDomainFromImsi('310410123456789', 3)).toBe('ims.mnc410.mcc310.3gppnetwork.org');
    expect(parseImsi('310410123456789', 3)).toEqual({ mcc: '310', mnc: '410', msin: '123456789' });
  });
  it('rejects bad MCC/MNC/IMSI with typed errors', () => {
    expect(() => homeDomain('01', '01')).toThrow(IdentityError);
    expect(() => homeDomain('001', '1')).toThrow(/MNC/);
    expect(() => homeDomainFromImsi('0010100000000012')).toThrow(/IMSI/);
    expect(isValidImsi('00101000000000a')).toBe(false);
    expect(isValidImsi('001010000000001')).toBe(true);
  });
});

describe('subscriber identities (DESIGN.md, TS 23.003 §13.3/§13.4)', () => {
  it('derives IMPI and the three IMPUs', () => {
    expect(deriveIdentities({ imsi: '001010000000001', msisdn: '15551230001' })).toEqual({
      impi: `001010000000001@${DOMAIN}`,
      sipImsi: `sip:001010000000001@${DOMAIN}`,
      sipMsisdn: `sip:+15551230001@${DOMAIN}`,
      tel: 'tel:+15551230001',
      impus: [`sip:001010000000001@${DOMAIN}`, `sip:+15551230001@${DOMAIN}`, 'tel:+15551230001'],
      domain: DOMAIN,
    });
  });
  it('uses a given domain, accepts +MSISDN, and works without MSISDN', () => {
    const ids = deriveIdentities({
      imsi: '001010000000002',
      msisdn: '+1 555-0002',
      domain: 'EX.org',
    });
    expect(ids.impi).toBe('001010000000002@ex.org');
    expect(ids.tel).toBe('tel:+15550002');
    expect(deriveIdentities({ imsi: '001010000000003' }).impus).toEqual([
      `sip:001010000000003@${DOMAIN}`,
    ]);
  });
  it('every derived identity validates', () => {
    const ids = deriveIdentities({ imsi: '001010000000001', msisdn: '15551230001' });
    expect(isValidImpi(ids.impi)).toBe(true);
    for (const impu of ids.impus) expect(isValidImpu(impu)).toBe(true);
  });
  it('rejects bad input with typed errors', () => {
    expect(() => deriveIdentities({ imsi: 'abc' })).toThrow(IdentityError);
    expect(() =>
      deriveIdentities({ imsi: '001010000000001', msisdn: '12345678901234567' }),
    ).toThrow(/MSISDN/);
    expect(() => deriveIdentities({ imsi: '001010000000001', domain: 'bad domain' })).toThrow(
      /domain/,
    );
  });
});

describe('MSISDN (E.164)', () => {
  it.each([
    ['15551230001', '15551230001'],
    ['+15551230001', '15551230001'],
    ['+1 (555) 123-0001', '15551230001'],
  ])('%s -> %s', (input, digits) => expect(normalizeMsisdn(input)).toBe(digits));
  it.each(['', '+', '1555x', '1234567890123456'])('rejects %j', (input) =>
    expect(isValidMsisdn(input)).toBe(false),
  );
});

describe('IMPI (NAI, RFC 4282)', () => {
  it('parses user@realm', () => {
    expect(parseImpi(`001010000000001@${DOMAIN}`)).toEqual({
      username: '001010000000001',
      realm: DOMAIN,
    });
    expect(isValidImpi('alice.smith@example.com')).toBe(true);
  });
  it.each([
    '',
    'noat',
    '@realm',
    'user@',
    'us er@realm',
    'user@-bad.com',
    'a..b@x.com',
    'u@x..com',
  ])('rejects %j', (impi) => {
    expect(isValidImpi(impi)).toBe(false);
    expect(() => parseImpi(impi)).toThrow(IdentityError);
  });
});

describe('IMPU (sip:/tel: URIs)', () => {
  it('parses SIP and tel IMPUs', () => {
    expect(parseImpu('sip:+1555@Ims.Example.COM:5060;user=phone;lr')).toEqual({
      scheme: 'sip',
      user: '+1555',
      host: 'ims.example.com',
      port: 5060,
      params: { user: 'phone', lr: '' },
    });
    expect(parseImpu('tel:+1-555-0001')).toEqual({
      scheme: 'tel',
      number: '+1-555-0001',
      params: {},
    });
    expect(parseImpu('sip:example.com')).toEqual({
      scheme: 'sip',
      host: 'example.com',
      params: {},
    });
    expect(parseImpu('sip:alice@[::1]').scheme).toBe('sip');
    expect(parseImpu('sip:chatlist!.*!@example.com').scheme).toBe('sip'); // wildcarded PSI
  });
  it.each([
    'alice@example.com',
    'http://example.com',
    'sip:',
    'sip:alice@',
    'sip:al ice@example.com',
    'sip:alice@exa_mple.com',
    'sip:alice@example.com:99999',
    'tel:1555',
    'tel:+',
    'tel:+1555;bad param',
  ])('rejects %j', (uri) => {
    expect(isValidImpu(uri)).toBe(false);
    expect(() => parseImpu(uri)).toThrow(IdentityError);
  });
  it('accepts a local tel number with phone-context (RFC 3966 §5.1.5)', () => {
    expect(isValidImpu('tel:7042;phone-context=example.com')).toBe(true);
  });
});

describe('IMPU normalisation for comparison', () => {
  it.each([
    ['sip:+1555@d;user=phone', 'sip:+1555@d'],
    ['SIP:+1-555@D.example;user=phone', 'sip:+1555@d.example'],
    ['sip:%61lice@Example.com;transport=tcp?subject=x', 'sip:alice@example.com'],
    ['sip:Alice@example.com', 'sip:Alice@example.com'],
    ['sips:bob@example.com:5061', 'sips:bob@example.com:5061'],
    ['tel:+1-555-0001;ext=1', 'tel:+15550001'],
    ['tel:7042;phone-context=Example.com', 'tel:7042;phone-context=example.com'],
  ])('%s -> %s', (uri, canonical) => expect(normalizeImpu(uri)).toBe(canonical));

  it('compares equal identities and keeps distinct ones apart', () => {
    expect(impuEquals('sip:+1555@d;user=phone', 'sip:+1555@D')).toBe(true);
    expect(impuEquals('sip:alice@d', 'sip:Alice@d')).toBe(false); // user part is case-sensitive
    expect(impuEquals('sip:+1555@d', 'tel:+1555')).toBe(false);
  });
});
