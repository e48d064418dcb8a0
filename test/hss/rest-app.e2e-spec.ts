/**
 * The HSS application around the REST API: the write token (reads stay open), OpenAPI at
 * /docs and /docs-json, /health, the demo seed (HSS_SEED_DEMO), data surviving a restart on
 * the same sqlite file (a changed SQN included), the data directory created when missing, and
 * a bad configuration variable stopping the boot with its name.
 */
import { join } from 'node:path';
import { computeOpc } from '@lib/ims';
import { asciiHex, DEMO_SUBSCRIBERS } from '../../apps/hss/src/seed/demo-subscribers';
import { DOMAIN, enc, expectNoSecrets, SET1, TestHss, tempDir } from './rest-support';

const TOKEN = 'lab-token-5f2c';

describe('HSS app: token, OpenAPI, health, demo seed, restart', () => {
  const tmp = tempDir();
  // A directory that does not exist yet: the HSS creates it.
  const dbPath = join(tmp.dir, 'data', 'nested', 'hss.sqlite');
  let hss: TestHss;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const demoSecrets = DEMO_SUBSCRIBERS.flatMap((s) => [
    asciiHex(s.kText),
    asciiHex(s.opText),
    s.kText,
    s.opText,
  ]);

  beforeAll(async () => {
    hss = await TestHss.start(dbPath, { apiToken: TOKEN, seedDemo: true });
  }, 60000);

  afterAll(async () => {
    await hss?.close();
    tmp.cleanup();
  }, 20000);

  it('seeds the demo subscribers with SIPp-usable keys: 16 printable characters, AMF 8000', async () => {
    const list = await hss.call('GET', '/subscribers');
    expect(list.json.items.map((s: any) => [s.imsi, s.msisdn, s.amf, s.opType])).toEqual([
      ['001010000000001', '15550001', '8000', 'op'],
      ['001010000000002', '15550002', '8000', 'op'],
    ]);
    expectNoSecrets(list.text, demoSecrets);
    for (const s of DEMO_SUBSCRIBERS) {
      // SIPp reads aka_K / aka_OP as the bytes of the text; '[' would abort it (SIPP-NOTES).
      expect(s.kText).toMatch(/^[A-Za-z0-9]{16}$/);
      expect(s.opText).toMatch(/^[A-Za-z0-9]{16}$/);
      const row = hss.db((db) =>
        db
          .prepare('SELECT k, op, opc, amf, sqn FROM private_identities WHERE impi = ?')
          .get(`${s.imsi}@${DOMAIN}`),
      );
      expect(row).toEqual({
        k: Buffer.from(s.kText).toString('hex'),
        op: Buffer.from(s.opText).toString('hex'),
        opc: computeOpc(Buffer.from(s.kText), Buffer.from(s.opText)).toString('hex'),
        amf: '8000',
        sqn: 0,
      });
    }
  });

  it('needs the bearer token for every write and keeps reads open', async () => {
    const body = { imsi: '001010000000050', msisdn: '15550050', k: SET1.k, opc: SET1.opc };
    expect((await hss.call('POST', '/subscribers', body)).status).toBe(401);
    expect(
      (await hss.call('POST', '/subscribers', body, { authorization: 'Bearer wrong' })).status,
    ).toBe(401);
    expect((await hss.call('POST', '/subscribers', body, { authorization: TOKEN })).status).toBe(
      401,
    );
    const denied = await hss.call('POST', '/service-profiles', { name: 'x' });
    expect(denied.json).toMatchObject({
      statusCode: 401,
      message: 'a valid Authorization: Bearer token is required for writes',
    });
    expect((await hss.call('PATCH', '/subscriptions/1', { name: 'x' })).status).toBe(401);
    expect((await hss.call('DELETE', '/subscribers/001010000000001')).status).toBe(401);
    expect((await hss.call('POST', '/subscribers/001010000000001/deregister', {})).status).toBe(
      401,
    );
    expect((await hss.call('GET', '/subscribers/001010000000001')).status).toBe(200);
    expect((await hss.call('GET', '/service-profiles')).status).toBe(200);
    expect((await hss.call('GET', '/subscribers/001010000000050')).status).toBe(404);

    expect((await hss.call('POST', '/subscribers', body, auth)).status).toBe(201);
    expect((await hss.call('DELETE', '/subscribers/001010000000050', undefined, auth)).status).toBe(
      204,
    );
  });

  it('publishes OpenAPI at /docs-json (every resource path, secrets write-only) and Swagger UI at /docs', async () => {
    const doc = await hss.call('GET', '/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/subscribers',
        '/subscribers/bulk',
        '/subscribers/{imsi}',
        '/subscribers/{imsi}/deregister',
        '/subscriptions',
        '/subscriptions/{id}',
        '/private-identities',
        '/private-identities/{ref}',
        '/public-identities',
        '/public-identities/{ref}',
        '/public-identities/{ref}/deregister',
        '/service-profiles',
        '/service-profiles/{id}',
        '/ifcs',
        '/ifcs/{id}',
        '/application-servers',
        '/application-servers/{id}',
        '/scscf-capabilities',
        '/scscf-capabilities/{id}',
      ]),
    );
    const schemas = doc.json.components.schemas;
    for (const field of ['k', 'op', 'opc', 'password']) {
      expect([field, schemas.CreateSubscriberDto.properties[field].writeOnly]).toEqual([
        field,
        true,
      ]);
    }
    expect(schemas.CreateSubscriberDto.required).toContain('imsi');
    for (const view of ['SubscriberView', 'PrivateIdentityView']) {
      expect(Object.keys(schemas[view].properties)).not.toEqual(expect.arrayContaining(['k']));
      expect(
        Object.keys(schemas[view].properties).filter((p) =>
          ['k', 'op', 'opc', 'password'].includes(p),
        ),
      ).toEqual([]);
    }
    const ui = await hss.call('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('reports health: the database answers and Cx listens on the port createHssApp reported', async () => {
    const health = await hss.call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({
      status: 'ok',
      db: 'up',
      diameter: { listening: true, port: hss.diameterPort, peers: [] },
    });
    expect(hss.diameterPort).toBeGreaterThan(0);
  });

  it('keeps the data across a restart on the same file: changed SQN, deletions, secrets; no re-seed', async () => {
    const impi = `001010000000001@${DOMAIN}`;
    const patched = await hss.call(
      'PATCH',
      `/private-identities/${enc(impi)}`,
      { sqn: 0x21 },
      auth,
    );
    expect(patched.json.sqn).toBe(0x21);
    expect((await hss.call('DELETE', '/subscribers/001010000000002', undefined, auth)).status).toBe(
      204,
    );
    await hss.close();

    hss = await TestHss.start(dbPath, { seedDemo: true });
    const one = await hss.call('GET', '/subscribers/001010000000001');
    expect(one.json).toMatchObject({ imsi: '001010000000001', sqn: 0x21, opType: 'op' });
    expect(one.json.impus).toHaveLength(3);
    // The database was not empty: the deleted demo subscriber stays deleted.
    expect((await hss.call('GET', '/subscribers/001010000000002')).status).toBe(404);
    expect((await hss.call('GET', '/subscribers')).json.total).toBe(1);
    const row = hss.db((db) =>
      db.prepare('SELECT k, opc FROM private_identities WHERE impi = ?').get(impi),
    );
    expect(row).toEqual({
      k: asciiHex(DEMO_SUBSCRIBERS[0].kText),
      opc: computeOpc(
        Buffer.from(DEMO_SUBSCRIBERS[0].kText),
        Buffer.from(DEMO_SUBSCRIBERS[0].opText),
      ).toString('hex'),
    });
    // No token configured this time: writes are open.
    expect((await hss.call('POST', '/service-profiles', { name: 'open' })).status).toBe(201);
  }, 60000);

  it.each([
    [
      'IMS_DOMAIN',
      'bad domain!',
      'configuration: IMS_DOMAIN must be an IP address or a host name (got "bad domain!")',
    ],
  ])(
    'stops the boot naming a bad variable: %s=%s',
    async (name, value, message) => {
      const other = tempDir();
      const started = TestHss.start(other.dbPath, {}, { [name]: value });
      try {
        await expect(started).rejects.toThrow(message);
      } finally {
        await started.then((h) => h.close()).catch(() => undefined);
        other.cleanup();
      }
    },
    60000,
  );
});
