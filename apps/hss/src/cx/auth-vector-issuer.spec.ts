import { sqnToBigInt, ueProcessChallenge, computeAuts, sqnFromBigInt } from '@lib/ims';
import { AuthVectorIssuer, ResyncRejected } from './auth-vector-issuer';
import type { ImpiRecord } from './cx-store';

/** TS 35.208 Test Set 1 keys. */
const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';

/**
 * A store holding one SQN_HE, recording every write; `interfere` lets a test advance SQN
 * behind the service's back once (another HSS process, say) to exercise the CAS retry.
 */
class FakeStore {
  sqn = 0;
  writes: number[] = [];
  interfere?: () => void;
  async readSqn(): Promise<number> {
    return this.sqn;
  }
  async compareAndSetSqn(_id: number, expected: number, next: number): Promise<boolean> {
    if (this.interfere) {
      const f = this.interfere;
      this.interfere = undefined;
      f();
    }
    if (this.sqn !== expected) return false;
    this.sqn = next;
    this.writes.push(next);
    return true;
  }
}

const impi = (sqn: number): ImpiRecord => ({
  id: 1,
  impi: '001010000000001@ims.mnc001.mcc001.3gppnetwork.org',
  authScheme: 'Digest-AKAv1-MD5',
  k: K,
  opc: OPC,
  amf: '8000',
  sqn,
  password: null,
  publicIdentities: [],
});

function sqnOf(v: { rand: Buffer; autn: Buffer }): bigint {
  const r = ueProcessChallenge({ k: K, opc: OPC, rand: v.rand, autn: v.autn });
  if (r.kind !== 'ok') throw new Error(r.kind);
  return sqnToBigInt(r.sqn);
}

describe('AuthVectorIssuer (TS 33.102 §6.3.2, Annex C)', () => {
  let store: FakeStore;
  let service: AuthVectorIssuer;
  beforeEach(() => {
    store = new FakeStore();
    service = new AuthVectorIssuer(store);
  });

  it('persists the last SQN of the batch before returning vectors that carry exactly those SQNs', async () => {
    const issued = await service.issue(impi(0), 3);
    expect(store.writes).toEqual([issued.sqn]);
    const sqns = issued.vectors.map(sqnOf);
    expect(sqns[2]).toBe(BigInt(issued.sqn));
    expect(sqns[0]).toBeGreaterThan(0n);
    expect(sqns[1]).toBeGreaterThan(sqns[0]);
    expect(sqns[2]).toBeGreaterThan(sqns[1]);
  });

  it("re-reads and retries when SQN moved under it, never reusing the other writer's range", async () => {
    store.sqn = 0;
    store.interfere = () => {
      store.sqn = 32 * 10; // someone else issued ten vectors meanwhile
    };
    const issued = await service.issue(impi(0), 1);
    expect(sqnOf(issued.vectors[0])).toBe(BigInt(32 * 11));
    expect(store.sqn).toBe(32 * 11);
  });

  it('serialises concurrent requests: every SQN distinct', async () => {
    const all = await Promise.all(Array.from({ length: 10 }, () => service.issue(impi(0), 2)));
    const sqns = all.flatMap((b) => b.vectors.map(sqnOf));
    expect(new Set(sqns).size).toBe(20);
  });

  it('resync: a valid AUTS resets SQN_HE to SQN_MS and the next vector is fresh for the USIM', async () => {
    store.sqn = 64;
    const rand = Buffer.alloc(16, 7);
    const sqnMs = sqnFromBigInt(5000n * 32n);
    const auts = computeAuts({ k: K, opc: OPC, rand, sqnMs });
    const r = await service.resync(impi(64), Buffer.concat([rand, auts]), 1);
    expect(r.sqnMs).toBe(5000 * 32);
    const ue = ueProcessChallenge({
      k: K,
      opc: OPC,
      rand: r.vectors[0].rand,
      autn: r.vectors[0].autn,
      sqnMs,
    });
    expect(ue.kind).toBe('ok');
  });

  it('resync: a bad MAC-S is ResyncRejected and SQN_HE stays', async () => {
    store.sqn = 64;
    const rand = Buffer.alloc(16, 7);
    const auts = computeAuts({
      k: 'ffffffffffffffffffffffffffffffff',
      opc: OPC,
      rand,
      sqnMs: sqnFromBigInt(1n << 30n),
    });
    await expect(service.resync(impi(64), Buffer.concat([rand, auts]), 1)).rejects.toBeInstanceOf(
      ResyncRejected,
    );
    await expect(service.resync(impi(64), Buffer.alloc(10), 1)).rejects.toBeInstanceOf(
      ResyncRejected,
    );
    expect(store.sqn).toBe(64);
    expect(store.writes).toEqual([]);
  });
});
