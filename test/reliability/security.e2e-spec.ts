/**
 * Issue 9 "Security", over the whole core (four role processes, real sockets):
 *
 * - REST writes need the configured token (HSS_API_TOKEN, RFC 6750 §2.1 Bearer); reads do not.
 * - No REST response and no Cx message from the HSS carries K, OP, OPc or a password: every
 *   REST response of a CRUD run and the Cx bytes of AKA and SIP Digest registrations (relayed
 *   through a recording TCP relay between the CSCFs and the HSS) are scanned for the secrets
 *   as hex (any case), base64 and raw bytes.
 * - Oversized and injection-shaped REST input gets 400 naming the field (a whole oversized
 *   body gets 413), and a query filter cannot widen a listing.
 * - A replayed nonce / nonce-count is refused by the S-CSCF (RFC 2617 §3.2.2, RFC 3261
 *   §22.4), also when replayed from another UE's socket.
 * - The P-CSCF never forwards a UE's own P-Asserted-Identity (RFC 3325 §5, TS 24.229
 *   §5.2.6.3.3: it removes it and asserts the identity itself).
 * - The HSS answers CER from an unknown peer with 3010 DIAMETER_UNKNOWN_PEER (RFC 6733 §5.3).
 * - The S-CSCF answers a REGISTER that did not come through a trusted P-/I-CSCF (TS 24.229
 *   §5.4.1.1, SCSCF_TRUSTED_PEERS) with 403 before any MAR, also one forging the I-CSCF's Via.
 * - Repeated wrong authentication responses for one IMPI are throttled at the S-CSCF: 403
 *   without MAR during the back-off, accepted again after it.
 * - `npm audit --omit=dev` reports no high or critical advisory.
 */
import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import * as net from 'node:net';
import {
  avp,
  createRequest as createDiameterRequest,
  CX_APPLICATION_ID,
  decodeMessage,
  encodeMessage,
  VENDOR_3GPP,
} from '@lib/diameter';
import { computeOpc, UeSimulator } from '@lib/ims';
import { createRequest, type SipRequest } from '@lib/sip';
import { DOMAIN, freePort, Lab, ROOT } from '../support/lab';
import { TEST_SET_1 } from '../support/hss-provisioning';
import { akaSubscriber, type TestSubscriber } from '../support/subscribers';
import { RawUe } from '../scscf/raw-ue';

jest.setTimeout(120_000);

const TOKEN = 'rel-test-token-0123456789';
/** The S-CSCF's failure throttle in this suite: 3 wrong answers, then 4 s of 403. */
const AUTH_MAX_FAILURES = 3;
const AUTH_BACKOFF_S = 4;
const PASSWORD = 'Digest-Pa55word-never-returned';

/** A TCP relay that records every byte the far side (the HSS) sends back. */
class RecordingRelay {
  readonly fromTarget: Buffer[] = [];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        this.fromTarget.push(Buffer.from(d));
        client.write(d);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
  }

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  bytes(): Buffer {
    return Buffer.concat(this.fromTarget);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Every textual and binary form a secret could leak in. */
function forms(hexOrText: string, isHex: boolean): { text: string[]; bytes: Buffer[] } {
  if (!isHex)
    return {
      text: [hexOrText, Buffer.from(hexOrText).toString('base64')],
      bytes: [Buffer.from(hexOrText)],
    };
  const raw = Buffer.from(hexOrText, 'hex');
  return {
    text: [hexOrText.toLowerCase(), hexOrText.toUpperCase(), raw.toString('base64')],
    bytes: [raw, Buffer.from(hexOrText.toLowerCase()), Buffer.from(hexOrText.toUpperCase())],
  };
}

describe('security of the core (issue 9)', () => {
  let lab: Lab;
  let relay: RecordingRelay;
  const restResponses: { what: string; text: string }[] = [];
  const aka: TestSubscriber = akaSubscriber('00101');
  const md5: TestSubscriber = akaSubscriber('00101');
  /** K and OPc (its `op` used as OPc) of a private identity created resource by resource. */
  const handBuilt: TestSubscriber = akaSubscriber('00101');
  const secrets: { name: string; text: string[]; bytes: Buffer[] }[] = [];

  async function call(
    method: string,
    url: string,
    body?: unknown,
    token: string | null = TOKEN, // null: no Authorization header
  ): Promise<{ status: number; json: any; text: string }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${lab.hssUrl}${url}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    restResponses.push({ what: `${method} ${url} -> ${res.status}`, text });
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  beforeAll(async () => {
    const hssDiameter = await freePort();
    relay = new RecordingRelay(hssDiameter);
    await relay.listen();
    const viaRelay = `127.0.0.1:${relay.port}`;
    lab = await Lab.start({
      env: { HSS_DIAMETER_PORT: String(hssDiameter), SCSCF_HSS: viaRelay, ICSCF_HSS: viaRelay },
      roleEnv: {
        hss: {
          HSS_API_TOKEN: TOKEN,
          HSS_DIAMETER_ALLOWED_PEERS: `scscf.${DOMAIN},icscf.${DOMAIN}`,
        },
        // What the P-CSCF forwards is visible in the next hops' SIP traces.
        icscf: { SIP_TRACE: 'true' },
        scscf: {
          SIP_TRACE: 'true',
          SCSCF_AUTH_MAX_FAILURES: String(AUTH_MAX_FAILURES),
          SCSCF_AUTH_BACKOFF: String(AUTH_BACKOFF_S),
        },
      },
    });
    await lab.waitForCxPeers(2);
    for (const s of [aka, md5]) {
      secrets.push({ name: `K of ${s.imsi}`, ...forms(s.k, true) });
      secrets.push({ name: `OP of ${s.imsi}`, ...forms(s.op, true) });
      secrets.push({
        name: `OPc of ${s.imsi}`,
        ...forms(computeOpc(s.k, s.op).toString('hex'), true),
      });
    }
    secrets.push({ name: 'K of the hand-built IMPI', ...forms(handBuilt.k, true) });
    secrets.push({ name: 'OPc of the hand-built IMPI', ...forms(handBuilt.op, true) });
    secrets.push({ name: 'the password', ...forms(PASSWORD, false) });
  });

  afterAll(async () => {
    await lab?.stop();
    await relay?.close();
  });

  it('REST writes need the configured Bearer token; reads do not', async () => {
    const body = { imsi: aka.imsi, msisdn: aka.msisdn, k: aka.k, op: aka.op };
    expect((await call('POST', '/subscribers', body, null)).status).toBe(401);
    expect((await call('POST', '/subscribers', body, 'wrong-token')).status).toBe(401);
    expect((await call('GET', `/subscribers/${aka.imsi}`, undefined, null)).status).toBe(404);
    expect((await call('POST', '/subscribers', body)).status).toBe(201);
    const s = await call('POST', '/subscriptions', { name: `rel-${aka.imsi}` }, null);
    expect(s.status).toBe(401);
    const del = await call('DELETE', `/subscribers/${aka.imsi}`, undefined, 'x');
    expect(del.status).toBe(401);
    expect((await call('GET', `/subscribers/${aka.imsi}`, undefined, null)).status).toBe(200);
  });

  it('a CRUD run and AKA and SIP Digest registrations leak no K, OP, OPc or password (REST and Cx)', async () => {
    // The digest subscriber and a hand-built subscription with every resource.
    expect(
      (
        await call('POST', '/subscribers', {
          imsi: md5.imsi,
          msisdn: md5.msisdn,
          authScheme: 'SIP Digest',
          password: PASSWORD,
        })
      ).status,
    ).toBe(201);
    const sub = await call('POST', '/subscriptions', { name: `rel-sec-${aka.imsi}` });
    expect(sub.status).toBe(201);
    const impu = `sip:rel-sec-${aka.imsi}@${DOMAIN}`;
    const impi = `rel-sec-${aka.imsi}@${DOMAIN}`;
    expect(
      (await call('POST', '/public-identities', { impu, subscriptionId: sub.json.id })).status,
    ).toBe(201);
    const pi = await call('POST', '/private-identities', {
      impi,
      subscriptionId: sub.json.id,
      k: handBuilt.k,
      opc: handBuilt.op,
      publicIdentities: [impu],
    });
    expect(pi.status).toBe(201);
    const patched = await call('PATCH', `/private-identities/${encodeURIComponent(impi)}`, {
      k: handBuilt.k,
      opc: handBuilt.op,
    });
    expect(patched.status).toBe(200);
    const digest = await call('PATCH', `/private-identities/${encodeURIComponent(impi)}`, {
      authScheme: 'SIP Digest',
      password: PASSWORD,
    });
    expect(digest.status).toBe(200);
    for (const url of [
      `/subscribers/${aka.imsi}`,
      `/subscribers/${md5.imsi}`,
      '/subscribers',
      '/private-identities',
      `/private-identities/${encodeURIComponent(impi)}`,
      `/private-identities/${encodeURIComponent(aka.impi)}`,
      `/private-identities/${encodeURIComponent(md5.impi)}`,
      '/public-identities',
      `/subscriptions/${sub.json.id}`,
      '/subscriptions',
      '/service-profiles',
      '/docs-json',
      '/health',
    ])
      expect((await call('GET', url)).status).toBeLessThan(500);

    // Registrations: AKA over UDP, SIP Digest over TCP, both through every element.
    for (const [s, credentials, transport] of [
      [aka, { k: aka.k, op: aka.op }, 'UDP'],
      [md5, { password: PASSWORD }, 'TCP'],
    ] as const) {
      const ue = await UeSimulator.start({
        impi: s.impi,
        impu: s.impu,
        domain: DOMAIN,
        pcscf: { host: '127.0.0.1', port: lab.ports.pcscf, transport },
        credentials,
        expires: 600,
        timers: { T1: 200 },
      });
      try {
        expect((await ue.register()).status).toBe(200);
        expect((await ue.deregister()).status).toBe(200);
      } finally {
        await ue.close();
      }
      await call('GET', `/subscribers/${s.imsi}/attempts?limit=50`);
    }
    expect((await call('DELETE', `/private-identities/${encodeURIComponent(impi)}`)).status).toBe(
      204,
    );
    expect((await call('DELETE', `/subscribers/${md5.imsi}`)).status).toBeLessThan(300);

    const cx = relay.bytes();
    // The relay saw the Cx answers (MAA, SAA...) of both registrations.
    expect(cx.length).toBeGreaterThan(1000);
    const leaks: string[] = [];
    for (const secret of secrets) {
      for (const r of restResponses)
        for (const t of secret.text)
          if (t && r.text.includes(t)) leaks.push(`${secret.name} in REST ${r.what}`);
      for (const b of secret.bytes)
        if (cx.includes(b)) leaks.push(`${secret.name} in a Cx message from the HSS`);
    }
    expect(leaks).toEqual([]);
    expect(restResponses.length).toBeGreaterThan(20);
  });

  it('oversized and injection-shaped REST input gets 400 naming the field', async () => {
    const base = akaSubscriber('00101');
    const good = { imsi: base.imsi, msisdn: base.msisdn, k: base.k, op: base.op };
    const cases: [string, Record<string, unknown>, string][] = [
      ['/subscribers', { ...good, imsi: "001010000000001' OR '1'='1" }, 'imsi'],
      ['/subscribers', { ...good, imsi: '0'.repeat(5000) }, 'imsi'],
      ['/subscribers', { ...good, msisdn: '<script>alert(1)</script>' }, 'msisdn'],
      ['/subscribers', { ...good, k: 'f'.repeat(100000) }, 'k'],
      ['/subscribers', { ...good, op: "'; DROP TABLE private_identities; --" }, 'op'],
      ['/subscribers', { ...good, serviceProfile: 'x'.repeat(300) }, 'serviceProfile'],
      ['/subscribers', { ...good, amf: { $gt: '' } }, 'amf'],
      ['/subscriptions', { name: 'x'.repeat(100000) }, 'name'],
      ['/public-identities', { impu: `sip:a@b\r\nVia: evil`, subscriptionId: 1 }, 'impu'],
      [
        '/public-identities',
        { impu: `sip:${'a'.repeat(70000)}@${DOMAIN}`, subscriptionId: 1 },
        'impu',
      ],
      [
        '/application-servers',
        { name: 'as', serverName: 'javascript:alert(1)', defaultHandling: 0 },
        'serverName',
      ],
    ];
    const wrong: string[] = [];
    for (const [url, body, field] of cases) {
      const r = await call('POST', url, body);
      const message = JSON.stringify(r.json?.message ?? r.text);
      if (r.status !== 400 || !message.includes(field))
        wrong.push(`POST ${url} ${field}: ${r.status} ${message.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
    // Nothing of it was stored.
    expect(
      (await call('GET', `/subscribers?imsi=${encodeURIComponent("001010000000001' OR '1'='1")}`))
        .json?.total ?? 0,
    ).toBe(0);
    // A whole body past the server's limit: 413, not a crash.
    const huge = await call(
      'POST',
      '/subscriptions',
      JSON.stringify({ name: 'x'.repeat(20 * 1024 * 1024) }),
    );
    expect([400, 413]).toContain(huge.status);
    // A query filter is a prefix, not SQL: it cannot widen the listing.
    const all = (await call('GET', '/subscribers?limit=1')).json.total;
    expect(all).toBeGreaterThan(0);
    const injected = await call('GET', `/subscribers?imsi=${encodeURIComponent("' OR 1=1 --")}`);
    expect([200, 400]).toContain(injected.status);
    if (injected.status === 200) expect(injected.json.total).toBe(0);
    // The HSS still serves.
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('the S-CSCF refuses a replayed nonce-count, also from another UE socket (RFC 2617 §3.2.2)', async () => {
    const imsi = `0010199${String(process.pid % 100000).padStart(5, '0')}1`.slice(0, 15);
    expect(
      (
        await call('POST', '/subscribers', {
          imsi,
          msisdn: `1556${imsi.slice(-7)}`,
          k: TEST_SET_1.k,
          opc: TEST_SET_1.opc,
        })
      ).status,
    ).toBe(201);
    // RawUe sends to the P-CSCF: the replay crosses P-CSCF and I-CSCF like a real one.
    const ue = await RawUe.start(lab.ports.pcscf, imsi);
    const attacker = await RawUe.start(lab.ports.pcscf, imsi);
    try {
      const { ok, authorization } = await ue.registerAka();
      expect(ok.status).toBe(200);
      const replay = await ue.send(ue.register({ authorization }));
      expect(replay.status).toBe(401);
      expect(replay.get('Warning') ?? '').toMatch(/nonce/);
      const elsewhere = await attacker.send(attacker.register({ authorization }));
      expect([401, 403]).toContain(elsewhere.status);
      // The registered UE goes on with the next nonce-count.
      expect((await ue.send(ue.register({ authorization: ue.answer(2) }))).status).toBe(200);
    } finally {
      await ue.close();
      await attacker.close();
    }
  });

  it("the P-CSCF never forwards a UE's own P-Asserted-Identity (RFC 3325 §5, TS 24.229 §5.2.6.3.3)", async () => {
    const imsi = `0010198${String(process.pid % 100000).padStart(5, '0')}2`.slice(0, 15);
    expect(
      (
        await call('POST', '/subscribers', {
          imsi,
          msisdn: `1557${imsi.slice(-7)}`,
          k: TEST_SET_1.k,
          opc: TEST_SET_1.opc,
        })
      ).status,
    ).toBe(201);
    const forged = `sip:forged-${process.pid}@${DOMAIN}`;
    const ue = await RawUe.start(lab.ports.pcscf, imsi);
    try {
      // An initial REGISTER carrying a P-Asserted-Identity (TS 24.229 §5.2.2.1: removed).
      const first = ue.register();
      first.append('P-Asserted-Identity', `<${forged}>`);
      ue.accept(await ue.send(first));
      const second = ue.register({ authorization: ue.answer(1) });
      second.append('P-Asserted-Identity', `<${forged}>`);
      const ok = await ue.send(second);
      expect(ok.status).toBe(200);
      const routes = ok.getAll('Service-Route');
      // A request of the registered UE (TS 24.229 §5.2.6.3.3: the P-CSCF removes any
      // P-Asserted-Identity and inserts the asserted identity).
      const message: SipRequest = createRequest({
        method: 'MESSAGE',
        uri: `sip:somebody@${DOMAIN}`,
        headers: [
          ['Max-Forwards', '70'],
          ['From', `<sip:${imsi}@${DOMAIN}>;tag=pai1`],
          ['To', `<sip:somebody@${DOMAIN}>`],
          ['Call-ID', `pai-${process.pid}@rel`],
          ['CSeq', '1 MESSAGE'],
          ...routes.map((r) => ['Route', r] as [string, string]),
          ['P-Asserted-Identity', `<${forged}>`],
          ['Content-Type', 'text/plain'],
        ],
        body: Buffer.from('hello'),
      });
      await ue.send(message);
      await new Promise((r) => setTimeout(r, 1000));
      const downstream = lab.logs('icscf') + lab.logs('scscf');
      // The traces show whole messages: the REGISTERs and the MESSAGE arrived downstream...
      expect(downstream).toMatch(/Path: </); // (logs may be JSON: no \b before it)
      expect(downstream).toContain(imsi);
      expect(lab.logs('scscf')).toContain(`pai-${process.pid}@rel`);
      // ...never with the UE's forged identity.
      expect(downstream).not.toContain(forged);
    } finally {
      await ue.close();
    }
  });

  it('the HSS answers CER from an unknown peer with 3010 DIAMETER_UNKNOWN_PEER', async () => {
    const sock = net.connect(Number(lab.env('hss').HSS_DIAMETER_PORT), '127.0.0.1');
    await once(sock, 'connect');
    try {
      const cer = createDiameterRequest('Capabilities-Exchange-Request', 'Base', [
        avp('Origin-Host', 'intruder.example.net'),
        avp('Origin-Realm', 'example.net'),
        avp('Host-IP-Address', { family: 1, address: '127.0.0.1' }),
        avp('Vendor-Id', 0),
        avp('Product-Name', 'intruder'),
        avp('Vendor-Specific-Application-Id', {
          'Vendor-Id': VENDOR_3GPP,
          'Auth-Application-Id': CX_APPLICATION_ID,
        }),
      ]);
      cer.hopByHop = 7;
      sock.write(encodeMessage(cer));
      const [data] = (await once(sock, 'data')) as [Buffer];
      const cea = decodeMessage(data.subarray(0, data.readUIntBE(1, 3)));
      expect(cea.commandCode).toBe(257);
      expect(cea.resultCode()).toBe(3010);
    } finally {
      sock.destroy();
    }
    // The real peers are unaffected.
    await lab.waitForCxPeers(2);
  });

  /** MARs the HSS has answered so far (its /metrics, DiameterMetrics direction="in"). */
  async function marsAnswered(): Promise<number> {
    const m = await lab.metrics('hss');
    if (!m) throw new Error('HSS /metrics unavailable');
    let n = 0;
    for (const [key, value] of m) {
      if (
        key.startsWith('diameter_requests_total{') &&
        key.includes('direction="in"') &&
        key.includes('command="MAR"')
      )
        n += value;
    }
    return n;
  }

  async function provision(imsi: string, msisdnPrefix: string): Promise<void> {
    const r = await call('POST', '/subscribers', {
      imsi,
      msisdn: `${msisdnPrefix}${imsi.slice(-7)}`,
      k: TEST_SET_1.k,
      opc: TEST_SET_1.opc,
    });
    expect(r.status).toBe(201);
  }

  it('the S-CSCF accepts REGISTER only through trusted P-/I-CSCFs (TS 24.229 §5.4.1.1)', async () => {
    const imsi = `0010197${String(process.pid % 100000).padStart(5, '0')}3`.slice(0, 15);
    await provision(imsi, '1558');
    const marsBefore = await marsAnswered();
    // 1. Straight to the S-CSCF from a UE socket (127.0.0.1, an ephemeral port): 403.
    const direct = await RawUe.start(lab.ports.scscf, imsi);
    // 2. A datagram from another ephemeral port whose Via claims to be the I-CSCF (the lab's
    //    roles all share 127.0.0.1, so only the port tells them apart); `rport` brings the
    //    answer back here (RFC 3581).
    const forger = dgram.createSocket('udp4');
    await new Promise<void>((r) => forger.bind(0, '127.0.0.1', () => r()));
    const through = await RawUe.start(lab.ports.pcscf, imsi);
    try {
      const res = await direct.send(direct.register());
      expect(res.status).toBe(403);
      expect(res.get('Warning') ?? '').toMatch(/not received through a trusted P-\/I-CSCF/);
      expect(res.get('Warning') ?? '').toContain(`Via 127.0.0.1:${direct.stack.port}`);

      const forged = direct.register();
      const branch = `z9hG4bK-forged-${process.pid}`;
      const icscfPort = lab.ports.icscf;
      const wire = forged
        .toString()
        .replace(
          /^(REGISTER [^\r]*\r\n)/,
          `$1Via: SIP/2.0/UDP 127.0.0.1:${icscfPort};rport;branch=${branch}\r\n`,
        );
      const answered = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('no answer to the forged REGISTER')),
          10_000,
        );
        forger.on('message', (data) => {
          if (!data.toString().includes(branch)) return;
          clearTimeout(timer);
          resolve(data.toString());
        });
      });
      forger.send(Buffer.from(wire), lab.ports.scscf, '127.0.0.1');
      const forgedAnswer = await answered;
      expect(forgedAnswer).toMatch(/^SIP\/2\.0 403 /);
      expect(forgedAnswer).toMatch(/not received through a trusted P-\/I-CSCF/);

      // No MAR reached the HSS for either.
      expect(await marsAnswered()).toBe(marsBefore);
      // The operator sees the refusal in the S-CSCF's log: the first from 127.0.0.1 at warn,
      // the second (same source, within the minute) only counted.
      const refused = lab
        .warnings('scscf', 50)
        .filter((l) => l.includes('not a trusted P-/I-CSCF'));
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatch(/"level":"warn"/);
      expect(refused[0]).toContain(`Via 127.0.0.1:${direct.stack.port}`);

      // 3. Through P-CSCF and I-CSCF (the default SCSCF_TRUSTED_PEERS: the own I-CSCF).
      const { ok } = await through.registerAka();
      expect(ok.status).toBe(200);
      expect(await marsAnswered()).toBe(marsBefore + 1);
      const bye = await through.send(
        through.register({ authorization: through.answer(2), expires: 0 }),
      );
      expect(bye.status).toBe(200);
    } finally {
      forger.close();
      await direct.close();
      await through.close();
    }
  });

  it('throttles repeated authentication failures for one IMPI (403 without MAR, then back)', async () => {
    const imsi = `0010196${String(process.pid % 100000).padStart(5, '0')}4`.slice(0, 15);
    await provision(imsi, '1559');
    const ue = await RawUe.start(lab.ports.pcscf, imsi);
    try {
      // AUTH_MAX_FAILURES wrong answers, each to a fresh challenge (one MAR each).
      for (let i = 0; i < AUTH_MAX_FAILURES; i++) {
        ue.accept(await ue.send(ue.register()));
        const wrong = ue
          .answer(1)
          .replace(/response="?[0-9a-f]+"?/, `response="${'0'.repeat(32)}"`);
        const res = await ue.send(ue.register({ authorization: wrong }));
        expect(res.status).toBe(403);
        expect(res.get('Warning') ?? '').toMatch(/wrong response/);
      }
      const marsBefore = await marsAnswered();
      const blockedAt = Date.now();
      // During the back-off even a first REGISTER (which would be challenged) is refused,
      // without asking the HSS.
      const refused = await ue.send(ue.register());
      expect(refused.status).toBe(403);
      expect(refused.get('Warning') ?? '').toMatch(/too many failed authentications/);
      expect(await marsAnswered()).toBe(marsBefore);
      // After the back-off the right credentials are accepted.
      const waitMs = AUTH_BACKOFF_S * 1000 - (Date.now() - blockedAt) + 500;
      await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
      const { challengeResponse, ok } = await ue.registerAka();
      expect(challengeResponse.status).toBe(401);
      expect(ok.status).toBe(200);
      expect(await marsAnswered()).toBe(marsBefore + 1);
      // The success reset the counter: one wrong answer now is refused as wrong, not throttled.
      ue.accept(await ue.send(ue.register()));
      const wrong = ue.answer(1).replace(/response="?[0-9a-f]+"?/, `response="${'0'.repeat(32)}"`);
      const once = await ue.send(ue.register({ authorization: wrong }));
      expect(once.get('Warning') ?? '').toMatch(/wrong response/);
      const again = await ue.send(ue.register());
      expect(again.status).toBe(401);
    } finally {
      await ue.close();
    }
  });
});

describe('dependencies', () => {
  // Asked once when the suite loads: the registry may be unreachable from this machine.
  const audit = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  let report: { metadata?: { vulnerabilities?: Record<string, number> } } | undefined;
  try {
    report = JSON.parse(audit.stdout);
  } catch {
    report = undefined;
  }
  const answered = report?.metadata?.vulnerabilities !== undefined;
  if (!answered)
    console.warn(
      `npm audit skipped: the package registry reached from here did not answer the audit request (exit ${audit.status}: ${(report as { message?: string } | undefined)?.message ?? audit.stderr.slice(-300)})`,
    );
  (answered ? it : it.skip)('npm audit --omit=dev reports no high or critical advisory', () => {
    const v = report!.metadata!.vulnerabilities!;
    expect({ high: v.high ?? 0, critical: v.critical ?? 0 }).toEqual({ high: 0, critical: 0 });
  });
});
