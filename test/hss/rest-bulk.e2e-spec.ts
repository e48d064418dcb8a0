/**
 * HSS REST bulk import, POST /subscribers/bulk: thousands of subscribers as a JSON array or
 * CSV in one transaction; one bad row rejects the whole file with its row number and field,
 * and nothing of it is imported.
 */
import { DOMAIN, expectNoSecrets, SET1, SET2, TestHss, tempDir } from './rest-support';

const imsiAt = (prefix: string, i: number) =>
  `${prefix}${String(i).padStart(15 - prefix.length, '0')}`;

function csv(header: string, rows: number, line: (i: number) => string): string {
  return [header, ...Array.from({ length: rows }, (_, i) => line(i))].join('\r\n');
}

describe('HSS REST: bulk import', () => {
  const tmp = tempDir();
  let hss: TestHss;
  const count = () =>
    hss.db(
      (db) => (db.prepare('SELECT count(*) AS n FROM private_identities').get() as { n: number }).n,
    );

  beforeAll(async () => {
    hss = await TestHss.start(tmp.dbPath);
  }, 60000);

  afterAll(async () => {
    await hss?.close();
    tmp.cleanup();
  }, 20000);

  it('imports 2000 subscribers from a JSON array', async () => {
    const body = Array.from({ length: 2000 }, (_, i) => ({
      imsi: imsiAt('00101100', i),
      msisdn: `1700${String(i).padStart(6, '0')}`,
      k: SET1.k,
      opc: SET1.opc,
    }));
    const r = await hss.call('POST', '/subscribers/bulk', body);
    expect([r.status, r.json]).toEqual([201, { imported: 2000, rows: 2000 }]);
    const page = await hss.call('GET', '/subscribers?imsi=00101100&limit=1000&page=2');
    expect(page.json.total).toBe(2000);
    expect(page.json.items[999]).toMatchObject({
      imsi: imsiAt('00101100', 1999),
      msisdn: '1700001999',
      impi: `${imsiAt('00101100', 1999)}@${DOMAIN}`,
      opType: 'opc',
    });
    expect(page.json.items[999].impus.map((i: any) => i.impu)).toEqual([
      `sip:${imsiAt('00101100', 1999)}@${DOMAIN}`,
      `sip:+1700001999@${DOMAIN}`,
      'tel:+1700001999',
    ]);
    expectNoSecrets(page.text, [SET1.k, SET1.opc]);
  });

  it('imports 3000 subscribers from CSV with OP, AMF and SQN columns (OPc derived per row)', async () => {
    const text = csv(
      'imsi,msisdn,k,op,amf,sqn',
      3000,
      (i) =>
        `${imsiAt('00101200', i)},1800${String(i).padStart(6, '0')},${SET2.k},${SET2.op},8000,${i}`,
    );
    const r = await hss.call('POST', '/subscribers/bulk', text, { 'content-type': 'text/csv' });
    expect([r.status, r.json]).toEqual([201, { imported: 3000, rows: 3000 }]);
    const row = hss.db((db) =>
      db
        .prepare('SELECT k, op, opc, op_type, amf, sqn FROM private_identities WHERE impi = ?')
        .get(`${imsiAt('00101200', 2999)}@${DOMAIN}`),
    );
    expect(row).toEqual({
      k: SET2.k,
      op: SET2.op,
      opc: SET2.opc,
      op_type: 'op',
      amf: '8000',
      sqn: 2999,
    });
    // One implicit set per subscriber, the sip:<imsi> IMPU its default.
    const sets = hss.db((db) =>
      db
        .prepare(
          `SELECT implicit_set_id, sum(is_default) AS defaults, count(*) AS n FROM public_identities WHERE impu LIKE 'tel:+1800%' OR impu LIKE 'sip:00101200%' OR impu LIKE 'sip:+1800%' GROUP BY implicit_set_id`,
        )
        .all(),
    ) as { defaults: number; n: number }[];
    expect(sets).toHaveLength(3000);
    expect(sets.every((s) => s.defaults === 1 && s.n === 3)).toBe(true);
  });

  it('rejects a whole CSV file for one bad row, naming its row, line and field', async () => {
    const before = count();
    const text = csv('imsi,msisdn,k,opc', 2500, (i) =>
      i === 1499
        ? `${imsiAt('00101300', i)},1900001499,${SET1.k.slice(0, 30)}xx,${SET1.opc}`
        : `${imsiAt('00101300', i)},1900${String(i).padStart(6, '0')},${SET1.k},${SET1.opc}`,
    );
    const r = await hss.call('POST', '/subscribers/bulk', text, { 'content-type': 'text/csv' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({
      imported: 0,
      errorCount: 1,
      errors: [{ row: 1500, line: 1501, field: 'k', message: 'k must be 32 hex characters' }],
    });
    expect(r.json.message).toMatch(
      /nothing imported: 1 bad row\(s\) of 2500, first at row 1500 \(k: /,
    );
    expectNoSecrets(r.text, [SET1.k, SET1.opc]);
    expect(count()).toBe(before);
    expect((await hss.call('GET', '/subscribers?imsi=00101300')).json.total).toBe(0);
  });

  it('rejects a JSON array naming each bad row and field, and repeats inside the file', async () => {
    const body = [
      { imsi: '001014000000001', msisdn: '15554001', k: SET1.k, opc: SET1.opc },
      { imsi: '0010', msisdn: '15554002', k: SET1.k, opc: SET1.opc, extra: 1 },
      { imsi: '001014000000003', msisdn: '15554003', k: SET1.k },
      { imsi: '001014000000001', msisdn: '15554004', k: SET1.k, opc: SET1.opc },
      'not an object',
    ];
    const before = count();
    const r = await hss.call('POST', '/subscribers/bulk', body);
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual([
      { row: 2, field: 'extra', message: 'property extra should not exist' },
      { row: 2, field: 'imsi', message: 'imsi must be 6 to 15 digits' },
      { row: 3, field: 'op', message: 'op or opc is required for Digest-AKAv1-MD5' },
      { row: 4, field: 'imsi', message: 'imsi 001014000000001 repeats row 1' },
      { row: 5, field: 'row', message: 'must be an object' },
    ]);
    expect(count()).toBe(before);
  });

  it('answers 409 naming the rows whose identities already exist, importing none of the file', async () => {
    const before = count();
    const body = [
      { imsi: '001015000000001', msisdn: '15555001', k: SET1.k, opc: SET1.opc },
      { imsi: imsiAt('00101100', 7), msisdn: '15555002', k: SET1.k, opc: SET1.opc },
      { imsi: '001015000000003', msisdn: '1700000009', k: SET1.k, opc: SET1.opc },
    ];
    const r = await hss.call('POST', '/subscribers/bulk', body);
    expect(r.status).toBe(409);
    expect(r.json.errors).toEqual([
      {
        row: 2,
        field: 'imsi',
        message: `private identity ${imsiAt('00101100', 7)}@${DOMAIN} already exists`,
      },
      {
        row: 2,
        field: 'imsi',
        message: `public identity sip:${imsiAt('00101100', 7)}@${DOMAIN} already exists`,
      },
      {
        row: 3,
        field: 'msisdn',
        message: `public identity sip:+1700000009@${DOMAIN} already exists`,
      },
      { row: 3, field: 'msisdn', message: 'public identity tel:+1700000009 already exists' },
    ]);
    expect(count()).toBe(before);
    expect((await hss.call('GET', '/subscribers/001015000000001')).status).toBe(404);
  });

  it('refuses unknown CSV columns, a missing service profile, and a body that is no list', async () => {
    const unknown = await hss.call(
      'POST',
      '/subscribers/bulk',
      'imsi,msisdn,ki\n001016000000001,1,2',
      { 'content-type': 'text/csv' },
    );
    expect(unknown.json).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('unknown column(s) ki'),
    });
    const quoted = await hss.call(
      'POST',
      '/subscribers/bulk',
      `imsi,"k",opc,serviceProfile\n"001016000000002",${SET1.k},${SET1.opc},"silver, plus"`,
      {
        'content-type': 'text/csv',
      },
    );
    expect(quoted.json.errors).toEqual([
      {
        row: 1,
        line: 2,
        field: 'serviceProfile',
        message: 'service profile silver, plus not found',
      },
    ]);
    expect(
      (await hss.call('POST', '/subscribers/bulk', { imsi: '001016000000003' })).json.message,
    ).toMatch(/^body must be a JSON array/);
  });
});
