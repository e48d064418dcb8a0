/**
 * Killing and restarting a role under the running lab (issue 6, docs/troubleshooting.md
 * "Diameter peer down"): the four roles as processes from dist/ (test/support/lab.ts).
 *
 * - HSS killed with SIGKILL: the I- and S-CSCF log the Diameter peer loss as a structured
 *   warn entry, their /health turns 503 naming the closed Cx connection, a REGISTER gets a
 *   clean 480 with Retry-After and a `Warning: 399` cause (TS 24.229 §5.3.1.2: the HSS cannot
 *   be asked); after the restart (same database) they reconnect on their own, /health is 200
 *   again and the subscriber provisioned before the crash registers again.
 * - S-CSCF killed with SIGKILL: the I-CSCF answers a REGISTER with 504 and a Warning once its
 *   client transaction to the S-CSCF times out (RFC 3261 §16.7, TS 24.229 §5.3.1.3: no other
 *   S-CSCF to select); after the restart, registration through the P-CSCF works again.
 */
import { parseLogLines, parsePrometheusText, sampleValue, UeSimulator } from '@lib/ims';
import { DOMAIN, Lab, type Role } from '../support/lab';
import { akaSubscriber, shortcutBody, type TestSubscriber } from '../support/subscribers';

jest.setTimeout(240000);

type Cscf = Exclude<Role, 'hss'>;

describe('killing and restarting the HSS or the S-CSCF under the running lab', () => {
  let lab: Lab;
  const ues: UeSimulator[] = [];
  let alice: TestSubscriber;

  async function health(role: Cscf): Promise<{ status: number; body: { problems: string[] } }> {
    const res = await fetch(`http://127.0.0.1:${lab.httpPort(role)}/health`);
    return { status: res.status, body: (await res.json()) as { problems: string[] } };
  }

  async function waitHealth(role: Cscf, status: number, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 0;
    while (Date.now() < deadline) {
      last = (await health(role).catch(() => ({ status: 0 }))).status;
      if (last === status) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${role} /health stayed ${last}, expected ${status}`);
  }

  async function ue(
    s: TestSubscriber,
    to: { port: number; T1?: number } = { port: lab.ports.pcscf },
  ): Promise<UeSimulator> {
    const u = await UeSimulator.start({
      impi: s.impi,
      impu: s.impu,
      domain: DOMAIN,
      pcscf: { host: '127.0.0.1', port: to.port, transport: 'UDP' },
      credentials: { k: s.k, op: s.op },
      expires: 600,
      timers: { T1: to.T1 ?? 100 },
    });
    ues.push(u);
    return u;
  }

  beforeAll(async () => {
    lab = await Lab.start({
      env: {
        // Retry-After of the 480 sent while the HSS is unreachable.
        ICSCF_RETRY_AFTER: '7',
      },
    });
    await lab.waitForCxPeers(2);
    alice = akaSubscriber();
    expect((await lab.rest('POST', '/subscribers', shortcutBody(alice))).status).toBe(201);
    expect((await (await ue(alice)).register()).status).toBe(200);
  });

  afterEach(async () => {
    while (ues.length) await ues.pop()!.close();
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('HSS killed: peer loss logged, /health 503, REGISTER 480 with a cause; restarted: reconnected, nobody lost', async () => {
    for (const role of ['icscf', 'scscf'] as const) await waitHealth(role, 200);
    await lab.stopRole('hss', 'SIGKILL');

    for (const role of ['icscf', 'scscf'] as const) {
      await waitHealth(role, 503);
      const h = await health(role);
      expect(h.body.problems.join(' ')).toMatch(/no open Diameter Cx connection to the HSS/);
      const down = parseLogLines(lab.logs(role)).filter((l) => l.event === 'diameter-peer-down');
      expect(down.length).toBeGreaterThanOrEqual(1);
      expect(down[0]).toMatchObject({ level: 'warn', role, context: 'Observability' });
      expect(down[0].msg).toMatch(/^Diameter peer down/);
    }
    // The P-CSCF has no Diameter: it stays healthy and keeps relaying.
    expect((await health('pcscf')).status).toBe(200);

    const during = await (await ue(alice)).register();
    expect(during.status).toBe(480);
    expect(during.final.get('Retry-After')).toBe('7');
    expect(during.final.get('Warning')).toMatch(/^399 \S+ "HSS unreachable/);
    const metrics = parsePrometheusText(
      await (await fetch(`http://127.0.0.1:${lab.httpPort('scscf')}/metrics`)).text(),
    );
    expect(sampleValue(metrics, 'diameter_peers_open')).toBe(0);
    expect(
      sampleValue(metrics, 'diameter_peer_events_total', { event: 'down' }),
    ).toBeGreaterThanOrEqual(1);

    await lab.startRole('hss');
    for (const role of ['icscf', 'scscf'] as const) {
      await waitHealth(role, 200);
      const lines = parseLogLines(lab.logs(role));
      const down = lines.findIndex((l) => l.event === 'diameter-peer-down');
      const upAgain = lines.findIndex((l, i) => i > down && l.event === 'diameter-peer-up');
      expect({ role, upAgain: upAgain > down }).toEqual({ role, upAgain: true });
    }
    await lab.waitForCxPeers(2);

    // Provisioned before the crash, still there, and registering again (SQN kept on disk).
    expect((await lab.rest('GET', `/subscribers/${alice.imsi}`)).status).toBe(200);
    const after = await (await ue(alice)).register();
    expect(after.status).toBe(200);
    expect(after.challenges).toBe(1);
  });

  it('S-CSCF killed: the I-CSCF answers 504 with a cause; restarted: registration works again', async () => {
    await lab.stopRole('scscf', 'SIGKILL');
    // The HSS sees the S-CSCF's Cx connection go; the I-CSCF's stays.
    await lab.waitForCxPeers(1);
    expect((await health('icscf')).status).toBe(200);

    // Straight to the I-CSCF, with a UE patient enough (timer F = 64*T1) to see its answer:
    // its client transaction to the dead S-CSCF ends with timer F (64*T1 = 32 s over UDP).
    const started = Date.now();
    const during = await (await ue(alice, { port: lab.ports.icscf, T1: 1000 })).register();
    expect(during.status).toBe(504);
    expect(during.final.get('Warning')).toMatch(/^399 \S+ "S-CSCF unreachable/);
    expect(Date.now() - started).toBeLessThan(60000);

    await lab.startRole('scscf');
    await waitHealth('scscf', 200);
    await lab.waitForCxPeers(2);
    const after = await (await ue(alice)).register();
    expect(after.status).toBe(200);
    expect(after.associatedUris.length).toBe(alice.impus.length);
    for (const role of ['pcscf', 'icscf', 'scscf'] as const) {
      expect({ role, status: (await health(role)).status }).toEqual({ role, status: 200 });
    }
  });
});
