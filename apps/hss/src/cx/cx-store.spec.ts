import { DataSource } from 'typeorm';
import type { HssConfig } from '../config';
import { hssDataSourceOptions } from '../database/data-source-options';
import {
  ApplicationServer,
  DefaultHandling,
  InitialFilterCriteria,
  PrivateIdentity,
  PublicIdentity,
  ScscfCapability,
  ServiceProfile,
  Subscription,
} from '../database/entities';
import { CxStore } from './cx-store';

const D = 'ims.mnc001.mcc001.3gppnetwork.org';

/**
 * The Cx store's plain-SQL reads and writes against a real sqlite database built by the
 * migrations, checked through TypeORM's own entity view of the same rows.
 */
describe('CxStore (sqlite, plain SQL on the Cx path)', () => {
  let ds: DataSource;
  let store: CxStore;
  let impiId: number;
  let impuIds: number[];

  beforeAll(async () => {
    ds = new DataSource(
      hssDataSourceOptions({ dbType: 'sqlite', dbPath: ':memory:' } as HssConfig),
    );
    await ds.initialize();
    store = new CxStore(ds);
    const sub = await ds.getRepository(Subscription).save({ name: 'alice' });
    const as = await ds.getRepository(ApplicationServer).save({
      name: 'as1',
      serverName: `sip:as1.${D}`,
      defaultHandling: DefaultHandling.SESSION_TERMINATED,
      serviceInfo: 'info',
      includeRegisterRequest: true,
      includeRegisterResponse: false,
    });
    const sp = await ds.getRepository(ServiceProfile).save({ name: 'sp1' });
    for (const [priority, sessionCase] of [
      [5, 2],
      [1, 0],
    ] as const) {
      await ds.getRepository(InitialFilterCriteria).save({
        name: `ifc${priority}`,
        priority,
        triggerPoint: {
          conditionTypeCnf: false,
          spts: [{ conditionNegated: false, group: [0], sessionCase }],
        },
        applicationServerId: as.id,
        serviceProfileId: sp.id,
        profilePartIndicator: priority === 5 ? 1 : null,
      });
    }
    const impus: PublicIdentity[] = await ds
      .getRepository(PublicIdentity)
      .save<Partial<PublicIdentity>>([
        {
          impu: `sip:001010000000001@${D}`,
          subscriptionId: sub.id,
          implicitSetId: 'set-1',
          isDefault: true,
          serviceProfileId: sp.id,
        },
        {
          impu: `tel:+15550001`,
          subscriptionId: sub.id,
          implicitSetId: 'set-1',
          barred: true,
          displayName: 'Alice',
          serviceProfileId: sp.id,
        },
        { impu: `sip:other@${D}`, subscriptionId: sub.id, implicitSetId: 'set-2' },
      ]);
    impuIds = impus.map((p) => p.id);
    const impi = await ds.getRepository(PrivateIdentity).save({
      impi: `001010000000001@${D}`,
      subscriptionId: sub.id,
      k: '00'.repeat(16),
      opc: '11'.repeat(16),
      publicIdentities: impus,
    });
    impiId = impi.id;
    await ds.getRepository(PrivateIdentity).save({
      impi: `second@${D}`,
      subscriptionId: sub.id,
      publicIdentities: [impus[0]],
    });
  });

  afterAll(() => ds.destroy());

  it('subscriptionOf: every IMPU with its service profile, iFCs and application server', async () => {
    const view = await store.subscriptionOf(`001010000000001@${D}`);
    expect(view?.impi).toBe(`001010000000001@${D}`);
    expect(
      view?.publicIdentities.map((p) => [p.impu, p.barred, p.isDefault, p.displayName]),
    ).toEqual([
      [`sip:001010000000001@${D}`, false, true, null],
      ['tel:+15550001', true, false, 'Alice'],
      [`sip:other@${D}`, false, false, null],
    ]);
    const [first, second, third] = view!.publicIdentities;
    expect(third.serviceProfile).toBeNull();
    // Both IMPUs of the profile share one read of it.
    expect(second.serviceProfile).toBe(first.serviceProfile);
    expect(first.serviceProfile!.ifcs).toEqual([
      {
        priority: 1,
        triggerPoint: {
          conditionTypeCnf: false,
          spts: [{ conditionNegated: false, group: [0], sessionCase: 0 }],
        },
        profilePartIndicator: null,
        applicationServer: {
          serverName: `sip:as1.${D}`,
          defaultHandling: 1,
          serviceInfo: 'info',
          includeRegisterRequest: true,
          includeRegisterResponse: false,
        },
      },
      expect.objectContaining({ priority: 5, profilePartIndicator: 1 }),
    ]);
    expect(await store.subscriptionOf(`nobody@${D}`)).toBeNull();
  });

  it('implicitSets and updateImpus change exactly the set, as TypeORM reads it back', async () => {
    const impi = (await store.findImpi(`001010000000001@${D}`))!;
    const set = await store.implicitSets([impi.publicIdentities[0]]);
    expect(set.map((p) => p.id)).toEqual(impuIds.slice(0, 2));
    await store.updateImpus(
      set.map((p) => p.id),
      { registrationState: 'REGISTERED', scscfName: 'sip:scscf', scscfDiameterHost: 'scscf.host' },
    );
    await store.updateImpus([impuIds[0]], { scscfDiameterHost: null });
    const rows = await ds.getRepository(PublicIdentity).find({ order: { id: 'ASC' } });
    expect(rows.map((r) => [r.registrationState, r.scscfName, r.scscfDiameterHost])).toEqual([
      ['REGISTERED', 'sip:scscf', null],
      ['REGISTERED', 'sip:scscf', 'scscf.host'],
      ['NOT_REGISTERED', null, null],
    ]);
    expect((await store.findImpu('tel:+15550001'))?.barred).toBe(true);
  });

  it('impisOf, hasUnregisteredServices and serverCapabilities', async () => {
    expect(await store.impisOf(`sip:001010000000001@${D}`)).toEqual([
      `001010000000001@${D}`,
      `second@${D}`,
    ]);
    expect(await store.impisOf(`sip:nobody@${D}`)).toEqual([]);
    // An SPT on SessionCase 2 (TERMINATING_UNREGISTERED) in the profile of the first IMPU.
    expect(await store.hasUnregisteredServices(impuIds[0])).toBe(true);
    expect(await store.hasUnregisteredServices(impuIds[2])).toBe(false);
    expect(await store.serverCapabilities(['sip:fallback'])).toEqual({
      mandatory: [],
      optional: [],
      serverNames: ['sip:fallback'],
    });
    await ds.getRepository(ScscfCapability).save([
      { serverName: 'sip:s1', mandatory: [1, 2], optional: [3] },
      { serverName: 'sip:s2', mandatory: [2], optional: [1, 4] },
    ]);
    // Written behind the store's back (the REST API's writes clear it through
    // CxCacheInvalidator): the cached capabilities stay until invalidated.
    expect((await store.serverCapabilities(['sip:fallback'])).serverNames).toEqual([
      'sip:fallback',
    ]);
    store.invalidate();
    expect(await store.serverCapabilities(['sip:fallback'])).toEqual({
      mandatory: [1, 2],
      optional: [3, 4],
      serverNames: ['sip:s1', 'sip:s2'],
    });
  });

  it('compareAndSetSqn writes only over the expected value', async () => {
    expect(await store.compareAndSetSqn(impiId, 0, 33)).toBe(true);
    expect(await store.compareAndSetSqn(impiId, 0, 34)).toBe(false);
    expect(await store.readSqn(impiId)).toBe(33);
  });

  describe('identity cache', () => {
    const IMPI = `001010000000001@${D}`;
    const stateOf = async () =>
      (await store.findImpi(IMPI))!.publicIdentities.map((p) => [
        p.registrationState,
        p.scscfName,
        p.scscfDiameterHost,
      ]);
    const sqlReads = () => {
      const calls: string[] = [];
      const spy = jest.spyOn(store, 'sql').mockImplementation(function (
        this: CxStore,
        text: string,
        params: unknown[],
      ) {
        calls.push(text);
        return (CxStore.prototype.sql as (t: string, p: unknown[]) => Promise<unknown[]>).call(
          this,
          text,
          params,
        ) as never;
      });
      return { calls, restore: () => spy.mockRestore() };
    };

    beforeEach(() => store.invalidate());

    it('reads an IMPI once, and its copies cannot change the cached rows', async () => {
      const reads = sqlReads();
      try {
        const a = (await store.findImpi(IMPI))!;
        a.publicIdentities[0].scscfName = 'sip:mutated';
        a.sqn = 999;
        const b = (await store.findImpi(IMPI))!;
        expect(reads.calls).toHaveLength(1);
        expect(b.publicIdentities[0].scscfName).not.toBe('sip:mutated');
        expect(b.sqn).not.toBe(999);
      } finally {
        reads.restore();
      }
    });

    it('the HSS own writes go through to the cached rows, as the database has them', async () => {
      await stateOf();
      await store.assignScscf('set-1', 'sip:new', 'new.host');
      expect(await stateOf()).toEqual([
        ['REGISTERED', 'sip:new', 'new.host'],
        ['REGISTERED', 'sip:new', 'new.host'],
        ['NOT_REGISTERED', null, null],
      ]);
      await store.updateImpus([impuIds[0], impuIds[1]], {
        registrationState: 'NOT_REGISTERED',
        scscfName: null,
        scscfDiameterHost: null,
      });
      const cached = await stateOf();
      store.invalidate();
      expect(await stateOf()).toEqual(cached);
      expect(cached[0]).toEqual(['NOT_REGISTERED', null, null]);
    });

    it('an IMPU shared by two IMPIs is updated in both cached records', async () => {
      await store.findImpi(IMPI);
      await store.findImpi(`second@${D}`);
      await store.updateImpus([impuIds[0]], { registrationState: 'UNREGISTERED' });
      expect((await store.findImpi(`second@${D}`))!.publicIdentities[0].registrationState).toBe(
        'UNREGISTERED',
      );
      expect((await store.findImpi(IMPI))!.publicIdentities[0].registrationState).toBe(
        'UNREGISTERED',
      );
    });

    it('SQN: a successful compare-and-set goes through, a failed one drops the stale record', async () => {
      const before = (await store.findImpi(IMPI))!.sqn;
      expect(await store.compareAndSetSqn(impiId, before, before + 1)).toBe(true);
      expect((await store.findImpi(IMPI))!.sqn).toBe(before + 1);
      // Another writer advances SQN behind the cache's back: the cached value is stale, the
      // compare-and-set against it fails (never issuing an SQN twice) and the record is re-read.
      await ds.getRepository(PrivateIdentity).update(impiId, { sqn: before + 10 });
      expect((await store.findImpi(IMPI))!.sqn).toBe(before + 1);
      expect(await store.compareAndSetSqn(impiId, before + 1, before + 2)).toBe(false);
      expect((await store.findImpi(IMPI))!.sqn).toBe(before + 10);
    });

    it('invalidate() makes the next read see changes written elsewhere', async () => {
      await store.findImpi(IMPI);
      await ds.getRepository(PublicIdentity).update(impuIds[1], { barred: false });
      expect((await store.findImpi(IMPI))!.publicIdentities[1].barred).toBe(true);
      store.invalidate();
      expect((await store.findImpi(IMPI))!.publicIdentities[1].barred).toBe(false);
      await ds.getRepository(PublicIdentity).update(impuIds[1], { barred: true });
      store.invalidate();
    });
  });
});
