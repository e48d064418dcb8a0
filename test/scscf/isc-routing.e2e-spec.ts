/**
 * ISC at the S-CSCF (TS 24.229 §5.4.3.2 step 4, §5.4.3.3 step 4, TS 23.218 §6): a request
 * matching an iFC goes to the application server with `Route: <AS>, <S-CSCF ODI>`, comes back
 * over the original dialog identifier and continues; an AS that stays silent gets its
 * DefaultHandling (TS 29.228 Annex B). Real processes (test/support/lab.ts), a test AS on
 * libs/sip (test/support/test-as.ts).
 */
import { Lab } from '../support/lab';
import { AS_MARK_HEADER, TestAs } from '../support/test-as';
import { CallUe, OFFER, provisionIfc } from './call-support';

jest.setTimeout(90_000);

const AS_TIMEOUT_MS = 600;

describe('ISC: iFC-triggered application servers and default handling', () => {
  let lab: Lab;
  const ues: CallUe[] = [];
  const servers: TestAs[] = [];

  const as = async (behaviour: 'proxy' | 'silent' | { status: number }) => {
    const server = await TestAs.start({
      name: `as-${servers.length}`,
      recordRoute: true,
      timers: { T1: 100 },
      behaviour: () =>
        behaviour === 'proxy'
          ? { kind: 'proxy' }
          : behaviour === 'silent'
            ? { kind: 'silent' }
            : { kind: 'respond', status: behaviour.status },
    });
    servers.push(server);
    return server;
  };
  const ue = async (opts: Parameters<typeof CallUe.start>[1] = {}) => {
    const u = await CallUe.start(lab, opts);
    ues.push(u);
    return u;
  };

  beforeAll(async () => {
    lab = await Lab.start({ roleEnv: { scscf: { SCSCF_AS_TIMEOUT_MS: String(AS_TIMEOUT_MS) } } });
    await lab.waitForCxPeers();
  });
  afterAll(async () => {
    for (const u of ues) await u.close();
    for (const s of servers) await s.stop();
    await lab?.stop();
  });

  it('originating iFC: the INVITE visits the AS with an ODI route and comes back to continue', async () => {
    const server = await as('proxy');
    const alice = await ue({
      beforeRegister: (sub) =>
        provisionIfc(lab, sub, { serverName: server.uri, method: 'INVITE', sessionCase: 0 }),
    });
    const bob = await ue();
    const { final, dialog } = await alice.call(bob.impu);
    expect(final.status).toBe(200);

    const atAs = server.initial('INVITE')[0];
    expect(atAs).toBeDefined();
    // What the S-CSCF sent: Route <AS>, <sip:odi-...@scscf;lr> (TS 24.229 §5.4.3.2 step 4).
    const routes = atAs.getAll('Route');
    expect(routes).toHaveLength(2);
    expect(routes[0]).toContain(`127.0.0.1:${server.stack.port}`);
    expect(routes[1]).toBe(
      `<sip:${routes[1].match(/odi-[0-9a-f]+/)![0]}@127.0.0.1:${lab.ports.scscf};lr>`,
    );
    expect(atAs.pAssertedIdentities()[0].uri).toBe(alice.impu);

    const atBob = await bob.waitFor((r) => r.method === 'INVITE');
    expect(atBob.get(AS_MARK_HEADER)).toBe(server.name);
    expect(atBob.body.toString()).toBe(OFFER);
    // The AS Record-Routed, so it stays in the dialog: the BYE passes it too.
    expect(final.getAll('Record-Route').some((r) => r.includes(`:${server.stack.port}`))).toBe(
      true,
    );
    expect((await alice.inDialog(dialog!, 'BYE')).status).toBe(200);
    await server.waitFor((r) => r.method === 'BYE');
  });

  it('terminating iFC: the callee’s AS sees the INVITE before the callee does', async () => {
    const server = await as('proxy');
    const alice = await ue();
    const bob = await ue({
      beforeRegister: (sub) =>
        provisionIfc(lab, sub, { serverName: server.uri, method: 'INVITE', sessionCase: 1 }),
    });
    const { final, dialog } = await alice.call(bob.impu);
    expect(final.status).toBe(200);
    const atAs = server.initial('INVITE')[0];
    expect(atAs.uri).toBe(bob.impu);
    const atBob = await bob.waitFor((r) => r.method === 'INVITE');
    expect(atBob.get(AS_MARK_HEADER)).toBe(server.name);
    expect(atBob.uri).toBe(bob.ue.contactUri);
    expect((await alice.inDialog(dialog!, 'BYE')).status).toBe(200);
  });

  it('a silent AS with SESSION_CONTINUED: the call goes on without it after the AS timeout', async () => {
    const server = await as('silent');
    const alice = await ue({
      beforeRegister: (sub) =>
        provisionIfc(lab, sub, {
          serverName: server.uri,
          method: 'INVITE',
          sessionCase: 0,
          defaultHandling: 0,
        }),
    });
    const bob = await ue();
    const started = Date.now();
    const { final, dialog } = await alice.call(bob.impu);
    expect(final.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(AS_TIMEOUT_MS - 50);
    expect(server.initial('INVITE')).toHaveLength(1);
    const atBob = await bob.waitFor((r) => r.method === 'INVITE');
    expect(atBob.has(AS_MARK_HEADER)).toBe(false);
    expect((await alice.inDialog(dialog!, 'BYE')).status).toBe(200);
  });

  it('a silent AS with SESSION_TERMINATED: the call fails with 408 and a cause', async () => {
    const server = await as('silent');
    const alice = await ue({
      beforeRegister: (sub) =>
        provisionIfc(lab, sub, {
          serverName: server.uri,
          method: 'INVITE',
          sessionCase: 0,
          defaultHandling: 1,
        }),
    });
    const bob = await ue();
    const { final } = await alice.call(bob.impu);
    expect(final.status).toBe(408);
    expect(final.get('Warning')).toMatch(/application server failed/);
    expect(bob.requests.filter((r) => r.method === 'INVITE')).toHaveLength(0);
  });

  it('unregistered services: LIR sends the request to the S-CSCF, SAR UNREGISTERED_USER, the AS answers', async () => {
    const server = await as({ status: 200 });
    const alice = await ue();
    const carol = await ue({
      register: false,
      beforeRegister: (sub) =>
        provisionIfc(lab, sub, { serverName: server.uri, method: 'MESSAGE', sessionCase: 2 }),
    });
    const { final } = await alice.send(
      alice.request('MESSAGE', carol.impu, { type: 'text/plain', content: 'for the mailbox' }),
    );
    expect(final.status).toBe(200);
    const atAs = server.initial('MESSAGE')[0];
    expect(atAs.uri).toBe(carol.impu);
    expect(atAs.body.toString()).toBe('for the mailbox');
    // The first LIA offered Server-Capabilities (no S-CSCF stored yet, the I-CSCF selected
    // one); SAR UNREGISTERED_USER stored our name, so the second LIA names it (TS 29.228
    // §6.1.4.1). Both reach the AS.
    const again = await alice.send(
      alice.request('MESSAGE', carol.impu, { type: 'text/plain', content: 'second' }),
    );
    expect(again.final.status).toBe(200);
    expect(server.initial('MESSAGE').map((m) => m.body.toString())).toEqual([
      'for the mailbox',
      'second',
    ]);
    const user = await lab.rest<{ registrationState?: string; scscfName?: string }>(
      'GET',
      `/public-identities/${encodeURIComponent(carol.impu)}`,
    );
    expect(user.body).toMatchObject({
      registrationState: 'UNREGISTERED',
      scscfName: lab.scscfName,
    });
  });
});
