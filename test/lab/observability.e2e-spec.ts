/**
 * /health, /metrics and the logs of every role over real HTTP (docs/observability.md): the
 * four roles as processes from dist/ (test/support/lab.ts), one IMS AKA registration through
 * them, and then:
 *
 * - each /metrics is valid Prometheus text (strict parser) and its counters moved by exactly
 *   what the registration did: REGISTER 401 then 200 at each CSCF, UAR x2 at the I-CSCF,
 *   MAR and SAR at the S-CSCF, the same four Cx requests answered at the HSS, the REST
 *   POST /subscribers, one registration and one binding held;
 * - each /health is 200 with the SIP sockets bound and the Cx peer open;
 * - every log line of every role is one JSON object with time, level, role, msg; SIP_TRACE
 *   (P-CSCF) and DIAMETER_TRACE (S-CSCF, HSS) give one structured entry per message.
 */
import { UeSimulator, parseLogLines, parsePrometheusText, sampleSum, sampleValue } from '@lib/ims';
import type { PromFamily } from '@lib/ims';
import { DOMAIN, freePort, Lab, type Role } from '../support/lab';
import { akaSubscriber, shortcutBody } from '../support/subscribers';

jest.setTimeout(90000);

type Families = Map<string, PromFamily>;

describe('observability of the running core', () => {
  let lab: Lab;
  const http: Record<Exclude<Role, 'hss'>, number> = { pcscf: 0, icscf: 0, scscf: 0 };

  const base = (role: Role) =>
    role === 'hss' ? lab.hssUrl : `http://127.0.0.1:${http[role as Exclude<Role, 'hss'>]}`;

  async function scrape(role: Role): Promise<Families> {
    const res = await fetch(`${base(role)}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parsePrometheusText(await res.text());
  }

  beforeAll(async () => {
    http.pcscf = await freePort();
    http.icscf = await freePort();
    http.scscf = await freePort();
    lab = await Lab.start({
      env: {
        PCSCF_HTTP_PORT: String(http.pcscf),
        ICSCF_HTTP_PORT: String(http.icscf),
        SCSCF_HTTP_PORT: String(http.scscf),
      },
      roleEnv: {
        pcscf: { SIP_TRACE: 'true' },
        scscf: { DIAMETER_TRACE: 'true' },
        hss: { DIAMETER_TRACE: 'true' },
      },
    });
    await lab.waitForCxPeers(2);
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('serves /health on each role: 200, SIP UDP and TCP bound, the Cx peer open', async () => {
    for (const role of ['pcscf', 'icscf', 'scscf'] as const) {
      const res = await fetch(`${base(role)}/health`);
      const body = (await res.json()) as {
        status: string;
        role: string;
        sip: { port: number; transports: Record<string, boolean> };
        diameter?: { peers: { open: boolean; state: string }[] };
      };
      expect({ role, status: res.status, body: body.status }).toEqual({
        role,
        status: 200,
        body: 'ok',
      });
      expect(body.role).toBe(role);
      expect(body.sip.port).toBe(lab.ports[role]);
      expect(body.sip.transports).toEqual({ UDP: true, TCP: true });
      if (role === 'pcscf') expect(body.diameter).toBeUndefined();
      else expect(body.diameter!.peers.some((p) => p.open && /Open$/.test(p.state))).toBe(true);
    }
    const hss = await fetch(`${lab.hssUrl}/health`);
    expect(hss.status).toBe(200);
    expect(((await hss.json()) as { status: string }).status).toBe('ok');
    const missing = await fetch(`${base('pcscf')}/nothing`);
    expect(missing.status).toBe(404);
    const post = await fetch(`${base('pcscf')}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('counts one AKA registration in every role, by the right amounts', async () => {
    const before = {
      pcscf: await scrape('pcscf'),
      icscf: await scrape('icscf'),
      scscf: await scrape('scscf'),
      hss: await scrape('hss'),
    };
    const s = akaSubscriber();
    expect((await lab.rest('POST', '/subscribers', shortcutBody(s))).status).toBe(201);
    const ue = await UeSimulator.start({
      impi: s.impi,
      impu: s.impu,
      domain: DOMAIN,
      pcscf: { host: '127.0.0.1', port: lab.ports.pcscf, transport: 'UDP' },
      credentials: { k: s.k, op: s.op },
      expires: 600,
      timers: { T1: 100 },
    });
    try {
      const r = await ue.register();
      expect(r.status).toBe(200);
      expect(r.challenges).toBe(1);

      const after = {
        pcscf: await scrape('pcscf'),
        icscf: await scrape('icscf'),
        scscf: await scrape('scscf'),
        hss: await scrape('hss'),
      };
      const delta = (role: keyof typeof after, name: string, labels: Record<string, string>) =>
        sampleSum(after[role], name, labels) - sampleSum(before[role], name, labels);

      // Every CSCF answered the UE's two REGISTERs (401, then 200) and, the P- and I-CSCF,
      // forwarded them and got the same codes back (RFC 3261 §16: one client transaction each).
      for (const role of ['pcscf', 'icscf', 'scscf'] as const) {
        for (const code of ['401', '200']) {
          const labels = { direction: 'in', method: 'REGISTER', code };
          expect({ role, ...labels, d: delta(role, 'sip_transactions_total', labels) }).toEqual({
            role,
            ...labels,
            d: 1,
          });
        }
        expect(
          delta(role, 'sip_transaction_duration_seconds_count', {
            direction: 'in',
            method: 'REGISTER',
          }),
        ).toBe(2);
        expect(delta(role, 'ims_register_outcomes_total', { outcome: 'challenged' })).toBe(1);
        expect(delta(role, 'ims_register_outcomes_total', { outcome: 'registered' })).toBe(1);
      }
      for (const role of ['pcscf', 'icscf'] as const) {
        for (const code of ['401', '200']) {
          expect(
            delta(role, 'sip_transactions_total', { direction: 'out', method: 'REGISTER', code }),
          ).toBe(1);
        }
      }
      expect(sampleValue(after.pcscf, 'ims_registrations')).toBe(
        sampleValue(before.pcscf, 'ims_registrations') + 1,
      );
      expect(sampleValue(after.scscf, 'ims_registrations')).toBe(
        sampleValue(before.scscf, 'ims_registrations') + 1,
      );
      expect(sampleValue(after.scscf, 'ims_registration_bindings')).toBe(
        sampleValue(before.scscf, 'ims_registration_bindings') + 1,
      );

      // Cx: two UARs from the I-CSCF (one per REGISTER), MAR then SAR from the S-CSCF, each
      // answered with a 2xxx; the HSS counts the same four on its side.
      const cx = (role: 'icscf' | 'scscf' | 'hss', direction: string, command: string) =>
        delta(role, 'diameter_requests_total', { direction, command });
      expect(cx('icscf', 'out', 'UAR')).toBe(2);
      expect(cx('scscf', 'out', 'MAR')).toBe(1);
      expect(cx('scscf', 'out', 'SAR')).toBe(1);
      expect(cx('hss', 'in', 'UAR')).toBe(2);
      expect(cx('hss', 'in', 'MAR')).toBe(1);
      expect(cx('hss', 'in', 'SAR')).toBe(1);
      for (const role of ['icscf', 'scscf', 'hss'] as const) {
        for (const f of after[role].get('diameter_requests_total')!.samples) {
          if (['UAR', 'MAR', 'SAR'].includes(f.labels.command)) {
            expect(f.labels.result).toMatch(/^2\d{3}$/);
          }
        }
      }
      expect(delta('scscf', 'diameter_request_duration_seconds_count', { command: 'MAR' })).toBe(1);
      expect(sampleValue(after.scscf, 'diameter_peers_open')).toBe(1);
      expect(sampleValue(after.hss, 'diameter_peers_open')).toBeGreaterThanOrEqual(2);

      // REST: the POST /subscribers, by route template and status.
      expect(
        delta('hss', 'http_requests_total', {
          method: 'POST',
          route: '/subscribers',
          status: '201',
        }),
      ).toBe(1);
      expect(after.hss.get('http_request_duration_seconds')?.type).toBe('histogram');
      // A path with an identity is counted under its route template, never the identity.
      expect((await lab.rest('GET', `/subscribers/${s.imsi}`)).status).toBe(200);
      expect((await lab.rest('GET', '/subscribers/001019999999999')).status).toBe(404);
      const rest = await scrape('hss');
      const get = (status: string) =>
        sampleValue(rest, 'http_requests_total', {
          method: 'GET',
          route: '/subscribers/:imsi',
          status,
        });
      expect([get('200'), get('404')]).toEqual([1, 1]);
      const routes = rest.get('http_requests_total')!.samples.map((x) => x.labels.route);
      expect(routes.some((r) => r.includes(s.imsi))).toBe(false);
      // Every transaction of the registration ends (timer J/K, RFC 3261 §17): each CSCF's
      // sip_transactions_active drains back to 0.
      const deadline = Date.now() + 60000;
      for (const role of ['pcscf', 'icscf', 'scscf'] as const) {
        const active = async () => {
          const m = await scrape(role);
          return (
            sampleValue(m, 'sip_transactions_active', { kind: 'client' }) +
            sampleValue(m, 'sip_transactions_active', { kind: 'server' })
          );
        };
        while ((await active()) > 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 500));
        expect({ role, active: await active() }).toEqual({ role, active: 0 });
      }
    } finally {
      await ue.deregister().catch(() => undefined);
      await ue.close();
    }
  });

  it('logs one JSON object per line in every role, and traces SIP and Diameter as entries', async () => {
    for (const role of ['hss', 'scscf', 'icscf', 'pcscf'] as const) {
      const text = lab.logs(role);
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      expect(lines.length).toBeGreaterThan(0);
      const parsed = parseLogLines(text);
      // Nothing but JSON lines: a line that is not JSON would break a log shipper.
      expect(lines.filter((l) => !l.startsWith('{'))).toEqual([]);
      expect(parsed).toHaveLength(lines.length);
      for (const l of parsed) {
        expect(l.role).toBe(role);
        expect(new Date(l.time).toISOString()).toBe(l.time);
        expect(['fatal', 'error', 'warn', 'info', 'debug', 'verbose']).toContain(l.level);
      }
    }

    const sip = parseLogLines(lab.logs('pcscf')).filter((l) => l.trace === 'sip');
    const register = sip.filter((l) => /^REGISTER /.test(String(l.sip)));
    // Two REGISTERs in from the UE, two out to the I-CSCF (the registration above).
    expect(register.filter((l) => l.direction === 'in').length).toBeGreaterThanOrEqual(2);
    expect(register.filter((l) => l.direction === 'out').length).toBeGreaterThanOrEqual(2);
    expect(register[0]).toMatchObject({ transport: 'UDP', context: 'P-CSCF' });
    expect(String(register[0].msg)).toMatch(/^SIP (<<<|>>>) UDP 127\.0\.0\.1:\d+ REGISTER sip:/);

    for (const role of ['scscf', 'hss'] as const) {
      const cx = parseLogLines(lab.logs(role)).filter((l) => l.trace === 'diameter');
      const mar = cx.filter((l) => l.command === 'MAR');
      const maa = cx.filter((l) => l.command === 'MAA');
      // The registration's MAR, and one more if the de-registration was challenged again.
      expect(mar.length).toBeGreaterThanOrEqual(1);
      expect({ role, maa: maa.length }).toEqual({ role, maa: mar.length });
      expect(maa[0].resultCode).toBe(2001);
      expect(maa[0].hopByHop).toBe(mar[0].hopByHop);
      expect((maa[0].diameter as { command: string }).command).toBe('Multimedia-Auth-Answer');
      expect(cx.some((l) => l.command === 'CER' || l.command === 'CEA')).toBe(true);
    }
  });
});
