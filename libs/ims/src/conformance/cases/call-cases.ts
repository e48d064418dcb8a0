/**
 * Call cases: two registered UEs of the core call each other through it (originating
 * P-CSCF and S-CSCF, the callee's home, terminating S-CSCF and P-CSCF). Each case looks at
 * what the callee receives (Request-URI, P-Asserted-Identity, Record-Route, the SDP) and what
 * the caller gets back, not only at the final status.
 */
import { SipRequest, SipResponse } from '@lib/sip';
import type { IncomingCall, UeSimulator } from '../../ue';
import type { CaseContext, ConformanceCase } from '../case-context';
import type { SuiteSubscriber } from '../conformance-types';
import { sameUri, uriOf } from './uri-match';

const CALL_WAIT_MS = 10000;

const status = (r: SipResponse | undefined) => (r ? `${r.status} ${r.reason}` : 'none');

/** Registers a UE for the subscriber; the case stops unless the core accepts it. */
async function registeredUe(
  ctx: CaseContext,
  sub: SuiteSubscriber,
  label: string,
): Promise<UeSimulator> {
  const ue = await ctx.ue(sub, { label });
  const r = await ue.register();
  ctx.check(`${label} registers (200 OK)`, r.status === 200, r.responses.map(status).join(', '));
  return ue;
}

/** Two registered UEs, caller A and callee B. */
async function twoParties(
  ctx: CaseContext,
): Promise<{ a: UeSimulator; b: UeSimulator; subA: SuiteSubscriber; subB: SuiteSubscriber }> {
  const subA = await ctx.subscriber('aka');
  const subB = await ctx.subscriber('aka');
  const a = await registeredUe(ctx, subA, 'UE A');
  const b = await registeredUe(ctx, subB, 'UE B');
  return { a, b, subA, subB };
}

async function incoming(ctx: CaseContext, b: UeSimulator): Promise<IncomingCall> {
  let call: IncomingCall | undefined;
  try {
    call = await b.waitForCall(CALL_WAIT_MS);
  } catch {
    /* reported by the check */
  }
  ctx.check(
    'the INVITE reaches the callee',
    call !== undefined,
    call ? undefined : `none within ${CALL_WAIT_MS / 1000} s`,
  );
  return call!;
}

/**
 * What the terminating P-CSCF must hand to the callee: the request addressed to the
 * registered contact (TS 24.229 §5.4.3.3 retargeting, RFC 3327 Path), an asserted identity of
 * the caller (RFC 3325 §9.1, TS 24.229 §5.2.6.3.3 / §5.4.3.2) and no P-Preferred-Identity.
 */
function checkDelivered(
  ctx: CaseContext,
  request: SipRequest,
  caller: UeSimulator,
  callee: UeSimulator,
): void {
  ctx.check(
    "the request is addressed to the callee's registered contact",
    sameUri(request.uri, callee.contactUri),
    request.uri,
  );
  const asserted = request.getAll('P-Asserted-Identity').map(uriOf);
  const callerIds = [caller.options.impu, ...caller.associatedUris.map(uriOf)];
  ctx.check(
    'it carries a P-Asserted-Identity of the caller (RFC 3325 §9.1)',
    asserted.some((id) => callerIds.some((c) => sameUri(id, c))),
    asserted.join(', ') || 'none',
  );
  ctx.check(
    'it carries no P-Preferred-Identity (RFC 3325 §9.1)',
    !request.has('P-Preferred-Identity'),
  );
}

export const callCases: ConformanceCase[] = [
  {
    id: 'call.basic',
    suite: 'calls',
    title: 'A call: INVITE, 180, 200, ACK, BYE',
    clauses: [
      'TS 24.229 §5.1.3',
      'TS 24.229 §5.1.4',
      'TS 24.229 §5.4.3.3',
      'RFC 3261 §13',
      'RFC 3261 §15',
      'RFC 3325 §9.1',
    ],
    summary:
      "UE A calls UE B by its public identity: B receives the INVITE at its contact with A's asserted identity, a Record-Route set and A's SDP untouched; 180 and 200 reach A, the ACK and the BYE follow the dialog's route set to B.",
    async run(ctx) {
      const { a, b, subB } = await twoParties(ctx);
      const out = a.call(subB.impu);
      const inc = await incoming(ctx, b);
      checkDelivered(ctx, inc.invite, a, b);
      const recordRoute = inc.invite.getAll('Record-Route');
      ctx.check(
        'the INVITE carries Record-Route (RFC 3261 §16.6 step 4)',
        recordRoute.length > 0,
        recordRoute.join(' | ') || 'none',
      );
      ctx.check(
        'the SDP offer arrives as A sent it',
        inc.invite.body.toString('utf8') === out.invite.body.toString('utf8'),
      );
      inc.ring(180);
      let ringing: SipResponse | undefined;
      try {
        ringing = await out.waitFor(180, CALL_WAIT_MS);
      } catch {
        /* checked */
      }
      ctx.check(
        "180 Ringing reaches the caller with the callee's To tag",
        !!ringing && ringing.to().tag !== undefined,
        status(ringing),
      );
      const acked = inc.answer();
      const answer = await out.answered;
      ctx.check('200 OK reaches the caller', answer.status === 200, status(answer));
      ctx.check(
        'the 200 OK carries the Record-Route set',
        answer.getAll('Record-Route').length === recordRoute.length,
        answer.getAll('Record-Route').join(' | '),
      );
      ctx.check(
        'the SDP answer arrives as B sent it',
        answer.body.toString('utf8') === (inc.localSdp ?? ''),
      );
      const ack = await acked;
      ctx.check(
        "the caller's ACK reaches the callee (RFC 3261 §13.2.2.4)",
        ack !== undefined,
        ack ? undefined : 'none within 64*T1',
      );
      ctx.check(
        'the ACK came along the route set (Record-Route, RFC 3261 §12.2.1.1)',
        (out.ack?.getAll('Route').length ?? 0) === recordRoute.length,
        out.ack?.getAll('Route').join(' | '),
      );
      const bye = await out.bye();
      ctx.check('BYE is answered 200 OK', bye.status === 200, status(bye));
      const ended = await Promise.race([
        inc.ended,
        ctx.sleep(CALL_WAIT_MS).then(() => 'not ended'),
      ]);
      ctx.check('the callee got the BYE and ended the call', ended === 'remote-bye', String(ended));
    },
  },
  {
    id: 'call.cancel',
    suite: 'calls',
    title: 'Cancel before answer',
    clauses: ['RFC 3261 §9.1', 'RFC 3261 §9.2', 'TS 24.229 §5.1.3', 'TS 24.229 §5.4.3.3'],
    summary:
      'UE A cancels its INVITE while UE B rings: the CANCEL is answered 200, the CANCEL reaches B, and the INVITE ends with 487 Request Terminated at A.',
    async run(ctx) {
      const { a, b, subB } = await twoParties(ctx);
      const out = a.call(subB.impu);
      const inc = await incoming(ctx, b);
      inc.ring(180);
      let ringing: SipResponse | undefined;
      try {
        ringing = await out.waitFor(180, CALL_WAIT_MS);
      } catch {
        /* checked */
      }
      ctx.check('180 Ringing reaches the caller', !!ringing, status(ringing));
      const final = await out.cancel();
      ctx.check(
        'the CANCEL is answered 200 OK (RFC 3261 §9.2)',
        out.cancelResponse?.status === 200,
        status(out.cancelResponse),
      );
      ctx.check('the INVITE ends with 487 Request Terminated', final.status === 487, status(final));
      const cancelled = await Promise.race([
        inc.cancelled,
        ctx.sleep(CALL_WAIT_MS).then(() => undefined),
      ]);
      ctx.check(
        'the CANCEL reached the callee before it answered',
        cancelled === true,
        String(cancelled),
      );
      const ended = await Promise.race([
        out.ended,
        ctx.sleep(CALL_WAIT_MS).then(() => 'not ended'),
      ]);
      ctx.check("the caller's call ended as cancelled", ended === 'cancelled', String(ended));
    },
  },
  {
    id: 'call.busy',
    suite: 'calls',
    title: 'Busy callee: 486 propagated',
    clauses: ['RFC 3261 §21.4.24', 'RFC 3261 §16.7', 'TS 24.229 §5.1.4', 'TS 24.229 §5.4.3.3'],
    summary:
      "UE B answers the INVITE with 486 Busy Here: the caller receives that 486 (the callee's To tag, not a status made up on the way) and no dialog is set up.",
    async run(ctx) {
      const { a, b, subB } = await twoParties(ctx);
      const out = a.call(subB.impu);
      const inc = await incoming(ctx, b);
      inc.reject(486);
      const final = await out.answered;
      ctx.check('the caller receives 486 Busy Here', final.status === 486, status(final));
      const sent = ctx
        .messages(b)
        .find(
          (m) => m.direction === 'out' && m.message.isResponse() && m.message.status === 486,
        )?.message;
      ctx.check(
        "it is the callee's own 486 (same To tag)",
        !!sent && final.to().tag === sent.to().tag,
        `${final.to().tag} / ${sent?.to().tag}`,
      );
      ctx.check(
        'no dialog is confirmed',
        out.state !== 'confirmed' && out.ack === undefined,
        out.state,
      );
    },
  },
  {
    id: 'call.unregistered-callee',
    suite: 'calls',
    title: 'Unregistered callee: 480',
    clauses: ['TS 24.229 §5.3.2.1', 'TS 24.229 §5.4.3.3', 'TS 29.228 §6.1.4', 'RFC 3261 §21.4.18'],
    summary:
      'UE A calls a subscriber the core knows but who is not registered (and has no unregistered services): the INVITE fails with 480 Temporarily Unavailable, nobody rings.',
    async run(ctx) {
      const subA = await ctx.subscriber('aka');
      const subB = await ctx.subscriber('aka');
      const a = await registeredUe(ctx, subA, 'UE A');
      const out = a.call(subB.impu);
      const final = await out.answered;
      ctx.check(
        'the INVITE fails with 480 Temporarily Unavailable',
        final.status === 480,
        status(final),
      );
      ctx.check(
        'no provisional with a To tag came (nobody rang)',
        out.provisionals.every((p) => p.to().tag === undefined),
        out.provisionals.map(status).join(', '),
      );
    },
  },
  {
    id: 'call.message',
    suite: 'calls',
    title: 'MESSAGE (page mode)',
    clauses: ['RFC 3428 §4', 'RFC 3428 §7', 'TS 24.229 §5.1.2A.1', 'TS 24.229 §5.4.3.3'],
    summary:
      "UE A sends a MESSAGE to UE B: B receives it at its contact with A's asserted identity and the body and Content-Type unchanged, and its 200 OK reaches A.",
    async run(ctx) {
      const { a, b, subB } = await twoParties(ctx);
      const text = `ims-test ${Date.now()} ✓ ünïcode`;
      const response = await a.message(subB.impu, text);
      ctx.check('the MESSAGE is answered 200 OK', response.status === 200, status(response));
      let got: SipRequest | undefined;
      try {
        got = await b.waitForRequest((r) => r.method === 'MESSAGE', CALL_WAIT_MS);
      } catch {
        /* checked */
      }
      ctx.check('the MESSAGE reaches the callee', !!got, got ? undefined : 'none');
      checkDelivered(ctx, got!, a, b);
      ctx.check(
        'the body arrives unchanged',
        got!.body.toString('utf8') === text,
        got!.body.toString('utf8'),
      );
      ctx.check(
        'Content-Type is text/plain',
        /^text\/plain\b/i.test(got!.contentType() ?? ''),
        got!.contentType(),
      );
    },
  },
];
