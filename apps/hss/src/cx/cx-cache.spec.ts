import { CxIdentityCache } from './cx-cache';
import type { ImpiRecord } from './cx-store';

const record = (id: number, impi: string, impuIds: number[]): ImpiRecord => ({
  id,
  impi,
  authScheme: 'Digest-AKAv1-MD5',
  k: 'k',
  opc: 'opc',
  amf: '8000',
  sqn: 0,
  password: null,
  publicIdentities: impuIds.map((i) => ({
    id: i,
    impu: `sip:${i}@d`,
    barred: false,
    implicitSetId: `set-${i}`,
    registrationState: 'NOT_REGISTERED',
    scscfName: null,
    scscfDiameterHost: null,
  })),
});

describe('CxIdentityCache', () => {
  it('entries expire after the TTL', () => {
    let now = 1000;
    const cache = new CxIdentityCache(5000, 10, () => now);
    cache.putImpi('a', record(1, 'a', [10]));
    now += 4999;
    expect(cache.getImpi('a')?.id).toBe(1);
    now += 1;
    expect(cache.getImpi('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops expired entries without being read again (an idle HSS keeps no identity rows)', () => {
    jest.useFakeTimers();
    try {
      const cache = new CxIdentityCache(5000, 10);
      cache.putImpi('a', record(1, 'a', [10]));
      jest.advanceTimersByTime(2000);
      cache.putImpi('b', record(2, 'b', [20]));
      cache.putUserData('b', '<IMSSubscription/>');
      jest.advanceTimersByTime(3500);
      expect(cache.size).toBe(1);
      jest.advanceTimersByTime(2000);
      expect(cache.size).toBe(0);
      expect(cache.userData('b')).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps at most maxEntries, dropping the oldest and its indexes', () => {
    const cache = new CxIdentityCache(60_000, 2);
    cache.putImpi('a', record(1, 'a', [10]));
    cache.putImpi('b', record(2, 'b', [20]));
    cache.putImpi('c', record(3, 'c', [30]));
    expect(cache.size).toBe(2);
    expect(cache.getImpi('a')).toBeUndefined();
    // The dropped entry's indexes went with it: patching its IMPU touches nothing.
    cache.patchImpus([10], { registrationState: 'REGISTERED' });
    cache.setSqn(1, 5);
    expect(cache.getImpi('b')?.publicIdentities[0].registrationState).toBe('NOT_REGISTERED');
  });

  it('user data and subscription IMPIs live and die with the identity rows', () => {
    const cache = new CxIdentityCache();
    cache.putUserData('a', '<xml/>');
    expect(cache.userData('a')).toBeUndefined();
    cache.putImpi('a', record(1, 'a', [10]));
    cache.putUserData('a', '<xml/>');
    cache.putSubscriptionImpis(1, ['a', 'b']);
    expect(cache.userData('a')).toBe('<xml/>');
    expect(cache.subscriptionImpis(1)).toEqual(['a', 'b']);
    cache.clear();
    expect(cache.userData('a')).toBeUndefined();
    expect(cache.subscriptionImpis(1)).toBeUndefined();
  });

  it('server capabilities are cached per fallback list', () => {
    const cache = new CxIdentityCache();
    cache.putServerCapabilities('x', { mandatory: [1], optional: [], serverNames: ['s'] });
    expect(cache.serverCapabilities('y')).toBeUndefined();
    const v = cache.serverCapabilities('x')!;
    v.serverNames.push('mutated');
    expect(cache.serverCapabilities('x')?.serverNames).toEqual(['s']);
  });
});
