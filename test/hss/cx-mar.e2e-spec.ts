/**
 * MAR/MAA (TS 29.228 §6.3, TS 29.229 §6.3.13): AKA vectors checked with the UE side of
 * libs/ims, SQN advancing and surviving a restart, resynchronisation with a real AUTS,
 * scheme mismatch 5006, SIP Digest HA1.
 */
import { createHash } from 'node:crypto';
import { computeAuts, sqnFromBigInt, sqnToBigInt, ueProcessChallenge } from '@lib/ims';
import {
  CxClient,
  DOMAIN,
  impiOf,
  impuOf,
  provision,
  rest,
  startHss,
  tempDb,
  TEST_SET_1,
} from './cx-support';

// Starting an HSS process (TypeScript compiled on the fly) takes a few seconds.
jest.setTimeout(30_000);

const IMSI = '001010000000101';
const DIGEST_IMSI = '001010000000102';
const AKAV2_IMSI = '001010000000103';

describe('Cx MAR (TS 29.228 §6.3)', () => {
  const db = tempDb();
  let hss: Awaited<ReturnType<typeof startHss>>;
  let client: CxClient;

  beforeAll(async () => {
    hss = await startHss(db.dbPath);
    await provision(hss.base, IMSI, '15550101');
    await provision(hss.base, DIGEST_IMSI, '15550102', {
      authScheme: 'SIP Digest',
      password: 'secret-102',
    });
    await provision(hss.base, AKAV2_IMSI, '15550103', { authScheme: 'Digest-AKAv2-MD5' });
    client = new CxClient();
    await client.connect(hss.diameterPort);
  });

  afterAll(async () => {
    await client?.close();
    await hss?.close();
    db.cleanup();
  });

  /** The USIM's view of one SIP-Auth-Data-Item: MAC verified, RES/CK/IK recomputed. */
  function ue(item: { authenticate?: Buffer }, sqnMs?: Buffer) {
    const nonce = item.authenticate!;
    return ueProcessChallenge({
      k: TEST_SET_1.k,
      opc: TEST_SET_1.opc,
      rand: nonce.subarray(0, 16),
      autn: nonce.subarray(16, 32),
      sqnMs,
    });
  }

  it('answers AKAv1 vectors whose AUTN verifies at the UE and whose XRES/CK/IK match', async () => {
    const maa = await client.mar(impiOf(IMSI), impuOf(IMSI), { items: 2 });
    expect(maa.experimental).toBe(false);
    expect(maa.resultCode).toBe(2001);
    expect(maa.items).toHaveLength(2);
    const sqns: bigint[] = [];
    for (const item of maa.items) {
      expect(item.scheme).toBe('Digest-AKAv1-MD5');
      const r = ue(item);
      if (r.kind !== 'ok') throw new Error(`UE rejected the vector: ${r.kind}`);
      expect(item.authorization!.equals(r.res)).toBe(true);
      expect(item.confidentialityKey!.equals(r.ck)).toBe(true);
      expect(item.integrityKey!.equals(r.ik)).toBe(true);
      sqns.push(sqnToBigInt(r.sqn));
    }
    expect(sqns[1]).toBeGreaterThan(sqns[0]);
  });

  it('caps SIP-Number-Auth-Items and never repeats an SQN, also across an HSS restart', async () => {
    const seen = new Set<bigint>();
    const collect = (items: { authenticate?: Buffer }[]) => {
      for (const item of items) {
        const r = ue(item);
        if (r.kind !== 'ok') throw new Error(r.kind);
        const sqn = sqnToBigInt(r.sqn);
        expect(seen.has(sqn)).toBe(false);
        seen.add(sqn);
      }
    };
    const many = await client.mar(impiOf(IMSI), impuOf(IMSI), { items: 50 });
    expect(many.items.length).toBe(5);
    collect(many.items);
    const highest = [...seen].reduce((a, b) => (a > b ? a : b));

    await client.close();
    await hss.close();
    hss = await startHss(db.dbPath);
    client = new CxClient();
    await client.connect(hss.diameterPort);

    const after = await client.mar(impiOf(IMSI), impuOf(IMSI), { items: 1 });
    expect(after.resultCode).toBe(2001);
    collect(after.items);
    const r = ue(after.items[0]);
    if (r.kind !== 'ok') throw new Error(r.kind);
    // The USIM would accept it as fresh after everything issued before the restart.
    expect(ue(after.items[0], sqnFromBigInt(highest)).kind).toBe('ok');
  });

  it('hands out distinct SQNs to concurrent MARs for one IMPI', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => client.mar(impiOf(IMSI), impuOf(IMSI), { items: 2 })),
    );
    const sqns = answers.flatMap((a) =>
      a.items.map((item) => {
        const r = ue(item);
        if (r.kind !== 'ok') throw new Error(r.kind);
        return sqnToBigInt(r.sqn);
      }),
    );
    expect(sqns).toHaveLength(40);
    expect(new Set(sqns).size).toBe(40);
  });

  it('resynchronises from a real AUTS: SQN_HE jumps past SQN_MS (TS 33.102 §6.3.5)', async () => {
    const first = await client.mar(impiOf(IMSI), impuOf(IMSI));
    const rand = first.items[0].authenticate!.subarray(0, 16);
    // The USIM has already seen a much higher SQN (e.g. it was used with another HSS).
    const sqnMs = sqnFromBigInt(0x0000_0100_0000n);
    const rejected = ue(first.items[0], sqnMs);
    expect(rejected.kind).toBe('sync-failure');
    const auts = rejected.kind === 'sync-failure' ? rejected.auts : Buffer.alloc(14);

    const maa = await client.mar(impiOf(IMSI), impuOf(IMSI), {
      authorization: Buffer.concat([rand, auts]),
    });
    expect(maa.resultCode).toBe(2001);
    expect(maa.experimental).toBe(false);
    const r = ue(maa.items[0], sqnMs);
    expect(r.kind).toBe('ok');

    const trace = await rest(hss.base, 'GET', `/subscribers/${IMSI}/attempts?limit=1`);
    expect(trace[0].command).toBe('MAR');
    expect(trace[0].detail).toMatch(/resync/i);
  });

  it('refuses an AUTS whose MAC-S does not verify, and leaves SQN alone', async () => {
    const first = await client.mar(impiOf(IMSI), impuOf(IMSI));
    const rand = first.items[0].authenticate!.subarray(0, 16);
    const forged = computeAuts({
      k: 'ffffffffffffffffffffffffffffffff',
      opc: TEST_SET_1.opc,
      rand,
      sqnMs: sqnFromBigInt(1n << 40n),
    });
    const maa = await client.mar(impiOf(IMSI), impuOf(IMSI), {
      authorization: Buffer.concat([rand, forged]),
    });
    expect(maa.experimental).toBe(false);
    expect(maa.resultCode).toBe(5012);
    expect(maa.items).toHaveLength(0);
    // The next vector still follows the previous one (no jump to 2^40).
    const next = await client.mar(impiOf(IMSI), impuOf(IMSI));
    const a = ue(first.items[0]);
    const b = ue(next.items[0]);
    if (a.kind !== 'ok' || b.kind !== 'ok') throw new Error('UE rejected');
    expect(sqnToBigInt(b.sqn)).toBeGreaterThan(sqnToBigInt(a.sqn));
    expect(sqnToBigInt(b.sqn)).toBeLessThan(1n << 40n);
  });

  it('answers 5006 for a scheme the subscriber is not provisioned with, and picks its own for "Unknown"', async () => {
    const wrong = await client.mar(impiOf(IMSI), impuOf(IMSI), { scheme: 'SIP Digest' });
    expect(wrong).toMatchObject({ experimental: true, resultCode: 5006 });
    const bogus = await client.mar(impiOf(IMSI), impuOf(IMSI), { scheme: 'NASS-Bundled' });
    expect(bogus).toMatchObject({ experimental: true, resultCode: 5006 });
    const unknown = await client.mar(impiOf(IMSI), impuOf(IMSI), { scheme: 'Unknown' });
    expect(unknown.resultCode).toBe(2001);
    expect(unknown.items[0].scheme).toBe('Digest-AKAv1-MD5');
  });

  it('answers SIP Digest with SIP-Digest-Authenticate, HA1 = MD5(IMPI:realm:password)', async () => {
    const maa = await client.mar(impiOf(DIGEST_IMSI), impuOf(DIGEST_IMSI), {
      scheme: 'SIP Digest',
    });
    expect(maa).toMatchObject({ experimental: false, resultCode: 2001 });
    const expected = createHash('md5')
      .update(`${impiOf(DIGEST_IMSI)}:${DOMAIN}:secret-102`)
      .digest('hex');
    expect(maa.items[0].digest).toEqual({ realm: DOMAIN, qop: 'auth', ha1: expected });
    // The AKA subscriber asking for digest, and the digest one asking for AKA: 5006.
    const aka = await client.mar(impiOf(DIGEST_IMSI), impuOf(DIGEST_IMSI), {
      scheme: 'Digest-AKAv1-MD5',
    });
    expect(aka).toMatchObject({ experimental: true, resultCode: 5006 });
  });

  it('serves an AKAv2 subscriber with AKAv2 vectors and refuses AKAv1 for it (5006)', async () => {
    const maa = await client.mar(impiOf(AKAV2_IMSI), impuOf(AKAV2_IMSI), {
      scheme: 'Digest-AKAv2-MD5',
    });
    expect(maa).toMatchObject({ experimental: false, resultCode: 2001 });
    expect(maa.items[0].scheme).toBe('Digest-AKAv2-MD5');
    expect(ue(maa.items[0]).kind).toBe('ok');
    const v1 = await client.mar(impiOf(AKAV2_IMSI), impuOf(AKAV2_IMSI), {
      scheme: 'Digest-AKAv1-MD5',
    });
    expect(v1).toMatchObject({ experimental: true, resultCode: 5006 });
  });

  it('answers 5001 for an unknown IMPI and 5002 for an IMPU of another user', async () => {
    expect(await client.mar(impiOf('001019999999999'), impuOf(IMSI))).toMatchObject({
      experimental: true,
      resultCode: 5001,
    });
    expect(await client.mar(impiOf(IMSI), impuOf(DIGEST_IMSI))).toMatchObject({
      experimental: true,
      resultCode: 5002,
    });
  });
});
