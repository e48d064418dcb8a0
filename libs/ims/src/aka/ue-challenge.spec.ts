import fc from 'fast-check';
import { generateAuthVector } from './auth-vector';
import { decodeAkaNonce } from './aka-nonce';
import { verifyAuts } from './resync';
import { nextSqn, sqnFromBigInt } from './sqn';
import { ueProcessChallenge } from './ue-challenge';
import testSets from '../../../../test/vectors/milenage.json';
import akaDigest from '../../../../test/vectors/aka-digest-vectors.json';

const hex = (b: Buffer) => b.toString('hex');

describe('UE side of AKA (TS 33.102 §6.3.3)', () => {
  it.each(testSets.map((t) => [t.testSet, t] as const))(
    'Test Set %i: authenticates the network and returns RES, CK, IK, SQN',
    (_n, t) => {
      const out = ueProcessChallenge({ k: t.K, op: t.OP, rand: t.RAND, autn: t.AUTN });
      expect(out.kind).toBe('ok');
      if (out.kind !== 'ok') return;
      expect(hex(out.res)).toBe(t.f2);
      expect(hex(out.ck)).toBe(t.f3);
      expect(hex(out.ik)).toBe(t.f4);
      expect(hex(out.sqn)).toBe(t.SQN);
    },
  );

  it('checks the MAC with the AMF carried in AUTN (not a configured AMF)', () => {
    const s = akaDigest.subscriber;
    const av = generateAuthVector({ k: s.K, opc: s.OPc, amf: '8000', sqn: s.SQN, rand: s.RAND });
    expect(ueProcessChallenge({ k: s.K, opc: s.OPc, rand: av.rand, autn: av.autn }).kind).toBe(
      'ok',
    );
  });

  it('reports a MAC failure when the network does not know K, or AUTN was altered', () => {
    const s = akaDigest.subscriber;
    const { rand, autn } = decodeAkaNonce(akaDigest.vector.nonce_base64);
    const wrongK = 'ff' + s.K.slice(2);
    expect(ueProcessChallenge({ k: wrongK, opc: s.OPc, rand, autn })).toEqual({
      kind: 'mac-failure',
    });
    for (const i of [0, 6, 7, 15]) {
      const bad = Buffer.from(autn);
      bad[i] ^= 0x01;
      expect(ueProcessChallenge({ k: s.K, opc: s.OPc, rand, autn: bad }).kind).toBe('mac-failure');
    }
  });

  it('answers a stale SQN with a synchronisation failure carrying AUTS (aka-digest resync)', () => {
    const s = akaDigest.subscriber;
    const r = akaDigest.resync;
    const { rand, autn } = decodeAkaNonce(r.nonce);
    const out = ueProcessChallenge({ k: s.K, opc: s.OPc, rand, autn, sqnMs: r.SQN_MS });
    expect(out.kind).toBe('sync-failure');
    if (out.kind !== 'sync-failure') return;
    expect(hex(out.auts)).toBe(r.AUTS);
    expect(out.reason).toBe('not-fresh');
    expect(hex(out.sqn)).toBe(s.SQN);
  });

  it('accepts the vector the HSS generates after resynchronising on AUTS', () => {
    const s = akaDigest.subscriber;
    const r = akaDigest.resync;
    const { sqnMs } = verifyAuts({ k: s.K, opc: s.OPc, rand: s.RAND, auts: r.AUTS })!;
    const av = generateAuthVector({ k: s.K, opc: s.OPc, amf: s.AMF, sqn: nextSqn(sqnMs) });
    const out = ueProcessChallenge({ k: s.K, opc: s.OPc, rand: av.rand, autn: av.autn, sqnMs });
    expect(out.kind).toBe('ok');
  });

  it('any generated vector yields the same RES/CK/IK on the UE side (property)', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map(Buffer.from);
    fc.assert(
      fc.property(
        bytes(16),
        bytes(16),
        bytes(16),
        bytes(2),
        fc.bigInt({ min: 32n, max: (1n << 47n) - 1n }),
        (k, opc, rand, amf, sqnValue) => {
          const sqn = sqnFromBigInt(sqnValue);
          const av = generateAuthVector({ k, opc, amf, sqn, rand });
          // the UE last accepted the SQN one SEQ step below
          const sqnMs = sqnFromBigInt(sqnValue - 32n);
          const out = ueProcessChallenge({ k, opc, rand: av.rand, autn: av.autn, sqnMs });
          expect(out.kind).toBe('ok');
          if (out.kind !== 'ok') return;
          expect(out.res.equals(av.xres)).toBe(true);
          expect(out.ck.equals(av.ck)).toBe(true);
          expect(out.ik.equals(av.ik)).toBe(true);
          expect(out.sqn.equals(sqn)).toBe(true);
          // replaying the same vector against the SQN it just accepted is a sync failure
          const replay = ueProcessChallenge({ k, opc, rand: av.rand, autn: av.autn, sqnMs: sqn });
          expect(replay.kind).toBe('sync-failure');
          if (replay.kind === 'sync-failure') {
            expect(verifyAuts({ k, opc, rand: av.rand, auts: replay.auts })!.sqnMs).toEqual(sqn);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('raises typed errors for malformed input', () => {
    const t = testSets[0];
    expect(() => ueProcessChallenge({ k: t.K, opc: t.OPc, rand: t.RAND, autn: '00' })).toThrow(
      /AUTN must be 16 octets/,
    );
  });
});
