/**
 * HSS REST, the IMS subscription model resource by resource (TS 23.228 §4.3.3.1, TS 29.228
 * Annex B): subscriptions, private and public identities, service profiles, initial filter
 * criteria, application servers and S-CSCF capabilities: create, read, list, update, delete,
 * validation, 404 and 409, and the profile-changed event when a registered user's iFCs change.
 */
import {
  DOMAIN,
  enc,
  expectNoSecrets,
  SCSCF_HOST,
  SET1,
  SET2,
  TestHss,
  tempDir,
} from './rest-support';

describe('HSS REST: resources', () => {
  const tmp = tempDir();
  let hss: TestHss;
  const call = (method: string, path: string, body?: unknown) => hss.call(method, path, body);
  const secrets = [SET1.k, SET1.op, SET1.opc, SET2.k, SET2.op, SET2.opc, 'pw-alice-1'];

  beforeAll(async () => {
    hss = await TestHss.start(tmp.dbPath);
  }, 60000);

  afterAll(async () => {
    await hss?.close();
    tmp.cleanup();
  }, 20000);

  it('subscriptions: create, get, list by name, rename, delete', async () => {
    const created = await call('POST', '/subscriptions', { name: 'alice' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'alice',
      privateIdentities: [],
      publicIdentities: [],
    });
    const id = created.json.id;
    expect((await call('GET', `/subscriptions/${id}`)).json.name).toBe('alice');
    expect((await call('PATCH', `/subscriptions/${id}`, { name: 'alice2' })).json.name).toBe(
      'alice2',
    );
    await call('POST', '/subscriptions', { name: 'bob' });
    const list = await call('GET', '/subscriptions?name=alice');
    expect(list.json).toMatchObject({ total: 1, items: [{ id, name: 'alice2' }] });
    expect((await call('POST', '/subscriptions', { name: 7 })).json.message).toContain(
      'name must be a string',
    );
    expect((await call('DELETE', `/subscriptions/${id}`)).status).toBe(204);
    expect((await call('GET', `/subscriptions/${id}`)).status).toBe(404);
    expect((await call('GET', '/subscriptions/abc')).status).toBe(400);
  });

  it('private and public identities: an implicit set shared by an IMPI, by id or by key', async () => {
    const sub = (await call('POST', '/subscriptions', { name: 'carol' })).json.id;
    const other = (await call('POST', '/subscriptions', { name: 'dave' })).json.id;
    const impuA = `sip:carol@${DOMAIN}`;
    const impuB = 'tel:+15551230';
    const a = await call('POST', '/public-identities', {
      impu: impuA,
      subscriptionId: sub,
      implicitSetId: 'carol-set',
      displayName: 'Carol',
    });
    expect(a.status).toBe(201);
    expect(a.json).toMatchObject({
      impu: impuA,
      isDefault: true,
      barred: false,
      identityType: 'public-user-identity',
      registrationState: 'NOT_REGISTERED',
    });
    const b = await call('POST', '/public-identities', {
      impu: impuB,
      subscriptionId: sub,
      implicitSetId: 'carol-set',
    });
    expect(b.json.isDefault).toBe(false);
    expect(
      (await call('POST', '/public-identities', { impu: impuB, subscriptionId: sub })).json,
    ).toMatchObject({
      statusCode: 409,
      message: `public identity ${impuB} already exists`,
    });
    expect(
      (await call('POST', '/public-identities', { impu: 'mailto:x@y', subscriptionId: sub })).json
        .message,
    ).toEqual(['impu must be a sip:, sips: or tel: URI']);

    const impi = `carol@${DOMAIN}`;
    const p = await call('POST', '/private-identities', {
      impi,
      subscriptionId: sub,
      k: SET2.k,
      op: SET2.op,
      publicIdentities: [impuA, impuB],
    });
    expect(p.status).toBe(201);
    expectNoSecrets(p.text, secrets);
    expect(p.json).toMatchObject({
      impi,
      opType: 'op',
      amf: '8000',
      sqn: 0,
      hasK: true,
      publicIdentities: [impuA, impuB].sort(),
    });
    expect(
      hss.db((db) => db.prepare('SELECT opc FROM private_identities WHERE impi = ?').get(impi)),
    ).toEqual({ opc: SET2.opc });
    expect(
      (
        await call('POST', '/private-identities', {
          impi,
          subscriptionId: sub,
          k: SET2.k,
          opc: SET2.opc,
        })
      ).status,
    ).toBe(409);
    // An IMPU of another subscription cannot be linked.
    const foreign = await call('POST', '/private-identities', {
      impi: `dave@${DOMAIN}`,
      subscriptionId: other,
      k: SET1.k,
      opc: SET1.opc,
      publicIdentities: [impuA],
    });
    expect(foreign.json).toMatchObject({
      statusCode: 409,
      message: `public identity ${impuA} belongs to another subscription`,
    });
    expect((await call('GET', `/private-identities/${enc(`dave@${DOMAIN}`)}`)).status).toBe(404);

    // By id and by key; a new K with the stored OP re-derives OPc (TS 35.206 §4.1).
    const byId = await call('GET', `/private-identities/${p.json.id}`);
    expect(byId.json.impi).toBe(impi);
    const patched = await call('PATCH', `/private-identities/${enc(impi)}`, {
      k: SET1.k,
      op: SET1.op,
      sqn: 96,
      amf: 'b9b9',
    });
    expect(patched.json).toMatchObject({ sqn: 96, amf: 'b9b9', opType: 'op' });
    expectNoSecrets(patched.text, secrets);
    expect(
      hss.db((db) => db.prepare('SELECT k, opc FROM private_identities WHERE impi = ?').get(impi)),
    ).toEqual({ k: SET1.k, opc: SET1.opc });
    expect(
      (await call('PATCH', `/private-identities/${enc(impi)}`, { impi: 'x@y' })).json.message,
    ).toEqual(['property impi should not exist']);
    expect(
      (await call('PATCH', `/private-identities/${enc(impi)}`, { sqn: 2 ** 48 })).json.message,
    ).toEqual(['sqn must be <= 281474976710655 (48 bits)']);
    const digest = await call('PATCH', `/private-identities/${enc(impi)}`, {
      authScheme: 'SIP Digest',
      password: 'pw-alice-1',
    });
    expect(digest.json).toMatchObject({ authScheme: 'SIP Digest', hasPassword: true });
    expectNoSecrets(digest.text, secrets);

    // Lists and filters.
    const pis = await call('GET', `/private-identities?subscriptionId=${sub}`);
    expect(pis.json).toMatchObject({ total: 1, items: [{ impi }] });
    expectNoSecrets(pis.text, secrets);
    const set = await call('GET', '/public-identities?implicitSetId=carol-set');
    expect(set.json.items.map((i: any) => [i.impu, i.isDefault, i.privateIdentities])).toEqual([
      [impuA, true, [impi]],
      [impuB, false, [impi]],
    ]);
    expect(
      (
        await call(
          'GET',
          `/public-identities?impu=${enc('tel:+1555123')}&registrationState=NOT_REGISTERED`,
        )
      ).json.total,
    ).toBe(1);

    // Making B the default moves the flag inside the set.
    const moved = await call('PATCH', `/public-identities/${enc(impuB)}`, {
      isDefault: true,
      displayName: 'Carol (tel)',
    });
    expect(moved.json).toMatchObject({ isDefault: true, displayName: 'Carol (tel)' });
    expect((await call('GET', `/public-identities/${a.json.id}`)).json.isDefault).toBe(false);
    expect(
      (await call('GET', '/public-identities?barred=false&implicitSetId=carol-set')).json.total,
    ).toBe(2);

    // Unlinking and deleting.
    const unlinked = await call('PATCH', `/private-identities/${enc(impi)}`, {
      publicIdentities: [impuA],
    });
    expect(unlinked.json.publicIdentities).toEqual([impuA]);
    expect((await call('DELETE', `/public-identities/${enc(impuB)}`)).status).toBe(204);
    expect((await call('GET', `/public-identities/${enc(impuB)}`)).status).toBe(404);
    expect((await call('DELETE', `/private-identities/${enc(impi)}`)).status).toBe(204);
    expect((await call('GET', `/subscriptions/${sub}`)).json).toMatchObject({
      privateIdentities: [],
      publicIdentities: [impuA],
    });
    expect(await hss.settledEvents()).toEqual([]);
  });

  it('application servers, service profiles, iFCs and S-CSCF capabilities: CRUD, references, 409 in use', async () => {
    const as = await call('POST', '/application-servers', {
      name: 'mmtel',
      serverName: 'sip:mmtel.ims.example:5070',
      defaultHandling: 1,
      serviceInfo: 'tas',
      includeRegisterRequest: true,
    });
    expect(as.status).toBe(201);
    expect(as.json).toMatchObject({
      defaultHandling: 1,
      serviceInfo: 'tas',
      includeRegisterRequest: true,
      includeRegisterResponse: false,
    });
    expect(
      (await call('POST', '/application-servers', { name: 'mmtel', serverName: 'sip:x' })).status,
    ).toBe(409);
    const badAs = await call('POST', '/application-servers', {
      name: 'x',
      serverName: 'http://x',
      defaultHandling: 2,
    });
    expect(badAs.json.message).toEqual([
      'serverName must be a sip: or sips: URI',
      'defaultHandling must be 0 (SESSION_CONTINUED) or 1 (SESSION_TERMINATED)',
    ]);
    expect(
      (await call('PATCH', `/application-servers/${as.json.id}`, { serviceInfo: 'tas2' })).json
        .serviceInfo,
    ).toBe('tas2');
    expect((await call('GET', '/application-servers?name=mm')).json.total).toBe(1);

    const sp = await call('POST', '/service-profiles', { name: 'gold' });
    expect(sp.json).toMatchObject({ name: 'gold', ifcs: [] });
    expect((await call('POST', '/service-profiles', { name: 'gold' })).json.message).toBe(
      'service profile gold already exists',
    );

    const triggerPoint = {
      conditionTypeCnf: false,
      spts: [
        { group: [0], method: 'INVITE' },
        { group: [0], sessionCase: 0 },
        { group: [1], conditionNegated: true, sipHeader: { header: 'Event', content: 'reg' } },
        { group: [2], requestUri: '^sip:voicemail@' },
        { group: [3], sessionDescription: { line: 'm', content: 'audio' } },
        { group: [4], method: 'REGISTER', registrationType: [0, 2] },
      ],
    };
    const ifc = await call('POST', '/ifcs', {
      name: 'mmtel-orig',
      priority: 10,
      serviceProfileId: sp.json.id,
      applicationServerId: as.json.id,
      triggerPoint,
      profilePartIndicator: 0,
    });
    expect(ifc.status).toBe(201);
    expect(ifc.json.triggerPoint.spts[0]).toEqual({
      conditionNegated: false,
      group: [0],
      method: 'INVITE',
    });
    expect(ifc.json.triggerPoint.spts[2]).toEqual({
      conditionNegated: true,
      group: [1],
      sipHeader: { header: 'Event', content: 'reg' },
    });
    expect((await call('GET', `/ifcs/${ifc.json.id}`)).json.triggerPoint).toEqual(
      ifc.json.triggerPoint,
    );

    const twoKinds = await call('POST', '/ifcs', {
      name: 'bad',
      priority: 11,
      serviceProfileId: sp.json.id,
      applicationServerId: as.json.id,
      triggerPoint: {
        conditionTypeCnf: 'yes',
        spts: [
          { group: [], method: 'INVITE', requestUri: 'x' },
          { group: [0], sessionCase: 7 },
        ],
      },
    });
    expect(twoKinds.status).toBe(400);
    expect(twoKinds.json.message).toEqual(
      expect.arrayContaining([
        'triggerPoint.conditionTypeCnf must be a boolean value',
        'triggerPoint.spts.0.group must contain at least 1 elements',
        'triggerPoint.spts.0.method|requestUri|sipHeader|sessionCase|sessionDescription: an SPT needs exactly one of them',
        'triggerPoint.spts.1.sessionCase must be 0..4',
      ]),
    );
    const samePriority = await call('POST', '/ifcs', {
      name: 'dup',
      priority: 10,
      serviceProfileId: sp.json.id,
      applicationServerId: as.json.id,
    });
    expect(samePriority.json).toMatchObject({
      statusCode: 409,
      message: `initial filter criteria of service profile ${sp.json.id} with priority 10 already exists`,
    });
    expect(
      (
        await call('POST', '/ifcs', {
          name: 'x',
          priority: 12,
          serviceProfileId: sp.json.id,
          applicationServerId: 999,
        })
      ).json,
    ).toMatchObject({
      statusCode: 404,
      message: 'application server 999 not found',
    });
    const second = await call('POST', '/ifcs', {
      name: 'always',
      priority: 5,
      serviceProfileId: sp.json.id,
      applicationServerId: as.json.id,
    });
    expect(second.json.triggerPoint).toBeNull();
    expect(
      (await call('GET', `/service-profiles/${sp.json.id}`)).json.ifcs.map((i: any) => i.name),
    ).toEqual(['always', 'mmtel-orig']);
    expect(
      (await call('GET', `/ifcs?serviceProfileId=${sp.json.id}`)).json.items.map(
        (i: any) => i.priority,
      ),
    ).toEqual([5, 10]);
    expect((await call('PATCH', `/ifcs/${second.json.id}`, { priority: 20 })).json.priority).toBe(
      20,
    );

    // In use: the AS by iFCs, the profile by public identities.
    expect((await call('DELETE', `/application-servers/${as.json.id}`)).json).toMatchObject({
      statusCode: 409,
      message: `application server ${as.json.id} is used by 2 initial filter criteria`,
    });
    const sub = await call('POST', '/subscribers', {
      imsi: '001019000000001',
      msisdn: '15559000',
      k: SET1.k,
      opc: SET1.opc,
      serviceProfile: 'gold',
    });
    expect(sub.json.impus.every((i: any) => i.serviceProfileId === sp.json.id)).toBe(true);
    expect((await call('DELETE', `/service-profiles/${sp.json.id}`)).json.message).toBe(
      `service profile ${sp.json.id} is used by 3 public identities`,
    );

    // A registered user's iFC change reaches its S-CSCF: profile-changed (PPR, TS 29.228 §6.1.6).
    const impus = sub.json.impus.map((i: any) => i.impu);
    hss.register(impus);
    expect(
      (
        await call('PATCH', `/ifcs/${ifc.json.id}`, {
          triggerPoint: { conditionTypeCnf: true, spts: [{ group: [0], method: 'MESSAGE' }] },
        })
      ).status,
    ).toBe(200);
    expect(await hss.settledEvents()).toEqual([
      {
        name: 'profile-changed',
        payload: { impi: `001019000000001@${DOMAIN}`, impus, scscfDiameterHost: SCSCF_HOST },
      },
    ]);
    expect((await call('DELETE', `/ifcs/${second.json.id}`)).status).toBe(204);
    expect((await hss.settledEvents()).map((e) => e.name)).toEqual(['profile-changed']);
    expect((await call('GET', `/ifcs/${second.json.id}`)).status).toBe(404);

    // S-CSCF capability sets.
    const cap = await call('POST', '/scscf-capabilities', {
      serverName: `sip:scscf.${DOMAIN}:6060`,
      mandatory: [1, 2],
      optional: [3],
    });
    expect(cap.json).toMatchObject({ mandatory: [1, 2], optional: [3] });
    expect(
      (await call('POST', '/scscf-capabilities', { serverName: `sip:scscf.${DOMAIN}:6060` }))
        .status,
    ).toBe(409);
    expect(
      (await call('POST', '/scscf-capabilities', { serverName: 'scscf', mandatory: [-1] })).json
        .message,
    ).toEqual([
      'serverName must be a sip: or sips: URI',
      'each value in mandatory must not be less than 0',
    ]);
    expect(
      (await call('PATCH', `/scscf-capabilities/${cap.json.id}`, { optional: [] })).json.optional,
    ).toEqual([]);
    expect((await call('GET', '/scscf-capabilities?serverName=sip%3Ascscf')).json.items).toEqual([
      { id: cap.json.id, serverName: `sip:scscf.${DOMAIN}:6060`, mandatory: [1, 2], optional: [] },
    ]);
    expect((await call('DELETE', `/scscf-capabilities/${cap.json.id}`)).status).toBe(204);
    expect((await call('GET', `/scscf-capabilities/${cap.json.id}`)).status).toBe(404);
  });
});
