/**
 * Registration cases: what a UE sees of a core's registrar, authentication, reg event
 * package, Path and Service-Route handling. Each one looks at the messages on the wire, not
 * only at the final status code. They need nothing but a P-CSCF and subscribers.
 */
import { DigestChallenge, parseChallenge, parseUri, SipRequest, SipResponse } from '@lib/sip';
import { decodeAkaNonce, parseAkaAlgorithm } from '../../aka';
import type { RegistrationResult, UeSimulator } from '../../ue';
import type { CaseContext, ConformanceCase } from '../case-context';
import { checkReginfo, Reginfo } from '../reginfo-check';
import { sameUri, uriOf } from './uri-match';

/** Registers and checks the 200 OK (most cases start from a registered UE). */
async function registered(
  ctx: CaseContext,
  ue: UeSimulator,
  what = 'REGISTER',
): Promise<RegistrationResult> {
  const r = await ue.register();
  ctx.check(`${what} is accepted with 200 OK`, r.status === 200, statusTrail(r));
  return r;
}

/** `401, 200` for the reports. */
function statusTrail(r: RegistrationResult): string {
  return `responses: ${r.responses.map((x) => `${x.status} ${x.reason}`).join(', ')}`;
}

function challengeOf(ctx: CaseContext, response: SipResponse): DigestChallenge {
  const header = response.get('WWW-Authenticate');
  ctx.check('the 401 carries a WWW-Authenticate header', header !== undefined);
  let challenge: DigestChallenge | undefined;
  let problem = '';
  try {
    challenge = parseChallenge(header!);
  } catch (err) {
    problem = (err as Error).message;
  }
  ctx.check(
    'WWW-Authenticate is a Digest challenge with realm and nonce',
    !!challenge,
    problem || header,
  );
  return challenge!;
}

/** Our Contact in a 200 to REGISTER, and its expiry (RFC 3261 §10.3 step 8). */
function ourBinding(response: SipResponse, ue: UeSimulator): { count: number; expires?: number } {
  const mine = response.contacts().filter((c) => sameUri(c.uri, ue.contactUri));
  return { count: mine.length, expires: mine[0]?.expires ?? response.expires() };
}

function isLooseRoute(nameAddr: string): boolean {
  try {
    const u = parseUri(uriOf(nameAddr));
    return 'params' in u && u.params.has('lr');
  } catch {
    return false;
  }
}

/** Subscribes to the reg event and waits for the first NOTIFY with a reginfo body. */
async function subscribeAndFirstNotify(
  ctx: CaseContext,
  ue: UeSimulator,
): Promise<{ response: SipResponse; notify: SipRequest; reginfo: Reginfo }> {
  const response = await ue.subscribeRegEvent();
  ctx.check(
    'SUBSCRIBE (Event: reg) is accepted with a 2xx',
    response.status >= 200 && response.status < 300,
    `${response.status} ${response.reason}`,
  );
  const notify = await waitForNotify(ctx, ue, () => true, 'a NOTIFY for the reg event arrives');
  const reginfo = reginfoOf(ctx, notify);
  return { response, notify, reginfo };
}

async function waitForNotify(
  ctx: CaseContext,
  ue: UeSimulator,
  pred: (body: string, r: SipRequest) => boolean,
  label: string,
  timeoutMs = 10000,
  after = 0,
): Promise<SipRequest> {
  let notify: SipRequest | undefined;
  try {
    notify = await ue.waitForRequest(
      (r) =>
        r.method === 'NOTIFY' &&
        ue.notifications.indexOf(r) >= after &&
        pred(r.body.toString('utf8'), r),
      timeoutMs,
    );
  } catch {
    /* reported by the check */
  }
  ctx.check(label, notify !== undefined, notify ? undefined : `none within ${timeoutMs / 1000} s`);
  return notify!;
}

function reginfoOf(ctx: CaseContext, notify: SipRequest): Reginfo {
  const type = notify.contentType() ?? '';
  ctx.check(
    'NOTIFY Content-Type is application/reginfo+xml',
    /^application\/reginfo\+xml\b/i.test(type),
    type || 'none',
  );
  const parsed = checkReginfo(notify.body.toString('utf8'));
  ctx.check(
    'NOTIFY body is a well-formed reginfo document (RFC 3680 §5.4)',
    parsed.ok,
    parsed.ok ? undefined : parsed.error,
  );
  return parsed.reginfo;
}

export const registrationCases: ConformanceCase[] = [
  {
    id: 'reg.aka',
    suite: 'registration',
    title: 'Initial registration with IMS AKA',
    clauses: ['TS 24.229 §5.1.1.2', 'TS 24.229 §5.4.1.2', 'TS 33.203 §6.1', 'RFC 3310 §3'],
    summary:
      'REGISTER without credentials is challenged with 401 and an AKA nonce (RAND‖AUTN) that the UE verifies; the answer with RES is accepted with 200 OK listing the binding.',
    async run(ctx) {
      const sub = await ctx.subscriber('aka');
      const ue = await ctx.ue(sub);
      const r = await ue.register();
      ctx.check(
        'the first REGISTER is challenged with 401 Unauthorized',
        r.responses[0]?.status === 401,
        statusTrail(r),
      );
      const challenge = challengeOf(ctx, r.responses[0]);
      const aka = challenge.algorithm ? parseAkaAlgorithm(challenge.algorithm) : null;
      ctx.check(
        'the challenge names AKAv1-MD5 or AKAv2-MD5 (RFC 3310 §3.1, RFC 4169)',
        !!aka,
        challenge.algorithm ?? 'no algorithm',
      );
      let nonceOk = false;
      try {
        decodeAkaNonce(challenge.nonce);
        nonceOk = true;
      } catch {
        /* checked below */
      }
      ctx.check('the nonce is base64 of RAND‖AUTN (RFC 3310 §3.2)', nonceOk, challenge.nonce);
      const www = r.responses[0].get('WWW-Authenticate') ?? '';
      ctx.check(
        'the 401 reaching the UE carries no ck/ik (the P-CSCF keeps them, TS 24.229 §5.2.2.1)',
        !/[,\s](ck|ik)\s*=/i.test(www),
        www,
      );
      ctx.check(
        'the UE authenticates the network: AUTN MAC verifies (TS 33.102 §6.3.3)',
        r.networkAuthFailure === undefined,
      );
      ctx.check(
        'REGISTER with the AKA response is accepted with 200 OK',
        r.status === 200,
        statusTrail(r),
      );
      const auth = ctx.sent(ue, 'REGISTER').at(-1)?.get('Authorization') ?? '';
      ctx.check(
        'the accepted REGISTER answered that challenge (same nonce)',
        auth.includes(challenge.nonce),
      );
      const binding = ourBinding(r.final, ue);
      ctx.check(
        "the 200 OK lists the UE's Contact (RFC 3261 §10.3 step 8)",
        binding.count === 1,
        r.final.getAll('Contact').join(' | '),
      );
      ctx.check(
        'the binding has a positive expiry',
        (binding.expires ?? 0) > 0,
        String(binding.expires),
      );
      ctx.check(
        'the 200 OK To is the registered public identity',
        sameUri(r.final.to().uri, sub.impu),
        r.final.get('To'),
      );
    },
  },
  {
    id: 'reg.md5',
    suite: 'registration',
    title: 'Initial registration with SIP Digest (MD5)',
    clauses: ['TS 24.229 §5.1.1.2.3', 'TS 24.229 §5.4.1.2', 'RFC 3261 §22.4', 'RFC 2617 §3.2'],
    summary:
      'A subscriber with a password is challenged with a Digest MD5 challenge (not AKA) and registers with the computed response.',
    async run(ctx) {
      const sub = await ctx.subscriber('md5');
      const ue = await ctx.ue(sub);
      const r = await ue.register();
      ctx.check(
        'the first REGISTER is challenged with 401 Unauthorized',
        r.responses[0]?.status === 401,
        statusTrail(r),
      );
      const challenge = challengeOf(ctx, r.responses[0]);
      const algorithm = challenge.algorithm ?? 'MD5';
      ctx.check(
        'the challenge is Digest MD5 (absent algorithm means MD5, RFC 2617 §3.2.1)',
        /^MD5(-sess)?$/i.test(algorithm),
        algorithm,
      );
      ctx.check('the realm is present and not empty', challenge.realm.length > 0, challenge.realm);
      ctx.check('the nonce is not empty', challenge.nonce.length > 0);
      ctx.check(
        'REGISTER with the Digest response is accepted with 200 OK',
        r.status === 200,
        statusTrail(r),
      );
      const binding = ourBinding(r.final, ue);
      ctx.check(
        "the 200 OK lists the UE's Contact",
        binding.count === 1,
        r.final.getAll('Contact').join(' | '),
      );
    },
  },
  {
    id: 'reg.auth-failure',
    suite: 'registration',
    title: 'Authentication failure: a wrong response is refused',
    clauses: ['TS 24.229 §5.4.1.2.3', 'TS 33.203 §6.1.2'],
    summary:
      'A UE holding the wrong K answers the challenge anyway; the S-CSCF must refuse the wrong RES with 403 Forbidden and not register it.',
    async run(ctx) {
      const sub = await ctx.subscriber('aka');
      const ue = await ctx.ue(sub, {
        verifyNetwork: false,
        credentials: { k: 'ffffffffffffffffffffffffffffffff', op: sub.op, opc: sub.opc },
      });
      const r = await ue.register({ maxChallenges: 1 });
      ctx.check(
        'the first REGISTER is challenged with 401 Unauthorized',
        r.responses[0]?.status === 401,
        statusTrail(r),
      );
      ctx.check('the UE answered the challenge', r.responses.length === 2, statusTrail(r));
      ctx.check(
        'the wrong response is refused with 403 Forbidden',
        r.status === 403,
        statusTrail(r),
      );
      ctx.check(
        'the 403 lists no binding',
        r.final.contacts().length === 0,
        r.final.getAll('Contact').join(' | '),
      );
    },
  },
  {
    id: 'reg.unknown-user',
    suite: 'registration',
    title: 'Unknown user is refused',
    clauses: ['TS 24.229 §5.3.1.2', 'TS 29.228 §6.1.1'],
    summary:
      'REGISTER for an identity the HSS does not know: the I-CSCF answers 403 Forbidden after UAR, without any challenge.',
    async run(ctx) {
      const ue = await ctx.ue(ctx.unknownSubscriber());
      const r = await ue.register();
      ctx.check(
        'no challenge is issued for an unknown user',
        r.challenges === 0 && !r.responses.some((x) => x.status === 401),
        statusTrail(r),
      );
      ctx.check('REGISTER is refused with 403 Forbidden', r.status === 403, statusTrail(r));
    },
  },
  {
    id: 'reg.sqn-resync',
    suite: 'registration',
    title: 'SQN resynchronisation with AUTS',
    clauses: ['TS 33.203 §6.1.2', 'TS 33.102 §6.3.5', 'RFC 3310 §3.4', 'TS 24.229 §5.4.1.2.1'],
    summary:
      'A USIM whose SQN is ahead of the HSS answers the challenge with AUTS; the core must resynchronise and send a fresh challenge the USIM accepts, then register.',
    async run(ctx) {
      const sub = await ctx.subscriber('aka');
      // Learn where the HSS's SQN is: one ordinary registration.
      const first = await ctx.ue(sub, { label: 'UE A (learns SQN)' });
      await registered(ctx, first, 'a first REGISTER (to learn the SQN)');
      const sqn = BigInt(`0x${first.storedSqn!.toString('hex')}`);
      await ctx.closeUe(first);
      // A USIM that has seen a SQN 2^32 higher (SEQ + 2^27): the next AUTN is not fresh.
      const ahead = (sqn + (1n << 32n)) & ((1n << 48n) - 1n);
      const ue = await ctx.ue(sub, {
        label: 'UE A (SQN ahead)',
        sqnMs: ahead.toString(16).padStart(12, '0'),
      });
      const r = await ue.register();
      ctx.check(
        'the UE found the SQN out of range and answered with AUTS',
        r.resynchronised,
        statusTrail(r),
      );
      const registers = ctx.sent(ue, 'REGISTER');
      ctx.check(
        'the REGISTER after the first 401 carries auts (RFC 3310 §3.4)',
        /auts\s*=/.test(registers[1]?.get('Authorization') ?? ''),
      );
      ctx.check(
        'the core answers AUTS with a new 401 challenge, not a refusal',
        r.responses[1]?.status === 401,
        statusTrail(r),
      );
      const n1 = challengeOf(ctx, r.responses[0]).nonce;
      const n2 = challengeOf(ctx, r.responses[1]).nonce;
      ctx.check('the new challenge has a new nonce (new RAND/AUTN)', n1 !== n2);
      ctx.check(
        'the USIM accepts the new AUTN: its SQN is beyond SQN_MS',
        r.networkAuthFailure === undefined && BigInt(`0x${ue.storedSqn!.toString('hex')}`) > ahead,
        ue.storedSqn?.toString('hex'),
      );
      ctx.check(
        'the REGISTER answering the new challenge is accepted with 200 OK',
        r.status === 200,
        statusTrail(r),
      );
    },
  },
  {
    id: 'reg.reregistration',
    suite: 'registration',
    title: 'Re-registration refreshes the binding',
    clauses: ['TS 24.229 §5.1.1.4.1', 'TS 24.229 §5.4.1.2', 'RFC 3261 §10.2.4'],
    summary:
      'A registered UE registers again on the same Call-ID with a higher CSeq; the core accepts, keeps one binding for the contact and returns the registration state again.',
    async run(ctx) {
      const sub = await ctx.subscriber('aka');
      const ue = await ctx.ue(sub);
      await registered(ctx, ue, 'the initial REGISTER');
      const again = await ue.register();
      ctx.check(
        'the refreshing REGISTER is accepted with 200 OK',
        again.status === 200,
        statusTrail(again),
      );
      const regs = ctx.sent(ue, 'REGISTER');
      ctx.check(
        'the refresh used the same Call-ID and a higher CSeq',
        regs.length >= 2 &&
          regs[0].callId() === regs.at(-1)!.callId() &&
          regs.at(-1)!.cseq().seq > regs[0].cseq().seq,
      );
      const binding = ourBinding(again.final, ue);
      ctx.check(
        'the 200 OK lists the contact exactly once (refreshed, not duplicated)',
        binding.count === 1,
        again.final.getAll('Contact').join(' | '),
      );
      ctx.check(
        'the refreshed binding has a positive expiry',
        (binding.expires ?? 0) > 0,
        String(binding.expires),
      );
    },
  },
  {
    id: 'reg.deregistration',
    suite: 'registration',
    title: 'User-initiated de-registration',
    clauses: [
      'TS 24.229 §5.1.1.6',
      'TS 24.229 §5.4.1.4',
      'TS 24.229 §5.4.2.1.2',
      'RFC 3261 §10.2.2',
    ],
    summary:
      'REGISTER with Expires: 0 removes the binding: the 200 OK no longer lists it with a positive expiry, and the reg-event subscriber is told the contact is terminated.',
    async run(ctx) {
      const sub = await ctx.subscriber('aka');
      const ue = await ctx.ue(sub);
      await registered(ctx, ue);
      await subscribeAndFirstNotify(ctx, ue);
      const seen = ue.notifications.length;
      const r = await ue.deregister();
      ctx.check(
        'REGISTER with Expires: 0 is accepted with 200 OK',
        r.status === 200,
        statusTrail(r),
      );
      const left = r.final
        .contacts()
        .filter((c) => sameUri(c.uri, ue.contactUri) && (c.expires ?? r.final.expires() ?? 1) > 0);
      ctx.check(
        'the 200 OK no longer lists the contact as bound',
        left.length === 0,
        r.final.getAll('Contact').join(' | '),
      );
      const notify = await waitForNotify(
        ctx,
        ue,
        (body) => /state="terminated"/.test(body),
        'a NOTIFY reports the contact terminated',
        10000,
        seen,
      );
      const info = reginfoOf(ctx, notify);
      const contact = info.registrations
        .flatMap((x) => x.contacts)
        .find((c) => sameUri(c.uri, ue.contactUri));
      ctx.check(
        'the contact is terminated with event "unregistered" (RFC 3680 §5.1)',
        contact?.state === 'terminated' && contact.event === 'unregistered',
        contact ? `${contact.state}/${contact.event}` : 'contact not in the NOTIFY',
      );
    },
  },
  {
    id: 'reg.expiry',
    suite: 'registration',
    title: 'Registration expiry',
    clauses: ['TS 24.229 §5.4.1.4', 'TS 24.229 §5.4.2.1.2', 'RFC 3261 §10.3', 'RFC 3680 §5.1'],
    summary:
      'A short registration that is not refreshed ends when its expiry runs out: the reg-event subscriber gets the contact terminated with event "expired", not before the granted time.',
    extraTimeoutMs: (config) => (config.maxExpiryWaitS + 40) * 1000,
    async run(ctx) {
      const sub = await ctx.subscriber('aka');
      const ue = await ctx.ue(sub);
      let r = await ue.register({ expires: 10 });
      if (r.status === 423) {
        const min = Number(r.final.get('Min-Expires'));
        ctx.check(
          '423 Interval Too Brief carries Min-Expires (RFC 3261 §10.3 step 7)',
          Number.isFinite(min) && min > 0,
          r.final.get('Min-Expires'),
        );
        ctx.check(
          `Min-Expires is within --max-expiry-wait (${ctx.config.maxExpiryWaitS} s)`,
          min <= ctx.config.maxExpiryWaitS,
          `Min-Expires: ${min}`,
        );
        r = await ue.register({ expires: min });
      }
      ctx.check('a short REGISTER is accepted with 200 OK', r.status === 200, statusTrail(r));
      const registeredAt = Date.now();
      const granted = ourBinding(r.final, ue).expires ?? 0;
      ctx.check('a positive expiry is granted', granted > 0, String(granted));
      await subscribeAndFirstNotify(ctx, ue);
      const notify = await waitForNotify(
        ctx,
        ue,
        (body) => /event="expired"/.test(body),
        'a NOTIFY reports the contact expired',
        (granted + 35) * 1000,
      );
      const elapsed = (Date.now() - registeredAt) / 1000;
      ctx.check(
        'the binding lasted its granted expiry (no early removal)',
        elapsed >= granted - 1,
        `${elapsed.toFixed(1)} s of ${granted} s`,
      );
      const info = reginfoOf(ctx, notify);
      const contact = info.registrations
        .flatMap((x) => x.contacts)
        .find((c) => sameUri(c.uri, ue.contactUri));
      ctx.check(
        'the contact is terminated with event "expired"',
        contact?.state === 'terminated' && contact.event === 'expired',
        contact ? `${contact.state}/${contact.event}` : 'contact not in the NOTIFY',
      );
      ue.registered = false;
    },
  },
  {
    id: 'reg.reg-event',
    suite: 'registration',
    title: 'Reg-event subscription and NOTIFY contents',
    clauses: [
      'TS 24.229 §5.1.1.3',
      'TS 24.229 §5.4.2.1',
      'RFC 3680 §4',
      'RFC 3680 §5',
      'RFC 6665 §4.2',
    ],
    summary:
      "The UE subscribes to its reg event through the Service-Route; the NOTIFY is in the subscription dialog and carries a full reginfo document with the registered identities active and the UE's contact active.",
    async run(ctx) {
      const sub = await ctx.subscriber('aka');
      const ue = await ctx.ue(sub);
      const reg = await registered(ctx, ue);
      const { response, notify, reginfo } = await subscribeAndFirstNotify(ctx, ue);
      ctx.check(
        'the 2xx to SUBSCRIBE carries Expires (RFC 6665 §4.2.1.1)',
        response.has('Expires'),
        response.get('Expires'),
      );
      const subscribe = ctx.sent(ue, 'SUBSCRIBE')[0];
      ctx.check(
        'the NOTIFY is in the subscription dialog (Call-ID, To tag = SUBSCRIBE From tag)',
        notify.callId() === subscribe.callId() && notify.to().tag === subscribe.from().tag,
        `Call-ID ${notify.callId()}`,
      );
      ctx.check(
        'NOTIFY Event is reg',
        /^reg\b/i.test(notify.get('Event') ?? ''),
        notify.get('Event'),
      );
      ctx.check(
        'NOTIFY Subscription-State is active',
        /^active\b/i.test(notify.get('Subscription-State') ?? ''),
        notify.get('Subscription-State'),
      );
      ctx.check(
        'the first NOTIFY has state="full" (RFC 3680 §5.3)',
        reginfo.state === 'full',
        reginfo.state,
      );
      ctx.check(
        'the first NOTIFY has version 0 (RFC 3680 §5.3)',
        reginfo.version === 0,
        String(reginfo.version),
      );
      const aor = reginfo.registrations.find((x) => sameUri(x.aor, sub.impu));
      ctx.check(
        'the registered IMPU is listed active',
        aor?.state === 'active',
        aor ? aor.state : `aors: ${reginfo.registrations.map((x) => x.aor).join(', ')}`,
      );
      const contact = aor!.contacts.find((c) => sameUri(c.uri, ue.contactUri));
      ctx.check(
        "the UE's contact is listed active under it",
        contact?.state === 'active',
        contact?.state ?? 'contact not listed',
      );
      const expected =
        (reg.associatedUris.length ? reg.associatedUris.map(uriOf) : sub.impus) ?? [];
      const missing = expected.filter((u) => !reginfo.registrations.some((x) => sameUri(x.aor, u)));
      ctx.check(
        'every implicitly registered IMPU has a <registration> (TS 24.229 §5.4.2.1.2)',
        missing.length === 0,
        missing.length ? `missing ${missing.join(', ')}` : undefined,
      );
      const answered = ctx
        .messages(ue)
        .some(
          (m) =>
            m.direction === 'out' &&
            m.message.isResponse() &&
            m.message.status === 200 &&
            m.message.cseq().method === 'NOTIFY',
        );
      ctx.check('the UE answered the NOTIFY with 200 OK', answered);
    },
  },
  {
    id: 'reg.service-route',
    suite: 'registration',
    title: 'P-Associated-URI and Service-Route present and used',
    clauses: [
      'RFC 3608 §5',
      'RFC 3608 §6',
      'RFC 3455 §4.1',
      'TS 24.229 §5.1.1.2.1',
      'TS 24.229 §5.4.1.2.2',
    ],
    summary:
      'The 200 OK to REGISTER carries Service-Route (loose routes) and P-Associated-URI with the registered identity; a request pre-loaded with the Service-Route as its Route set is accepted.',
    async run(ctx) {
      const sub = await ctx.subscriber('aka');
      const ue = await ctx.ue(sub);
      const r = await registered(ctx, ue);
      ctx.check(
        'the 200 OK carries Service-Route (RFC 3608 §5)',
        r.serviceRoutes.length > 0,
        r.final.getAll('Service-Route').join(' | ') || 'none',
      );
      ctx.check(
        'every Service-Route entry is a loose route (;lr)',
        r.serviceRoutes.every(isLooseRoute),
        r.serviceRoutes.join(' | '),
      );
      ctx.check(
        'the 200 OK carries P-Associated-URI (RFC 3455 §4.1)',
        r.associatedUris.length > 0,
        r.associatedUris.join(', ') || 'none',
      );
      const associated = r.associatedUris.map(uriOf);
      ctx.check(
        'the registered IMPU is among the associated URIs',
        associated.some((u) => sameUri(u, sub.impu)),
        associated.join(', '),
      );
      if (sub.impus?.length) {
        const missing = sub.impus.filter((u) => !associated.some((a) => sameUri(a, u)));
        ctx.check(
          'P-Associated-URI lists the whole implicit registration set',
          missing.length === 0,
          missing.length ? `missing ${missing.join(', ')}` : associated.join(', '),
        );
      }
      const res = await ue.subscribeRegEvent();
      const sent = ctx.sent(ue, 'SUBSCRIBE')[0];
      ctx.check(
        'the UE pre-loads the Service-Route as Route of its next request (RFC 3608 §6)',
        JSON.stringify(sent.getAll('Route').map(uriOf)) ===
          JSON.stringify(r.serviceRoutes.map(uriOf)),
        sent.getAll('Route').join(' | '),
      );
      ctx.check(
        'the request routed by the Service-Route is accepted (2xx)',
        res.status >= 200 && res.status < 300,
        `${res.status} ${res.reason}`,
      );
    },
  },
  {
    id: 'reg.path',
    suite: 'registration',
    title: 'Path is recorded and honoured',
    clauses: ['RFC 3327 §5.3', 'RFC 3327 §5.2', 'TS 24.229 §5.2.2.1', 'TS 24.229 §5.4.1.2.2'],
    summary:
      'The P-CSCF adds Path to REGISTER and the registrar echoes it in the 200 OK; a request the core sends to the UE (the reg-event NOTIFY) arrives through the element that inserted Path.',
    async run(ctx) {
      const sub = await ctx.subscriber('aka');
      const ue = await ctx.ue(sub);
      const r = await registered(ctx, ue);
      const paths = r.final.getAll('Path');
      ctx.check(
        'the 200 OK carries the Path the proxies recorded (RFC 3327 §5.3)',
        paths.length > 0,
        paths.join(' | ') || 'none',
      );
      ctx.check(
        'the Path entries are loose routes (;lr)',
        paths.every(isLooseRoute),
        paths.join(' | '),
      );
      const { notify } = await subscribeAndFirstNotify(ctx, ue);
      const vias = notify.via();
      ctx.check(
        'the NOTIFY crossed at least one proxy (two or more Via)',
        vias.length >= 2,
        notify.getAll('Via').join(' | '),
      );
      const top = vias[0];
      const firstPath = parseUri(uriOf(paths[0]));
      const pathHost = 'host' in firstPath ? firstPath.host : '';
      const pathPort = 'port' in firstPath ? firstPath.port : undefined;
      const pcscf = ctx.config.pcscf;
      const viaPort = top.port ?? 5060;
      const fromPcscf = top.host === pcscf.host && viaPort === pcscf.port;
      const fromPath = top.host === pathHost && viaPort === (pathPort ?? 5060);
      ctx.check(
        'the NOTIFY reached the UE from the P-CSCF that inserted Path (top Via)',
        fromPcscf || fromPath,
        `top Via ${top.host}:${viaPort}, Path ${pathHost}:${pathPort ?? 5060}`,
      );
      ctx.check(
        'the NOTIFY is addressed to the registered contact',
        sameUri(notify.uri, ue.contactUri),
        notify.uri,
      );
    },
  },
];
