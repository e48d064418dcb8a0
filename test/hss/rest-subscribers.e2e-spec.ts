/**
 * HSS REST, the subscriber shortcut of DESIGN.md: POST /subscribers with OP or OPc, the
 * derived TS 23.003 identities, write-only secrets, validation, 409/404, pagination and
 * filters, operator de-registration and the events the Cx module acts on. Real HTTP (fetch)
 * against createHssApp on an ephemeral port over a real sqlite file.
 */
import {
  DOMAIN,
  enc,
  expectNoSecrets,
  SCSCF_HOST,
  SCSCF_NAME,
  SET1,
  SET2,
  TestHss,
  tempDir,
} from './rest-support';

describe('HSS REST: subscribers', () => {
  const tmp = tempDir();
  let hss: TestHss;
  const secrets = [SET1.k, SET1.op, SET1.opc, SET2.k, SET2.opc, 'digest-secret-1'];
  const call = (method: string, path: string, body?: unknown) => hss.call(method, path, body);
  const privateRow = (impi: string) =>
    hss.db((db) =>
      db
        .prepare('SELECT k, op, opc, op_type, amf, sqn FROM private_identities WHERE impi = ?')
        .get(impi),
    );
  const impuRows = (impus: string[]) =>
    hss.db((db) =>
      db
        .prepare(
          `SELECT * FROM public_identities WHERE impu IN (${impus.map(() => '?').join(',')})`,
        )
        .all(...impus),
    );

  beforeAll(async () => {
    hss = await TestHss.start(tmp.dbPath);
  }, 60000);

  afterAll(async () => {
    await hss?.close();
    tmp.cleanup();
  }, 20000);

  it('creates a subscriber from IMSI, MSISDN, K and OP: TS 23.003 identities, OPc derived (TS 35.206 §4.1)', async () => {
    const r = await call('POST', '/subscribers', {
      imsi: '001010000000001',
      msisdn: '15550001',
      k: SET1.k.toUpperCase(),
      op: SET1.op,
    });
    expect(r.status).toBe(201);
    expectNoSecrets(r.text, secrets);
    expect(r.json).toMatchObject({
      imsi: '001010000000001',
      msisdn: '15550001',
      impi: `001010000000001@${DOMAIN}`,
      authScheme: 'Digest-AKAv1-MD5',
      opType: 'op',
      amf: '8000',
      sqn: 0,
    });
    expect(r.json.impus.map((i: any) => [i.impu, i.isDefault])).toEqual([
      [`sip:001010000000001@${DOMAIN}`, true],
      [`sip:+15550001@${DOMAIN}`, false],
      ['tel:+15550001', false],
    ]);
    const sets = new Set(r.json.impus.map((i: any) => i.implicitSetId));
    expect(sets.size).toBe(1);
    // Stored: K lower-cased, OP kept for audits, OPc = the Test Set 1 OPc.
    expect(privateRow(`001010000000001@${DOMAIN}`)).toEqual({
      k: SET1.k,
      op: SET1.op,
      opc: SET1.opc,
      op_type: 'op',
      amf: '8000',
      sqn: 0,
    });
  });

  it('creates a subscriber with OPc given, AMF and SQN set', async () => {
    const r = await call('POST', '/subscribers', {
      imsi: '001010000000002',
      msisdn: '+15550002',
      k: SET2.k,
      opc: SET2.opc,
      amf: 'B9B9',
      sqn: 33,
    });
    expect(r.status).toBe(201);
    expectNoSecrets(r.text, secrets);
    expect(r.json).toMatchObject({ msisdn: '15550002', opType: 'opc', amf: 'b9b9', sqn: 33 });
    expect(privateRow(`001010000000002@${DOMAIN}`)).toMatchObject({
      k: SET2.k,
      op: null,
      opc: SET2.opc,
      op_type: 'opc',
      sqn: 33,
    });
  });

  it('creates a SIP Digest subscriber with a password and no keys', async () => {
    const r = await call('POST', '/subscribers', {
      imsi: '001010000000003',
      msisdn: '15550003',
      authScheme: 'SIP Digest',
      password: 'digest-secret-1',
    });
    expect(r.status).toBe(201);
    expectNoSecrets(r.text, secrets);
    expect(r.json.authScheme).toBe('SIP Digest');
    const pi = await call('GET', `/private-identities/${enc(`001010000000003@${DOMAIN}`)}`);
    expect(pi.json).toMatchObject({ hasPassword: true, hasK: false });
    expectNoSecrets(pi.text, secrets);
  });

  it('never returns K, OP, OPc or the password: every GET and list', async () => {
    const impi = enc(`001010000000001@${DOMAIN}`);
    const paths = [
      '/subscribers',
      '/subscribers/001010000000001',
      '/subscribers/001010000000002',
      '/subscribers/001010000000003',
      '/private-identities',
      `/private-identities/${impi}`,
      '/public-identities',
      `/public-identities/${enc('tel:+15550001')}`,
      '/subscriptions',
      '/subscriptions/1',
    ];
    for (const path of paths) {
      const r = await call('GET', path);
      expect([path, r.status]).toEqual([path, 200]);
      expectNoSecrets(r.text, secrets);
    }
  });

  it('answers 400 naming every bad field, without echoing values', async () => {
    const r = await call('POST', '/subscribers', {
      imsi: '00101',
      msisdn: '555-CALL',
      k: 'zz5b5ce8b199b49faa5f0a2ee238a6bc',
      op: 'cdc202d5',
      amf: '80000',
      sqn: -1,
      authScheme: 'Digest-SHA',
      color: 'blue',
    });
    expect(r.status).toBe(400);
    const messages: string[] = r.json.message;
    for (const field of ['imsi', 'msisdn', 'k', 'op', 'amf', 'sqn', 'authScheme', 'color']) {
      expect([field, messages.some((m) => m.includes(field))]).toEqual([field, true]);
    }
    expect(messages).toContain('k must be 32 hex characters');
    expect(messages).toContain('amf must be 4 hex characters');
    expect(messages).toContain('imsi must be 6 to 15 digits');
    expect(r.text).not.toContain('zz5b5ce8');
    expect(r.text).not.toContain('cdc202d5');
  });

  it('answers 400 to a body that is not JSON without quoting it', async () => {
    for (const body of [`k=${SET1.k}`, `{"k": ${SET1.k}}`, `{"imsi":"1","k":"${SET1.k}",}`]) {
      const r = await hss.call('POST', '/subscribers', body, {
        'content-type': 'application/json',
      });
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/^body is not valid JSON/);
      expect(r.text).not.toContain(SET1.k.slice(0, 6));
    }
  });

  it.each([
    [
      { imsi: '001010000000009', msisdn: '15550009', opc: SET1.opc },
      'k is required for Digest-AKAv1-MD5',
    ],
    [
      { imsi: '001010000000009', msisdn: '15550009', k: SET1.k },
      'op or opc is required for Digest-AKAv1-MD5',
    ],
    [
      { imsi: '001010000000009', msisdn: '15550009', k: SET1.k, op: SET1.op, opc: SET1.opc },
      'op and opc are exclusive: give one of them',
    ],
    [{ imsi: '001010000000009', authScheme: 'SIP Digest' }, 'password is required for SIP Digest'],
  ])('answers 400 for inconsistent auth data %#', async (body, message) => {
    const r = await call('POST', '/subscribers', body);
    expect(r.status).toBe(400);
    expect(r.json.message).toContain(message);
    expectNoSecrets(r.text, secrets);
  });

  it('answers 409 naming the identity that already exists', async () => {
    const again = await call('POST', '/subscribers', {
      imsi: '001010000000001',
      msisdn: '15550099',
      k: SET1.k,
      opc: SET1.opc,
    });
    expect(again.status).toBe(409);
    expect(again.json.message).toBe(`private identity 001010000000001@${DOMAIN} already exists`);
    const sameMsisdn = await call('POST', '/subscribers', {
      imsi: '001010000000098',
      msisdn: '15550001',
      k: SET1.k,
      opc: SET1.opc,
    });
    expect(sameMsisdn.status).toBe(409);
    expect(sameMsisdn.json.message).toMatch(/public identity (sip:\+15550001@|tel:\+15550001)/);
    expect((await call('GET', '/subscribers/001010000000098')).status).toBe(404);
  });

  it('answers 404 for unknown subscribers and identities', async () => {
    expect((await call('GET', '/subscribers/999990000000000')).json.message).toBe(
      'subscriber 999990000000000 not found',
    );
    expect((await call('DELETE', '/subscribers/999990000000000')).status).toBe(404);
    expect((await call('POST', '/subscribers/999990000000000/deregister', {})).status).toBe(404);
    expect((await call('GET', `/private-identities/${enc('nobody@example.org')}`)).status).toBe(
      404,
    );
    expect((await call('GET', '/public-identities/99999')).status).toBe(404);
    expect(
      (
        await call('POST', '/subscribers', {
          imsi: '001010000000097',
          k: SET1.k,
          opc: SET1.opc,
          serviceProfile: 'gold',
        })
      ).json,
    ).toMatchObject({
      statusCode: 404,
      message: 'service profile gold not found',
    });
  });

  it('paginates and filters by IMSI, MSISDN and IMPU prefix', async () => {
    for (let i = 10; i < 35; i++) {
      const r = await call('POST', '/subscribers', {
        imsi: `0010200000000${i}`,
        msisdn: `1666000${i}`,
        k: SET1.k,
        opc: SET1.opc,
      });
      expect(r.status).toBe(201);
    }
    const p1 = await call('GET', '/subscribers?imsi=00102&limit=10');
    expect(p1.json).toMatchObject({ total: 25, page: 1, limit: 10 });
    expect(p1.json.items.map((s: any) => s.imsi)).toEqual(
      Array.from({ length: 10 }, (_, i) => `0010200000000${10 + i}`),
    );
    const p3 = await call('GET', '/subscribers?imsi=00102&limit=10&page=3');
    expect(p3.json.items.map((s: any) => s.imsi)).toEqual(
      Array.from({ length: 5 }, (_, i) => `0010200000000${30 + i}`),
    );
    expect(
      (await call('GET', '/subscribers?msisdn=166600012')).json.items.map((s: any) => s.imsi),
    ).toEqual(['001020000000012']);
    expect((await call('GET', '/subscribers?msisdn=%2B16660002&limit=1000')).json.total).toBe(10);
    const byImpu = await call('GET', `/subscribers?impu=${enc(`sip:+1666000${33}@`)}`);
    expect(byImpu.json.items.map((s: any) => s.imsi)).toEqual(['001020000000033']);
    expect((await call('GET', '/subscribers?impu=sip%3Anobody')).json).toEqual({
      items: [],
      total: 0,
      page: 1,
      limit: 50,
    });
    // LIKE wildcards in a prefix match literally.
    expect((await call('GET', '/subscribers?imsi=%25')).json.total).toBe(0);
    const tooMany = await call('GET', '/subscribers?limit=1001&page=0');
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.message).toEqual(
      expect.arrayContaining([
        'limit must not be greater than 1000',
        'page must not be less than 1',
      ]),
    );
  });

  it('de-registers a registered subscriber: one deregister event per S-CSCF (RTR, TS 29.228 §6.1.3)', async () => {
    const notRegistered = await call('POST', '/subscribers/001010000000002/deregister', {});
    expect(notRegistered.status).toBe(409);
    expect(await hss.settledEvents()).toEqual([]);

    const impus = [`sip:001010000000002@${DOMAIN}`, `sip:+15550002@${DOMAIN}`, 'tel:+15550002'];
    hss.register(impus);
    const r = await call('POST', '/subscribers/001010000000002/deregister', {
      reason: 'SERVER_CHANGE',
    });
    expect(r.status).toBe(202);
    const expected = {
      impi: `001010000000002@${DOMAIN}`,
      impus,
      scscfName: SCSCF_NAME,
      scscfDiameterHost: SCSCF_HOST,
      reason: 'SERVER_CHANGE',
    };
    expect(await hss.settledEvents()).toEqual([{ name: 'deregister', payload: expected }]);
    expect(r.json).toEqual({
      reason: 'SERVER_CHANGE',
      deregistrations: [
        {
          impi: expected.impi,
          impus,
          scscfName: expected.scscfName,
          scscfDiameterHost: expected.scscfDiameterHost,
        },
      ],
    });
    const bad = await call('POST', '/subscribers/001010000000002/deregister', { reason: 'BORED' });
    expect(bad.status).toBe(400);
    expect(bad.json.message[0]).toMatch(/^reason must be one of PERMANENT_TERMINATION/);
  });

  it('de-registers one implicit set through POST /public-identities/:impu/deregister', async () => {
    hss.register([`sip:+15550001@${DOMAIN}`], 'sip:scscf2.example:6060', 'scscf2.example');
    const r = await call(
      'POST',
      `/public-identities/${enc(`sip:+15550001@${DOMAIN}`)}/deregister`,
      {},
    );
    expect(r.status).toBe(202);
    expect(await hss.settledEvents()).toEqual([
      {
        name: 'deregister',
        payload: {
          impi: `001010000000001@${DOMAIN}`,
          impus: [`sip:+15550001@${DOMAIN}`],
          scscfName: 'sip:scscf2.example:6060',
          scscfDiameterHost: 'scscf2.example',
          reason: 'PERMANENT_TERMINATION',
        },
      },
    ]);
  });

  it('tells the S-CSCF when a registered user changes: barring -> profile-changed (PPR)', async () => {
    const impu = `sip:001010000000002@${DOMAIN}`;
    const r = await call('PATCH', `/public-identities/${enc(impu)}`, { barred: true });
    expect(r.status).toBe(200);
    expect(r.json.barred).toBe(true);
    expect(await hss.settledEvents()).toEqual([
      {
        name: 'profile-changed',
        payload: {
          impi: `001010000000002@${DOMAIN}`,
          impus: [impu],
          scscfDiameterHost: SCSCF_HOST,
        },
      },
    ]);
    expect(impuRows([impu])).toMatchObject([{ barred: 1 }]);
  });

  it('deletes a registered subscriber: deregister (PERMANENT_TERMINATION), then every identity is gone', async () => {
    const r = await call('DELETE', '/subscribers/001010000000002');
    expect(r.status).toBe(204);
    const events = await hss.settledEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      name: 'deregister',
      payload: {
        impi: `001010000000002@${DOMAIN}`,
        reason: 'PERMANENT_TERMINATION',
        scscfDiameterHost: SCSCF_HOST,
      },
    });
    expect(events[0].payload.impus).toHaveLength(3);
    expect((await call('GET', '/subscribers/001010000000002')).status).toBe(404);
    expect(impuRows([`sip:001010000000002@${DOMAIN}`, 'tel:+15550002'])).toEqual([]);
    // Deleting one that is not registered emits nothing.
    expect((await call('DELETE', '/subscribers/001010000000003')).status).toBe(204);
    expect(await hss.settledEvents()).toEqual([]);
  });
});
