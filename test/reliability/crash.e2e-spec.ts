/**
 * Crashes (issue 9, docs/reliability.md "Crashes"): the four roles as processes from dist/
 * (test/support/lab.ts, each lab with its own temp dir for hss.sqlite, scscf.sqlite and
 * pcscf.sqlite). For each role in turn — HSS, S-CSCF, P-CSCF, I-CSCF:
 *
 * 1. a modest load runs: three UEs re-registering in a loop over UDP (IMS AKA: MAR, SAR);
 * 2. the role is killed with SIGKILL mid-load (no shutdown hook runs, nothing is flushed);
 * 3. while it is down, the others keep serving what they can, each checked over real SIP:
 *    HSS down: a REGISTER gets 480 with Retry-After and a cause within seconds (TS 24.229
 *    §5.3.1.2); S-CSCF down: the I-CSCF still answers an unknown user 403 (UAR), and a UE
 *    patient enough gets a final error with a cause, not a hang (RFC 3261 §16.7: 408/504
 *    when timer F fires); P-CSCF down: the I-CSCF, S-CSCF and HSS register a UE sent
 *    straight to the I-CSCF; I-CSCF down: a registered UE's reg-event SUBSCRIBE (P-CSCF ->
 *    S-CSCF by Service-Route, no I-CSCF on the way) is answered 200;
 * 4. the role restarts (same files); the load recovers (time measured);
 * 5. nothing is lost: every UE registered before the crash is still REGISTERED in the HSS
 *    and counted by the S-CSCF and P-CSCF (/metrics ims_registrations); two UEs registered
 *    before any crash call each other through the restarted role, the caller's identity
 *    asserted by the P-CSCF (RFC 3325); for the HSS, subscriber data is intact and SQN never
 *    went backwards (every SQN a UE accepted is at or below SQN_HE on disk, TS 33.102
 *    §6.3.2, and no registration after the restart needed an AUTS resynchronisation).
 *
 * Prints `CRASH-REPORT <json>` with the figures of docs/reliability.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLogLines, UeSimulator } from '@lib/ims';
import { createScscfApp, type ScscfApp } from '../../apps/scscf/src/scscf-app';
import { RegistrationPersistence } from '../../apps/scscf/src/registration';
import { provision, rest } from '../scscf/hss-support';
import { startCore, startUe, type Core } from '../scscf/scscf-support';
import { Lab, type Role } from '../support/lab';
import { akaSubscriber, shortcutBody, type TestSubscriber } from '../support/subscribers';

jest.setTimeout(300000);

interface Attempt {
  ue: string;
  started: number;
  ended: number;
  status: number;
  resynchronised: boolean;
}

interface RoleFigures {
  role: Role;
  /** Load registrations before the kill / while down (and their statuses) / after restart. */
  load: { before: number; duringStatuses: Record<string, number>; after: number };
  /** What the others still did while it was down. */
  keptServing: string;
  /** Start of the restart to the role serving again, and to the first load success. */
  restartMs: number;
  recoverMs: number;
  /** Registrations held before the kill and restored by the restarted process (CSCFs). */
  registrationsBefore?: number;
  restored?: number;
  lost: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crashes: SIGKILL one role under load, restart, nothing lost', () => {
  let lab: Lab;
  const ues: UeSimulator[] = [];
  let alice: { s: TestSubscriber; ue: UeSimulator };
  let bob: { s: TestSubscriber; ue: UeSimulator };
  /** Registered before the S-CSCF crash, de-registered by the HSS (RTR) after its restart. */
  let carol: { s: TestSubscriber; ue: UeSimulator } | undefined;
  const load: { s: TestSubscriber; ue: UeSimulator }[] = [];
  const figures: RoleFigures[] = [];

  async function startUe(s: TestSubscriber, port = lab.ports.pcscf, T1 = 100) {
    const ue = await UeSimulator.start({
      impi: s.impi,
      impu: s.impu,
      domain: lab.domain,
      pcscf: { host: '127.0.0.1', port, transport: 'UDP' },
      credentials: { k: s.k, op: s.op },
      expires: 600,
      timers: { T1 },
    });
    ues.push(ue);
    return ue;
  }

  async function subscriber(): Promise<TestSubscriber> {
    const s = akaSubscriber();
    const res = await lab.rest('POST', '/subscribers', shortcutBody(s));
    if (res.status !== 201) throw new Error(`POST /subscribers -> ${res.status}`);
    return s;
  }

  async function registered(): Promise<{ s: TestSubscriber; ue: UeSimulator }> {
    const s = await subscriber();
    const ue = await startUe(s);
    const r = await ue.register();
    if (r.status !== 200) throw new Error(`${s.impu} did not register: ${r.status}`);
    return { s, ue };
  }

  /** The load: each load UE re-registers in a loop until stopped. */
  function runLoad(): { attempts: Attempt[]; stop(): Promise<void> } {
    const attempts: Attempt[] = [];
    let running = true;
    const loops = load.map(async ({ s, ue }) => {
      while (running) {
        const started = Date.now();
        const r = await ue.register().catch(() => ({ status: -1, resynchronised: false }));
        attempts.push({
          ue: s.impu,
          started,
          ended: Date.now(),
          status: r.status,
          resynchronised: r.resynchronised,
        });
        await sleep(r.status === 200 ? 100 : 300);
      }
    });
    return {
      attempts,
      stop: async () => {
        running = false;
        await Promise.all(loops);
      },
    };
  }

  async function until(what: string, check: () => Promise<boolean> | boolean, ms = 45000) {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(100);
    }
    throw new Error(`not within ${ms} ms: ${what}`);
  }

  async function registrationState(s: TestSubscriber): Promise<string | undefined> {
    const r = await lab.rest<{ impus?: { impu: string; registrationState: string }[] }>(
      'GET',
      `/subscribers/${s.imsi}`,
    );
    return r.body?.impus?.find((p) => p.impu === s.impu)?.registrationState;
  }

  async function registrations(role: 'pcscf' | 'scscf'): Promise<number | undefined> {
    return (await lab.metrics(role))?.get('ims_registrations');
  }

  /** The last "restored N registration(s)" line the role logged. */
  function restoredCount(role: 'pcscf' | 'scscf'): number | undefined {
    const lines = parseLogLines(lab.logs(role))
      .map((l) => /restored (\d+) registration/.exec(String(l.msg ?? '')))
      .filter((m): m is RegExpExecArray => m !== null);
    return lines.length ? Number(lines[lines.length - 1][1]) : undefined;
  }

  /** A call from alice to bob: INVITE, 200, ACK, BYE; the callee sees alice asserted. */
  async function callAliceToBob(): Promise<void> {
    const call = alice.ue.call(bob.s.impu);
    const incoming = await bob.ue.waitForCall(15000);
    const asserted = incoming.invite.pAssertedIdentities().map((a) => a.uri);
    expect(asserted).toContain(alice.s.impu);
    const ack = incoming.answer();
    const ok = await call.answered;
    expect(ok.status).toBe(200);
    expect(await ack).toBeDefined();
    expect((await call.bye()).status).toBe(200);
  }

  /** Every UE registered before the crash still is: HSS state and the registrars' counts. */
  async function nothingLost(): Promise<void> {
    const everyone = [alice, bob, ...load, ...(carol ? [carol] : [])];
    for (const { s } of everyone) {
      expect({ impu: s.impu, state: await registrationState(s) }).toEqual({
        impu: s.impu,
        state: 'REGISTERED',
      });
    }
    expect(await registrations('scscf')).toBe(everyone.length);
    expect(await registrations('pcscf')).toBe(everyone.length);
  }

  /**
   * Kills `role` under load, runs `whileDown`, restarts it and waits until every load UE
   * registered again; returns the figures.
   */
  async function crash(role: Role, whileDown: () => Promise<string>): Promise<RoleFigures> {
    const before = role === 'scscf' || role === 'pcscf' ? await registrations(role) : undefined;
    const loadRun = runLoad();
    await until('load running', () => loadRun.attempts.filter((a) => a.status === 200).length >= 3);
    const killedAt = Date.now();
    await lab.stopRole(role, 'SIGKILL');
    let keptServing: string;
    try {
      keptServing = await whileDown();
    } catch (err) {
      // Leave the lab whole for the next role.
      await loadRun.stop();
      await lab.startRole(role);
      throw err;
    }
    // Down for at least 3 s, so the load meets the dead role and not only the restart.
    await sleep(Math.max(0, killedAt + 3000 - Date.now()));
    const restartAt = Date.now();
    await lab.startRole(role);
    if (role !== 'pcscf') await lab.waitForCxPeers(2, 30000);
    const servingAt = Date.now();
    await until('every load UE registered after the restart', () =>
      load.every(({ s }) =>
        loadRun.attempts.some((a) => a.ue === s.impu && a.started >= servingAt && a.status === 200),
      ),
    );
    await loadRun.stop();
    const a = loadRun.attempts;
    const firstOk = Math.min(
      ...a.filter((x) => x.started >= restartAt && x.status === 200).map((x) => x.ended),
    );
    const duringStatuses: Record<string, number> = {};
    for (const x of a.filter((x) => x.started >= killedAt && x.started < restartAt)) {
      duringStatuses[x.status] = (duringStatuses[x.status] ?? 0) + 1;
    }
    // No registration after the restart needed an AUTS resynchronisation (SQN kept).
    expect(a.filter((x) => x.started >= restartAt && x.resynchronised)).toEqual([]);
    const restored = role === 'scscf' || role === 'pcscf' ? restoredCount(role) : undefined;
    const f: RoleFigures = {
      role,
      load: {
        before: a.filter((x) => x.ended < killedAt && x.status === 200).length,
        duringStatuses,
        after: a.filter((x) => x.started >= restartAt && x.status === 200).length,
      },
      keptServing,
      restartMs: servingAt - restartAt,
      recoverMs: firstOk - restartAt,
      registrationsBefore: before,
      restored,
      lost: before !== undefined && restored !== undefined ? before - restored : 0,
    };
    figures.push(f);
    return f;
  }

  beforeAll(async () => {
    lab = await Lab.start({
      env: {
        ICSCF_RETRY_AFTER: '3',
        SCSCF_RETRY_AFTER: '3',
        IMS_EXPLAIN_FAILURES: 'true',
      },
    });
    await lab.waitForCxPeers(2);
    alice = await registered();
    bob = await registered();
    for (let i = 0; i < 3; i++) load.push(await registered());
    carol = await registered();
  });

  afterAll(async () => {
    while (ues.length) await ues.pop()!.close();
    await lab?.stop();
    if (figures.length) console.log(`CRASH-REPORT ${JSON.stringify(figures)}`);
  });

  it('HSS: REGISTER answered 480 while down; after restart subscribers intact, SQN never backwards', async () => {
    const data = async (s: TestSubscriber) =>
      (await lab.rest<Record<string, unknown>>('GET', `/subscribers/${s.imsi}`)).body;
    const before = await Promise.all([alice, bob, ...load].map(({ s }) => data(s)));

    const f = await crash('hss', async () => {
      const probe = await startUe(alice.s, lab.ports.pcscf, 200);
      const started = Date.now();
      const r = await probe.register();
      await probe.close();
      expect(r.status).toBe(480);
      expect(r.final.get('Retry-After')).toBe('3');
      expect(r.final.get('Warning')).toMatch(/^399 \S+ "HSS unreachable/);
      return `REGISTER answered ${r.status} + Retry-After in ${Date.now() - started} ms`;
    });
    expect(f.load.after).toBeGreaterThanOrEqual(load.length);

    // Subscriber data as before the crash (SQN apart: it only moves forwards).
    const after = await Promise.all([alice, bob, ...load].map(({ s }) => data(s)));
    after.forEach((a, i) => {
      const { sqn: sqnAfter, ...rest } = a as { sqn: number };
      const { sqn: sqnBefore, ...restBefore } = before[i] as { sqn: number };
      expect(rest).toEqual(restBefore);
      expect(sqnAfter).toBeGreaterThanOrEqual(sqnBefore);
    });
    // Every SQN a UE accepted (TS 33.102 §6.3.3) had been written before its vector left.
    for (const [i, { ue }] of [alice, bob, ...load].entries()) {
      const accepted = ue.storedSqn ? Number(ue.storedSqn.readUIntBE(0, 6)) : 0;
      expect((after[i] as { sqn: number }).sqn).toBeGreaterThanOrEqual(accepted);
    }
    await nothingLost();
    await callAliceToBob();
  });

  it('S-CSCF: others answer while down; restarted, it restores every registration and routes calls', async () => {
    const f = await crash('scscf', async () => {
      // The I-CSCF and HSS still answer what needs no S-CSCF: an unknown user, 403 (UAR).
      const nobody = akaSubscriber();
      const stranger = await startUe(nobody, lab.ports.pcscf, 200);
      const unknown = await stranger.register();
      await stranger.close();
      expect(unknown.status).toBe(403);
      // A UE patient enough (64*T1 = 64 s) gets a final answer with a cause, not a hang.
      const patient = await startUe(alice.s, lab.ports.pcscf, 1000);
      const started = Date.now();
      const r = await patient.register();
      await patient.close();
      const tookMs = Date.now() - started;
      // The P-CSCF's or I-CSCF's timer F (64*T1 = 32 s) ends it: 408 or 504 (RFC 3261 §16.7),
      // well before the UE's own timer F would (64 s).
      expect([408, 504]).toContain(r.status);
      expect(tookMs).toBeLessThan(50000);
      const warning = r.final.get('Warning');
      return `unknown user 403; REGISTER for a known user answered ${r.status}${warning ? ` (${warning})` : ''} after ${tookMs} ms`;
    });
    // alice and bob never registered with the new S-CSCF process: only restored bindings.
    await nothingLost();
    await callAliceToBob();
    expect(f.registrationsBefore).toBe(3 + load.length);
    expect(f.restored).toBe(f.registrationsBefore);
    expect(f.lost).toBe(0);

    // The P-CSCF's reg-event subscription for carol (made when she registered, before the
    // crash) was restored with the dialog: the HSS ends her registration (RTR), the S-CSCF
    // NOTIFYs "terminated" in that dialog (RFC 3680, TS 24.229 §5.4.2.1.2) and the P-CSCF
    // drops her. Without the subscription, the P-CSCF would keep her until she expired.
    const restoredSubs = parseLogLines(lab.logs('scscf'))
      .map((l) => /restored (\d+) reg-event subscription/.exec(String(l.msg ?? '')))
      .filter((m): m is RegExpExecArray => m !== null);
    expect(Number(restoredSubs[restoredSubs.length - 1]?.[1])).toBeGreaterThanOrEqual(
      f.registrationsBefore!,
    );
    const pcscfBefore = await registrations('pcscf');
    expect((await lab.rest('POST', `/subscribers/${carol!.s.imsi}/deregister`, {})).status).toBe(
      202,
    );
    await until(
      'the P-CSCF removed carol (NOTIFY from the restarted S-CSCF)',
      async () => (await registrations('pcscf')) === pcscfBefore! - 1,
      15000,
    );
    expect(await registrations('scscf')).toBe(2 + load.length);
    expect(await registrationState(carol!.s)).toBe('NOT_REGISTERED');
    carol = undefined;
  });

  it('P-CSCF: I-/S-CSCF and HSS serve a UE sent straight to the I-CSCF; restarted, UDP UEs still call', async () => {
    const f = await crash('pcscf', async () => {
      const direct = await subscriber();
      const ue = await startUe(direct, lab.ports.icscf, 200);
      const r = await ue.register();
      expect(r.status).toBe(200);
      expect((await ue.deregister()).status).toBe(200);
      await ue.close();
      return 'REGISTER and de-REGISTER sent straight to the I-CSCF: 200, 200';
    });
    await nothingLost();
    await callAliceToBob();
    expect(f.registrationsBefore).toBe(2 + load.length);
    expect(f.restored).toBe(f.registrationsBefore);
    expect(f.lost).toBe(0);
  });

  it('I-CSCF: registered UEs keep their S-CSCF services while down; restarted, calls work', async () => {
    const f = await crash('icscf', async () => {
      const res = await alice.ue.subscribeRegEvent(600);
      expect(res.status).toBe(200);
      return `reg-event SUBSCRIBE via P-CSCF to S-CSCF (Service-Route): ${res.status}`;
    });
    expect(f.load.after).toBeGreaterThanOrEqual(load.length);
    await nothingLost();
    await callAliceToBob();
  });

  it('a registration restored by the S-CSCF de-registers (SAR USER_DEREGISTRATION)', async () => {
    // alice has not sent a REGISTER since the S-CSCF restarted: her record is the restored one.
    const r = await alice.ue.deregister();
    expect(r.status).toBe(200);
    expect(await registrationState(alice.s)).toBe('NOT_REGISTERED');
    expect(await registrations('scscf')).toBe(1 + load.length);
  });

  it('the restarted P-CSCF subscribed again to the reg event: it sees a network-initiated de-registration', async () => {
    // bob has not registered since the P-CSCF restart: only the re-subscription of his
    // restored registration (TS 24.229 §5.2.3) tells the P-CSCF that the HSS ended it (RTR).
    const pcscfBefore = await registrations('pcscf');
    expect((await lab.rest('POST', `/subscribers/${bob.s.imsi}/deregister`, {})).status).toBe(202);
    await until(
      'the P-CSCF removed bob',
      async () => (await registrations('pcscf')) === pcscfBefore! - 1,
      15000,
    );
    expect(await registrationState(bob.s)).toBe('NOT_REGISTERED');
  });
});

describe('S-CSCF restart: registrations that expired while it was down', () => {
  let core: Core | undefined;
  let dir: string;
  let again: ScscfApp | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scscf-db-'));
  });

  afterAll(async () => {
    await again?.close();
    await core?.hss.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are dropped on restore and the HSS is told (SAR TIMEOUT_DEREGISTRATION); live ones stay', async () => {
    // The S-CSCF harness (HSS + S-CSCF in-process, UEs straight to the S-CSCF), with a file.
    core = await startCore({ minExpires: 1, dbPath: join(dir, 'scscf.sqlite') });
    const { hss } = core;
    const [short, long] = ['001010000077001', '001010000077002'];
    await provision(hss.base, short, '15557701');
    await provision(hss.base, long, '15557702');
    const a = await startUe(core, short, { expires: 2 });
    const b = await startUe(core, long, { expires: 600 });
    try {
      expect((await a.register()).status).toBe(200);
      expect((await b.register()).status).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
    const state = async (imsi: string) =>
      (
        await rest<{ impus: { impu: string; registrationState: string }[] }>(
          hss.base,
          'GET',
          `/subscribers/${imsi}`,
        )
      ).impus[0].registrationState;
    expect(await state(short)).toBe('REGISTERED');
    const config = core.scscf.config;
    await core.scscf.close(); // the stored state is what a SIGKILL would leave (written per turn)
    await new Promise((r) => setTimeout(r, 2500)); // the short one expires while down

    // The same S-CSCF configuration (same file) started again.
    again = await createScscfApp({ ...config, sipPort: 0, httpPort: 0 });
    const persistence = again.app.get(RegistrationPersistence);
    expect(persistence.lastRestore).toEqual({ restored: 1, lapsed: 1, unreadable: 0 });
    await persistence.lapsedDone;
    const deadline = Date.now() + 10000;
    while ((await state(short)) !== 'NOT_REGISTERED' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await state(short)).toBe('NOT_REGISTERED');
    expect(await state(long)).toBe('REGISTERED');
  });
});
