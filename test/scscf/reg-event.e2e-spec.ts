/**
 * The S-CSCF's reg event package (RFC 3680, TS 24.229 §5.4.2.1), registration expiry,
 * third-party registration to an application server (TS 24.229 §5.4.1.7) and
 * network-initiated de-registration by the HSS (RTR, TS 29.228 §6.1.3), end to end.
 */
import { createResponse, generateTag, parseMessage, SipRequest, SipStack } from '@lib/sip';
import { RegEventService } from '../../apps/scscf/src/reg-event';
import { attempts, impusOf, provision, provisionIfc, rest } from './hss-support';
import { readReginfo } from './reginfo-reader';
import { Core, startCore, startUe, waitFor } from './scscf-support';

/** An application server: a SIP UAS answering REGISTER with `status`, keeping what it got. */
async function startAs(status = 200): Promise<{ stack: SipStack; received: SipRequest[] }> {
  const stack = new SipStack({ host: '127.0.0.1', port: 0 });
  const received: SipRequest[] = [];
  stack.setHandler({
    onRequest: (req, tx) => {
      received.push(req);
      tx?.respond(createResponse(req, status, undefined, { toTag: generateTag() }));
    },
  });
  await stack.start();
  return { stack, received };
}

// NOTIFY bodies with the full state of three IMPUs exceed 1300 octets, so RFC 3261 §18.1.1
// sends them over TCP: the UEs of this spec register over TCP.
jest.setTimeout(20000);

describe('S-CSCF reg event, expiry, third-party REGISTER, RTR', () => {
  let core: Core;

  beforeAll(async () => {
    core = await startCore({ minExpires: 1 });
  });

  afterAll(async () => {
    await core?.close();
  });

  const notifies = (ue: { notifications: SipRequest[] }) =>
    ue.notifications.filter((n) => n.get('Event') === 'reg');

  it('SUBSCRIBE -> 200 + NOTIFY full state; NOTIFY again on refresh and de-registration', async () => {
    const imsi = '001010000002001';
    await provision(core.hss.base, imsi, '15552001');
    const ue = await startUe(core, imsi, { transport: 'TCP' });
    try {
      expect((await ue.register()).status).toBe(200);
      const sub = await ue.subscribeRegEvent(3600);
      expect(sub.status).toBe(200);
      expect(sub.get('Expires')).toBe('3600');
      expect(sub.to().tag).toBeTruthy();

      await waitFor(() => notifies(ue).length >= 1);
      const first = notifies(ue)[0];
      expect(first.get('Content-Type')).toBe('application/reginfo+xml');
      expect(first.get('Subscription-State')).toMatch(/^active;expires=\d+$/);
      expect(first.to().tag).toBe(sub.from().tag);
      const full = readReginfo(first);
      expect(full).toMatchObject({ version: 0, state: 'full' });
      expect(full.registrations.map((r) => r.aor)).toEqual(impusOf(imsi, '15552001'));
      for (const r of full.registrations) {
        expect(r.state).toBe('active');
        expect(r.contacts).toEqual([
          expect.objectContaining({ state: 'active', event: 'registered', uri: ue.contactUri }),
        ]);
      }

      expect((await ue.register()).status).toBe(200);
      await waitFor(() => notifies(ue).length >= 2);
      const refreshed = readReginfo(notifies(ue)[1]);
      expect(refreshed.version).toBe(1);
      expect(refreshed.registrations[0].contacts[0].event).toBe('refreshed');

      expect((await ue.deregister()).status).toBe(200);
      await waitFor(() => notifies(ue).length >= 3);
      const last = notifies(ue)[2];
      expect(last.get('Subscription-State')).toMatch(/^terminated/);
      const ended = readReginfo(last);
      expect(ended.version).toBe(2);
      expect(ended.registrations[0].state).toBe('terminated');
      expect(ended.registrations[0].contacts[0]).toMatchObject({
        state: 'terminated',
        event: 'unregistered',
      });
    } finally {
      await ue.close();
    }
  });

  it('ends a subscription that is not refreshed: NOTIFY terminated;reason=timeout (RFC 6665 §4.2.2)', async () => {
    const imsi = '001010000002019';
    await provision(core.hss.base, imsi, '15552019');
    const ue = await startUe(core, imsi, { transport: 'TCP' });
    try {
      expect((await ue.register()).status).toBe(200);
      const sub = await ue.subscribeRegEvent(2);
      expect(sub.status).toBe(200);
      expect(sub.get('Expires')).toBe('2');
      const started = Date.now();
      await waitFor(
        () => notifies(ue).some((n) => n.get('Subscription-State')?.startsWith('terminated')),
        10_000,
      );
      // The S-CSCF's one sweep timer ends it at its expiry, at most a second late.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      const last = notifies(ue).at(-1)!;
      expect(last.get('Subscription-State')).toBe('terminated;reason=timeout');
      // The registration itself stands: still active in that last NOTIFY.
      expect(readReginfo(last).registrations[0].state).toBe('active');
    } finally {
      await ue.close();
    }
  });

  it('expires a short registration: NOTIFY "expired" and SAR TIMEOUT_DEREGISTRATION', async () => {
    const imsi = '001010000002002';
    await provision(core.hss.base, imsi, '15552002');
    const ue = await startUe(core, imsi, { transport: 'TCP' });
    try {
      const reg = await ue.register({ expires: 1 });
      expect(reg.status).toBe(200);
      expect(reg.expires).toBe(1);
      expect((await ue.subscribeRegEvent()).status).toBe(200);
      await waitFor(() =>
        notifies(ue).some((n) => n.get('Subscription-State')?.startsWith('terminated')),
      );
      const last = readReginfo(notifies(ue).at(-1)!);
      expect(last.registrations[0].contacts[0]).toMatchObject({
        state: 'terminated',
        event: 'expired',
      });
      await waitFor(async () =>
        (await attempts(core.hss.base, imsi)).some(
          (t) => t.command === 'SAR' && /TIMEOUT_DEREGISTRATION/.test(t.detail ?? ''),
        ),
      );
    } finally {
      await ue.close();
    }
  });

  it('sends third-party REGISTER to the AS of a REGISTER iFC, and Expires 0 on de-registration', async () => {
    const imsi = '001010000002003';
    await provision(core.hss.base, imsi, '15552003');
    const as = await startAs();
    const ue = await startUe(core, imsi, { transport: 'TCP' });
    try {
      await provisionIfc(core.hss.base, imsi, '15552003', {
        serverName: `sip:127.0.0.1:${as.stack.port}`,
        method: 'REGISTER',
      });
      expect((await ue.register({ expires: 1200 })).status).toBe(200);
      await waitFor(() => as.received.length >= 1);
      const reg = as.received[0];
      expect(reg.method).toBe('REGISTER');
      expect(reg.to().uri).toBe(impusOf(imsi, '15552003')[0]);
      expect(reg.get('Expires')).toBe('1200');
      expect(reg.contacts()[0].uri).toMatch(/^sip:scscf\./);

      expect((await ue.deregister()).status).toBe(200);
      await waitFor(() => as.received.length >= 2);
      expect(as.received[1].get('Expires')).toBe('0');
      expect(as.received[1].callId()).toBe(reg.callId());
      expect(as.received[1].cseq().seq).toBeGreaterThan(reg.cseq().seq);
    } finally {
      await ue.close();
      await as.stack.stop();
    }
  });

  it('includes the REGISTER and its 200 OK as message/sip parts when the iFC asks (TS 24.229 §5.4.1.7)', async () => {
    const imsi = '001010000002007';
    await provision(core.hss.base, imsi, '15552007');
    const as = await startAs();
    const ue = await startUe(core, imsi, { transport: 'TCP' });
    try {
      await provisionIfc(core.hss.base, imsi, '15552007', {
        serverName: `sip:127.0.0.1:${as.stack.port};transport=tcp`,
        method: 'REGISTER',
        includeRegisterRequest: true,
        includeRegisterResponse: true,
      });
      expect((await ue.register()).status).toBe(200);
      await waitFor(() => as.received.length >= 1);
      const reg = as.received[0];
      const type = reg.get('Content-Type') ?? '';
      expect(type).toMatch(/^multipart\/mixed;\s*boundary=/);
      const boundary = type.split('boundary=')[1];
      const parts = reg.body
        .toString('utf8')
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((p) => p.replace(/^\r\n/, ''));
      expect(parts).toHaveLength(2);
      const [request, response] = parts.map((p) => {
        const [head, ...rest] = p.split('\r\n\r\n');
        expect(head).toBe('Content-Type: message/sip');
        return parseMessage(rest.join('\r\n\r\n').replace(/\r\n$/, ''));
      });
      expect(request.isRequest() && request.method).toBe('REGISTER');
      expect(request.callId()).toBe(ue.callId);
      expect(response.isResponse() && response.status).toBe(200);
      expect(response.getAll('P-Associated-URI')).toHaveLength(3);
    } finally {
      await ue.close();
      await as.stack.stop();
    }
  });

  it('de-registers the user when an AS with SESSION_TERMINATED refuses the third-party REGISTER', async () => {
    const imsi = '001010000002004';
    await provision(core.hss.base, imsi, '15552004');
    const as = await startAs(500);
    const ue = await startUe(core, imsi, { transport: 'TCP' });
    try {
      await provisionIfc(core.hss.base, imsi, '15552004', {
        serverName: `sip:127.0.0.1:${as.stack.port}`,
        method: 'REGISTER',
        defaultHandling: 1,
      });
      expect((await ue.register()).status).toBe(200);
      expect((await ue.subscribeRegEvent()).status).toBe(200);
      await waitFor(() =>
        notifies(ue).some((n) => n.get('Subscription-State')?.startsWith('terminated')),
      );
      const last = readReginfo(notifies(ue).at(-1)!);
      expect(last.registrations[0].contacts[0]).toMatchObject({ event: 'rejected' });
      await waitFor(async () =>
        (await attempts(core.hss.base, imsi)).some(
          (t) => t.command === 'SAR' && /ADMINISTRATIVE_DEREGISTRATION/.test(t.detail ?? ''),
        ),
      );
    } finally {
      await ue.close();
      await as.stack.stop();
    }
  });

  it('REST operator de-registration -> RTR -> bindings removed, NOTIFY terminated', async () => {
    const imsi = '001010000002005';
    await provision(core.hss.base, imsi, '15552005');
    const ue = await startUe(core, imsi, { transport: 'TCP' });
    try {
      expect((await ue.register()).status).toBe(200);
      expect((await ue.subscribeRegEvent()).status).toBe(200);
      await waitFor(() => notifies(ue).length >= 1);
      await rest(core.hss.base, 'POST', `/subscribers/${imsi}/deregister`, {});
      await waitFor(() =>
        notifies(ue).some((n) => n.get('Subscription-State')?.startsWith('terminated')),
      );
      const last = notifies(ue).at(-1)!;
      expect(last.get('Subscription-State')).toMatch(/^terminated;reason=(rejected|deactivated)/);
      const info = readReginfo(last);
      expect(info.registrations[0].state).toBe('terminated');
      expect(['rejected', 'deactivated']).toContain(info.registrations[0].contacts[0].event);
      const rtr = (await attempts(core.hss.base, imsi)).find((t) => t.command === 'RTR');
      expect(rtr?.resultCode).toBe(2001);
      // The registration is gone: a new SUBSCRIBE finds nothing.
      expect((await ue.subscribeRegEvent()).status).toBe(403);
    } finally {
      await ue.close();
    }
  });

  it('stores the user profile pushed by PPR (TS 29.228 §6.1.4): its new iFC applies at de-registration', async () => {
    const imsi = '001010000002009';
    await provision(core.hss.base, imsi, '15552009');
    const as = await startAs();
    const ue = await startUe(core, imsi, { transport: 'TCP' });
    try {
      expect((await ue.register()).status).toBe(200);
      // The operator adds an iFC on REGISTER while the user is registered: the HSS sends PPR.
      await provisionIfc(core.hss.base, imsi, '15552009', {
        serverName: `sip:127.0.0.1:${as.stack.port}`,
        method: 'REGISTER',
      });
      await waitFor(async () =>
        (await attempts(core.hss.base, imsi)).some(
          (t) => t.command === 'PPR' && t.resultCode === 2001,
        ),
      );
      expect(as.received).toHaveLength(0);
      expect((await ue.deregister()).status).toBe(200);
      await waitFor(() => as.received.length >= 1);
      expect(as.received[0].get('Expires')).toBe('0');
    } finally {
      await ue.close();
      await as.stack.stop();
    }
  });

  it('refuses a reg-event SUBSCRIBE from outside the user, its P-CSCF, ASs and home domain', async () => {
    const imsi = '001010000002008';
    await provision(core.hss.base, imsi, '15552008');
    const ue = await startUe(core, imsi, { transport: 'TCP' });
    const mallory = await startUe(core, imsi, {
      transport: 'TCP',
      impu: 'sip:mallory@evil.example',
    });
    try {
      expect((await ue.register()).status).toBe(200);
      const res = await mallory.sendRequest('SUBSCRIBE', impusOf(imsi, '15552008')[0], {
        headers: [
          ['Event', 'reg'],
          ['Expires', '600'],
        ],
      });
      expect(res.status).toBe(403);
      expect(res.get('Warning')).toContain('may not watch');
    } finally {
      await ue.close();
      await mallory.close();
    }
  });

  it('leaves a SUBSCRIBE for another event package to session routing (not 489 from the notifier)', async () => {
    const imsi = '001010000002006';
    await provision(core.hss.base, imsi, '15552006');
    const ue = await startUe(core, imsi, { transport: 'TCP' });
    try {
      expect((await ue.register()).status).toBe(200);
      // Sent over the Service-Route (originating) without the P-Asserted-Identity a P-CSCF
      // would add: session routing refuses it (TS 24.229 §5.4.3.2), the reg notifier never
      // sees it.
      const before = core.scscf.app.get(RegEventService).list().length;
      const res = await ue.sendRequest(
        'SUBSCRIBE',
        `sip:${imsi}@ims.mnc001.mcc001.3gppnetwork.org`,
        {
          headers: [['Event', 'presence']],
        },
      );
      expect(res.status).toBe(403);
      expect(res.get('Warning')).toContain('P-Asserted-Identity');
      expect(core.scscf.app.get(RegEventService).list()).toHaveLength(before);
    } finally {
      await ue.close();
    }
  });
});
