/**
 * The two-home-domain lab of test/support/lab.ts (`startTwoDomains`): two whole cores on
 * loopback whose S-CSCFs know each other's I-CSCF (SCSCF_ICSCFS) and E.164 ranges
 * (SCSCF_ENUM), and in which subscribers of each domain register through their own P-CSCF.
 */
import { DOMAIN, DOMAIN_B, startTwoDomains, TwoDomainLab } from '../support/lab';
import { provision, registeredUe, subscriberOf } from './call-support';

jest.setTimeout(120000);

describe('two home domains in the lab', () => {
  let labs: TwoDomainLab;

  beforeAll(async () => {
    labs = await startTwoDomains();
    await labs.a.waitForCxPeers(2);
    await labs.b.waitForCxPeers(2);
  });

  afterAll(async () => {
    await labs?.stop();
  });

  it('gives each S-CSCF both domains: I-CSCFs, ENUM ranges, element names', () => {
    const { a, b } = labs;
    const homes = `${DOMAIN}=127.0.0.1:${a.ports.icscf},${DOMAIN_B}=127.0.0.1:${b.ports.icscf}`;
    expect(a.env('scscf').SCSCF_ICSCFS).toBe(homes);
    expect(b.env('scscf').SCSCF_ICSCFS).toBe(
      `${DOMAIN_B}=127.0.0.1:${b.ports.icscf},${DOMAIN}=127.0.0.1:${a.ports.icscf}`,
    );
    expect(a.env('scscf').SCSCF_ENUM).toBe(`+1555=${DOMAIN},+1556=${DOMAIN_B}`);
    expect(b.env('scscf').SCSCF_ENUM).toBe(`+1556=${DOMAIN_B},+1555=${DOMAIN}`);
    expect(a.env('pcscf').IMS_HOSTS).toContain(`scscf.${DOMAIN_B}=127.0.0.1`);
    expect(b.env('hss').IMS_DOMAIN).toBe(DOMAIN_B);
    expect(b.scscfName).toBe(`sip:scscf.${DOMAIN_B}:${b.ports.scscf}`);
    const all = Object.values(a.ports).concat(Object.values(b.ports));
    expect(new Set(all).size).toBe(all.length);
  });

  it('registers a subscriber of each domain through its own P-CSCF', async () => {
    for (const lab of [labs.a, labs.b]) {
      const s = subscriberOf(lab);
      expect(s.impu.endsWith(`@${lab.domain}`)).toBe(true);
      await provision(lab, s);
      const created = await lab.rest<{ items: { impu: string }[] }>(
        'GET',
        `/public-identities?impu=${encodeURIComponent(`sip:+${s.msisdn}@`)}`,
      );
      expect(created.body.items.map((i) => i.impu)).toEqual([`sip:+${s.msisdn}@${lab.domain}`]);
      const ue = await registeredUe(lab, s);
      try {
        expect(ue.serviceRoutes[0]).toContain(`scscf.${lab.domain}:${lab.ports.scscf}`);
        expect(ue.associatedUris).toEqual(expect.arrayContaining(s.impus.map((u) => `<${u}>`)));
      } finally {
        await ue.deregister();
        await ue.close();
      }
    }
  });

  it('keeps the domains apart: a domain A subscriber is unknown to the HSS of domain B', async () => {
    const s = subscriberOf(labs.a);
    await provision(labs.a, s);
    const res = await labs.b.rest('GET', `/private-identities/${encodeURIComponent(s.impi)}`);
    expect(res.status).toBe(404);
  });
});
