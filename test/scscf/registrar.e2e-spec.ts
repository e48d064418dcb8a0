/**
 * The S-CSCF registrar end to end (TS 24.229 §5.4.1): a real HSS provisioned over REST, the
 * S-CSCF from createScscfApp, and test UEs over loopback UDP and TCP: IMS AKA (AKAv1, AKAv2),
 * SIP Digest, wrong key, SQN resync, re-registration, de-registration, 423, Path echo,
 * nonce-count replay, two contacts for one IMPU, and 501 for what is not served yet.
 */
import * as net from 'node:net';
import { UeSimulator } from '@lib/ims';
import { parseChallenge, SipResponse } from '@lib/sip';
import { createScscfApp } from '../../apps/scscf/src/scscf-app';
import { attempts, DOMAIN, impuOf, impusOf, provision, TEST_SET_1 } from './hss-support';
import { RawUe } from './raw-ue';
import { Core, startCore, startUe, TRUSTED_LOOPBACK, waitFor } from './scscf-support';

jest.setTimeout(20000);

describe('S-CSCF registrar (TS 24.229 §5.4.1)', () => {
  let core: Core;

  beforeAll(async () => {
    core = await startCore({ minExpires: 30 });
  });

  afterAll(async () => {
    await core?.close();
  });

  function contactExpires(res: SipResponse, uri: string): number | undefined {
    return res.contacts().find((c) => c.uri === uri)?.expires;
  }

  it.each(['UDP', 'TCP'] as const)('registers with AKAv1-MD5 over %s', async (transport) => {
    const imsi = transport === 'UDP' ? '001010000001001' : '001010000001002';
    const msisdn = transport === 'UDP' ? '15551001' : '15551002';
    await provision(core.hss.base, imsi, msisdn);
    const ue = await startUe(core, imsi, { transport });
    try {
      const result = await ue.register({ expires: 3600 });
      expect(result.responses.map((r) => r.status)).toEqual([401, 200]);

      // TS 24.229 §5.4.1.2.1: the challenge.
      const challenge = parseChallenge(result.responses[0].get('WWW-Authenticate')!);
      expect(challenge.realm).toBe(DOMAIN);
      expect(challenge.algorithm).toBe('AKAv1-MD5');
      expect(challenge.qop).toEqual(['auth']);
      expect(Buffer.from(challenge.nonce, 'base64')).toHaveLength(32);
      expect(challenge.extra?.ck).toMatch(/^[0-9a-f]{32}$/);
      expect(challenge.extra?.ik).toMatch(/^[0-9a-f]{32}$/);

      // §5.4.1.2.2: the 200 OK.
      const ok = result.final;
      expect(ok.getAll('Service-Route')).toEqual([
        `<sip:orig@scscf.${DOMAIN}:${core.scscf.sipPort};transport=tcp;lr>`,
      ]);
      expect(ok.pAssociatedUris().map((a) => a.uri)).toEqual(impusOf(imsi, msisdn));
      expect(contactExpires(ok, ue.contactUri)).toBe(3600);

      const trace = await attempts(core.hss.base, imsi);
      const sar = trace.find((t) => t.command === 'SAR');
      expect(sar?.resultCode).toBe(2001);
      expect(sar?.detail).toContain('REGISTRATION');
    } finally {
      await ue.close();
    }
  });

  it('registers with AKAv2-MD5 (RFC 4169)', async () => {
    const imsi = '001010000001003';
    await provision(core.hss.base, imsi, '15551003', { authScheme: 'Digest-AKAv2-MD5' });
    const ue = await startUe(core, imsi);
    try {
      const result = await ue.register();
      expect(result.responses.map((r) => r.status)).toEqual([401, 200]);
      expect(parseChallenge(result.responses[0].get('WWW-Authenticate')!).algorithm).toBe(
        'AKAv2-MD5',
      );
    } finally {
      await ue.close();
    }
  });

  it('registers a SIP Digest (MD5) subscriber with the HA1 from the HSS', async () => {
    const imsi = '001010000001004';
    await provision(core.hss.base, imsi, '15551004', {
      authScheme: 'SIP Digest',
      password: 'secret-1004',
    });
    const ue = await startUe(core, imsi, { credentials: { password: 'secret-1004' } });
    const wrong = await startUe(core, imsi, { credentials: { password: 'not-it' } });
    try {
      const result = await ue.register();
      expect(result.responses.map((r) => r.status)).toEqual([401, 200]);
      const challenge = parseChallenge(result.responses[0].get('WWW-Authenticate')!);
      expect(challenge.algorithm).toBe('MD5');
      expect(challenge.extra?.ck).toBeUndefined();
      const refused = await wrong.register();
      expect(refused.status).toBe(403);
    } finally {
      await ue.close();
      await wrong.close();
    }
  });

  it('answers a wrong response (UE holding another K) with 401 then 403 "wrong response"', async () => {
    const imsi = '001010000001005';
    await provision(core.hss.base, imsi, '15551005');
    const ue = await startUe(core, imsi, {
      credentials: {
        k: '00112233445566778899aabbccddeeff',
        opc: 'cd63cb71954a9f4e48a5994e37a02baf',
      },
      verifyNetwork: false,
    });
    try {
      const result = await ue.register();
      expect(result.responses.map((r) => r.status)).toEqual([401, 403]);
      expect(result.final.get('Warning')).toMatch(/^399 scscf\.\S+ "wrong response/);
      await waitFor(async () =>
        (await attempts(core.hss.base, imsi)).some(
          (t) => t.command === 'SAR' && /AUTHENTICATION_FAILURE/.test(t.detail ?? ''),
        ),
      );
    } finally {
      await ue.close();
    }
  });

  it('re-synchronises the SQN when the UE answers with AUTS (RFC 3310 §3.4)', async () => {
    const imsi = '001010000001006';
    await provision(core.hss.base, imsi, '15551006');
    // SQN_MS far ahead of the HSS's SQN: the first AUTN is not fresh for this USIM.
    const ue = await startUe(core, imsi, {
      credentials: {
        k: '465b5ce8b199b49faa5f0a2ee238a6bc',
        opc: 'cd63cb71954a9f4e48a5994e37a02baf',
        sqnMs: '000000100000',
      },
    });
    try {
      const result = await ue.register();
      expect(result.resynchronised).toBe(true);
      expect(result.responses.map((r) => r.status)).toEqual([401, 401, 200]);
      expect(result.responses[1].get('Warning')).toContain('SQN');
      const trace = await attempts(core.hss.base, imsi);
      expect(trace.some((t) => t.command === 'MAR' && /resync/i.test(t.detail ?? ''))).toBe(true);
    } finally {
      await ue.close();
    }
  });

  it('re-registers (SAR RE_REGISTRATION) and de-registers (SAR USER_DEREGISTRATION)', async () => {
    const imsi = '001010000001007';
    await provision(core.hss.base, imsi, '15551007');
    const ue = await startUe(core, imsi);
    try {
      expect((await ue.register()).status).toBe(200);
      const again = await ue.register({ expires: 1800 });
      expect(again.status).toBe(200);
      expect(contactExpires(again.final, ue.contactUri)).toBe(1800);
      let trace = await attempts(core.hss.base, imsi);
      expect(trace.some((t) => t.command === 'SAR' && /RE_REGISTRATION/.test(t.detail ?? ''))).toBe(
        true,
      );

      const gone = await ue.deregister();
      expect(gone.status).toBe(200);
      expect(gone.final.contacts()).toEqual([]);
      trace = await attempts(core.hss.base, imsi);
      expect(
        trace.some((t) => t.command === 'SAR' && /USER_DEREGISTRATION/.test(t.detail ?? '')),
      ).toBe(true);
      // Nothing left to subscribe to.
      expect((await ue.subscribeRegEvent()).status).toBe(403);
    } finally {
      await ue.close();
    }
  });

  it('answers 423 with Min-Expires below SCSCF_MIN_EXPIRES and clamps above the maximum', async () => {
    const imsi = '001010000001008';
    await provision(core.hss.base, imsi, '15551008');
    const ue = await startUe(core, imsi);
    try {
      const brief = await ue.register({ expires: 10 });
      expect(brief.status).toBe(423);
      expect(brief.final.get('Min-Expires')).toBe('30');
      const long = await ue.register({ expires: 9_000_000 });
      expect(long.status).toBe(200);
      expect(contactExpires(long.final, ue.contactUri)).toBe(600000);
    } finally {
      await ue.close();
    }
  });

  it('echoes Path, accepts a higher nonce-count and refuses a replayed one', async () => {
    const imsi = '001010000001009';
    await provision(core.hss.base, imsi, '15551009');
    const raw = await RawUe.start(core.scscf.sipPort, imsi);
    try {
      const path = `<sip:term@pcscf.${DOMAIN}:5060;lr>`;
      const { ok, authorization } = await raw.registerAka({ path });
      expect(ok.status).toBe(200);
      expect(ok.getAll('Path')).toEqual([path]);
      // The same credentials again (same nonce, same nc): a replay (RFC 2617 §3.2.2).
      const replay = await raw.send(raw.register({ authorization, path }));
      expect(replay.status).toBe(401);
      expect(replay.get('Warning')).toContain('nonce-count');
      // nc 2 on the same nonce is fine.
      const next = await raw.send(raw.register({ authorization: raw.answer(2), path }));
      expect(next.status).toBe(200);
      // RFC 3261 §10.3 step 7: an older CSeq for the same Call-ID is refused.
      const stale = await raw.send(raw.register({ authorization: raw.answer(3), path, cseq: 1 }));
      expect(stale.status).toBe(500);
      expect(stale.get('Warning')).toContain('out-of-order CSeq');
    } finally {
      await raw.close();
    }
  });

  it('answers a response to an expired nonce with 401 stale=true and a fresh challenge', async () => {
    const imsi = '001010000001013';
    await provision(core.hss.base, imsi, '15551013');
    const raw = await RawUe.start(core.scscf.sipPort, imsi);
    // Only the wall clock is faked (the nonce age); sockets and timers run for real.
    jest.useFakeTimers({
      now: Date.now(),
      doNotFake: [
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'setImmediate',
        'clearImmediate',
        'nextTick',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    try {
      raw.accept(await raw.send(raw.register()));
      jest.setSystemTime(Date.now() + 31_000); // SCSCF_NONCE_LIFETIME is 30 s
      const stale = await raw.send(raw.register({ authorization: raw.answer(1) }));
      expect(stale.status).toBe(401);
      const fresh = parseChallenge(stale.get('WWW-Authenticate')!);
      expect(fresh.stale).toBe(true);
      expect(stale.get('Warning')).toContain('stale nonce');
      raw.accept(stale);
      expect((await raw.send(raw.register({ authorization: raw.answer(1) }))).status).toBe(200);
    } finally {
      jest.useRealTimers();
      await raw.close();
    }
  });

  it('keeps two contacts for one IMPU side by side', async () => {
    const imsi = '001010000001010';
    await provision(core.hss.base, imsi, '15551010');
    const a = await startUe(core, imsi);
    const b = await startUe(core, imsi, { transport: 'TCP' });
    try {
      expect((await a.register()).status).toBe(200);
      const second = await b.register();
      expect(second.status).toBe(200);
      expect(
        second.final
          .contacts()
          .map((c) => c.uri)
          .sort(),
      ).toEqual([a.contactUri, b.contactUri].sort());
      // A refresh by one keeps the other.
      const refresh = await a.register();
      expect(refresh.final.contacts()).toHaveLength(2);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('replaces the binding of the same +sip.instance/reg-id (RFC 5626 §6)', async () => {
    const imsi = '001010000001012';
    await provision(core.hss.base, imsi, '15551012');
    const instance = '+sip.instance="<urn:uuid:00000000-0000-1000-8000-000a95a0e128>";reg-id=1';
    const before = await RawUe.start(core.scscf.sipPort, imsi);
    const after = await RawUe.start(core.scscf.sipPort, imsi);
    try {
      expect((await before.registerAka({ contactParams: instance })).ok.status).toBe(200);
      const { ok } = await after.registerAka({ contactParams: instance });
      expect(ok.status).toBe(200);
      expect(ok.contacts().map((c) => c.uri)).toEqual([after.contactUri]);
      expect(ok.contacts()[0].params.get('+sip.instance')).toBe(
        '"<urn:uuid:00000000-0000-1000-8000-000a95a0e128>"',
      );
    } finally {
      await before.close();
      await after.close();
    }
  });

  it('answers 480 with a cause to a request for a user registered nowhere (TS 24.229 §5.4.3.3)', async () => {
    const imsi = '001010000001011';
    await provision(core.hss.base, imsi, '15551011');
    const ue = await startUe(core, imsi);
    try {
      const res = await ue.sendRequest('MESSAGE', impuOf(imsi), { body: 'hi' });
      expect(res.status).toBe(480);
      expect(res.get('Warning')).toContain('callee not registered');
    } finally {
      await ue.close();
    }
  });

  it('answers 420 with Unsupported for a Require option it does not know (RFC 3261 §8.2.2.3)', async () => {
    const raw = await RawUe.start(core.scscf.sipPort, '001010000001014');
    try {
      const req = raw.register({ path: `<sip:term@pcscf.${DOMAIN}:5060;lr>` });
      req.set('Require', 'path, sec-agree');
      const res = await raw.send(req);
      expect(res.status).toBe(420);
      expect(res.get('Unsupported')).toBe('sec-agree');
    } finally {
      await raw.close();
    }
  });

  it('reports Cx refusals: unknown user -> 403 naming the cause', async () => {
    const ue = await startUe(core, '001010000001999');
    try {
      const res = await ue.register();
      expect(res.status).toBe(403);
      expect(res.final.get('Warning')).toContain('unknown user');
    } finally {
      await ue.close();
    }
  });
});

describe('S-CSCF without its HSS', () => {
  it('answers 480 with Retry-After and "HSS unreachable" when no Cx peer is open', async () => {
    // A loopback port nobody listens on.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const scscf = await createScscfApp({
      sipPort: 0,
      hss: { host: '127.0.0.1', port },
      logLevel: 'error',
      retryAfter: 7,
      dbPath: 'off',
      trustedPeers: TRUSTED_LOOPBACK, // the UE below stands in for the I-CSCF
    });
    const ue = await UeSimulator.start({
      impi: `001010000001900@${DOMAIN}`,
      impu: `sip:001010000001900@${DOMAIN}`,
      domain: DOMAIN,
      pcscf: { host: '127.0.0.1', port: scscf.sipPort, transport: 'UDP' },
      credentials: { k: TEST_SET_1.k, opc: TEST_SET_1.opc },
      timers: { T1: 100 },
    });
    try {
      const res = await ue.register();
      expect(res.status).toBe(480);
      expect(res.final.get('Retry-After')).toBe('7');
      expect(res.final.get('Warning')).toContain('HSS unreachable');
      expect(res.final.get('Reason')).toMatch(/^SIP;cause=480/);
    } finally {
      await ue.close();
      await scscf.close();
    }
  });
});
