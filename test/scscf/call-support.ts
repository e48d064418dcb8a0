/**
 * Small UEs for routing tests against a whole lab (test/support/lab.ts): registered with the
 * UE simulator (AKA through the P-CSCF), then driven at the SIP level on the UE's own stack so
 * a test sees exactly what crossed each hop (Record-Route, Via, P-Asserted-Identity, SDP).
 */
import { randomBytes } from 'node:crypto';
import { UeSimulator } from '@lib/ims';
import {
  createRequest,
  createResponse,
  Dialog,
  generateTag,
  type ServerTransaction,
  type SipRequest,
  type SipResponse,
} from '@lib/sip';
import type { Lab } from '../support/lab';
import { akaSubscriber, shortcutBody, type TestSubscriber } from '../support/subscribers';

export const OFFER = [
  'v=0',
  'o=- 4242 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 49170 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

export const ANSWER = OFFER.replace('4242', '4343').replace('49170', '51372');

/** How a test callee answers an INVITE. */
export type CalleeAnswer = { status: number; ringFirst?: boolean; delayMs?: number };

/**
 * Gives every IMPU of `sub` a service profile with one iFC (Priority 0) whose trigger is
 * `method` in `sessionCase` (TS 29.228 tDirectionOfRequest: 0 originating, 1 terminating
 * registered, 2 terminating unregistered) and whose AS is `serverName` with DefaultHandling
 * `defaultHandling` (0 SESSION_CONTINUED, 1 SESSION_TERMINATED), over the HSS REST API.
 */
export async function provisionIfc(
  lab: Lab,
  sub: TestSubscriber,
  ifc: { serverName: string; method: string; sessionCase: number; defaultHandling?: 0 | 1 },
): Promise<void> {
  const ok = async (r: Promise<{ status: number; body: any }>) => {
    const res = await r;
    if (res.status >= 300) throw new Error(`HSS REST ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const server = await ok(
    lab.rest('POST', '/application-servers', {
      name: `as-${sub.imsi}`,
      serverName: ifc.serverName,
      defaultHandling: ifc.defaultHandling ?? 0,
    }),
  );
  const sp = await ok(lab.rest('POST', '/service-profiles', { name: `sp-${sub.imsi}` }));
  await ok(
    lab.rest('POST', '/ifcs', {
      name: `ifc-${sub.imsi}`,
      priority: 0,
      triggerPoint: {
        conditionTypeCnf: true,
        spts: [
          { conditionNegated: false, group: [0], method: ifc.method },
          { conditionNegated: false, group: [1], sessionCase: ifc.sessionCase },
        ],
      },
      applicationServerId: server.id,
      serviceProfileId: sp.id,
    }),
  );
  for (const impu of sub.impus) {
    await ok(
      lab.rest('PATCH', `/public-identities/${encodeURIComponent(impu)}`, {
        serviceProfileId: sp.id,
      }),
    );
  }
}

/** A registered UE of the lab with a scripted answer to INVITE and a record of requests. */
export class CallUe {
  /** Every request received (ACK included). */
  readonly requests: SipRequest[] = [];
  answer: CalleeAnswer = { status: 200, ringFirst: true };
  /** The dialogs this UE answered with a 2xx, by Call-ID (the callee side, RFC 3261 §12.1.1). */
  readonly answered = new Map<string, Dialog>();
  private waiters: { pred: (r: SipRequest) => boolean; resolve: (r: SipRequest) => void }[] = [];

  private constructor(
    readonly lab: Lab,
    readonly sub: TestSubscriber,
    readonly ue: UeSimulator,
  ) {}

  /**
   * Provisions a fresh subscriber in the lab's domain (MSISDN under `msisdnPrefix`, default
   * 1555), runs `beforeRegister` (e.g. to give it iFCs, which SAR downloads at registration),
   * starts its UE on the lab's P-CSCF and registers it unless `register` is false.
   */
  static async start(
    lab: Lab,
    opts: {
      register?: boolean;
      msisdnPrefix?: string;
      /** Another UE (contact) of an existing subscriber: no provisioning. */
      sub?: TestSubscriber;
      beforeRegister?: (sub: TestSubscriber) => Promise<void>;
    } = {},
  ): Promise<CallUe> {
    if (opts.sub) return CallUe.run(lab, opts.sub, opts.register ?? true);
    const base = akaSubscriber();
    const msisdn = opts.msisdnPrefix
      ? `${opts.msisdnPrefix}${base.msisdn.slice(opts.msisdnPrefix.length)}`
      : base.msisdn;
    const d = lab.domain;
    const sub: TestSubscriber = {
      ...base,
      msisdn,
      impi: `${base.imsi}@${d}`,
      impu: `sip:${base.imsi}@${d}`,
      impus: [`sip:${base.imsi}@${d}`, `sip:+${msisdn}@${d}`, `tel:+${msisdn}`],
    };
    const res = await lab.rest('POST', '/subscribers', shortcutBody(sub));
    if (res.status >= 300) throw new Error(`provisioning ${sub.imsi}: ${res.status}`);
    await opts.beforeRegister?.(sub);
    return CallUe.run(lab, sub, opts.register ?? true);
  }

  private static async run(lab: Lab, sub: TestSubscriber, register: boolean): Promise<CallUe> {
    const d = lab.domain;
    const holder: { self?: CallUe } = {};
    const ue = await UeSimulator.start({
      impi: sub.impi,
      impu: sub.impu,
      domain: d,
      pcscf: lab.pcscf(),
      credentials: { k: sub.k, op: sub.op },
      timers: { T1: 100 },
      onRequest: (req, tx) => holder.self?.onRequest(req, tx),
    });
    const self = new CallUe(lab, sub, ue);
    holder.self = self;
    if (register) {
      const reg = await ue.register();
      if (reg.status !== 200) throw new Error(`register ${sub.impu}: ${reg.status}`);
    }
    return self;
  }

  get impu(): string {
    return this.sub.impu;
  }

  close(): Promise<void> {
    return this.ue.close();
  }

  /** Resolves with the first received request that matches (already received ones count). */
  waitFor(pred: (r: SipRequest) => boolean, timeoutMs = 8000): Promise<SipRequest> {
    const seen = this.requests.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve: (r: SipRequest) => (clearTimeout(t), resolve(r)) };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.impu}: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private onRequest(req: SipRequest, tx: ServerTransaction | undefined): void {
    this.requests.push(req);
    for (const w of [...this.waiters]) {
      if (w.pred(req)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(req);
      }
    }
    if (!tx) return;
    if (req.method === 'INVITE') {
      const tag = generateTag();
      const reply = (status: number) => {
        const res = createResponse(req, status, undefined, { toTag: tag });
        // RFC 3261 §12.1.1: the UAS copies Record-Route into responses that create dialogs.
        for (const rr of req.getAll('Record-Route')) res.append('Record-Route', rr);
        res.set('Contact', `<${this.ue.contactUri}>`);
        if (status >= 200 && status < 300) {
          res.set('Content-Type', 'application/sdp');
          res.body = Buffer.from(ANSWER);
          if (!tx.hasFinalResponse && !req.to().tag)
            this.answered.set(
              req.callId(),
              Dialog.createAsUas(req, tag, { localTarget: this.ue.contactUri, confirmed: true }),
            );
        }
        if (!tx.hasFinalResponse) tx.respond(res);
      };
      const { status, ringFirst, delayMs } = this.answer;
      if (ringFirst) reply(180);
      if (status > 0) setTimeout(() => reply(status), delayMs ?? 0);
      return;
    }
    if (req.method === 'CANCEL') {
      // RFC 3261 §9.2: 200 to the CANCEL, 487 to the INVITE it cancels (if still pending).
      const invite = this.ue.stack.transactions.findInviteServerTransactionForCancel(req);
      tx.respond(createResponse(req, 200));
      if (invite && !invite.hasFinalResponse) {
        const tag = invite.lastResponse?.to().tag ?? generateTag();
        invite.respond(createResponse(invite.request, 487, undefined, { toTag: tag }));
      }
      return;
    }
    const tag = req.to().tag ? undefined : generateTag();
    const res = createResponse(req, 200, undefined, { toTag: tag });
    if (req.method === 'SUBSCRIBE' && tag) {
      // RFC 6665 §4.2.1: a SUBSCRIBE creates a dialog; its 2xx carries the Record-Route.
      for (const rr of req.getAll('Record-Route')) res.append('Record-Route', rr);
      res.set('Contact', `<${this.ue.contactUri}>`);
      res.set('Expires', req.get('Expires') ?? '600');
      this.answered.set(
        req.callId(),
        Dialog.createAsUas(req, tag, { localTarget: this.ue.contactUri, confirmed: true }),
      );
    }
    tx.respond(res);
  }

  /** An initial request from this UE (the P-CSCF adds its Service-Route). */
  request(method: string, target: string, body?: { type: string; content: string }): SipRequest {
    return createRequest({
      method,
      uri: target,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<${this.impu}>;tag=${generateTag()}`],
        ['To', `<${target}>`],
        ['Call-ID', `${randomBytes(8).toString('hex')}@call-ue`],
        ['CSeq', `1 ${method}`],
        ['Contact', `<${this.ue.contactUri}>`],
        ...(body ? ([['Content-Type', body.type]] as [string, string][]) : []),
      ],
      body: body?.content,
    });
  }

  /** Sends a request through the P-CSCF; resolves with the final response and provisionals. */
  async send(req: SipRequest): Promise<{ final: SipResponse; provisional: SipResponse[] }> {
    const provisional: SipResponse[] = [];
    const final = await this.ue.stack.request(req, {
      destination: this.lab.pcscf(),
      onProvisional: (r) => provisional.push(r),
    });
    return { final, provisional };
  }

  /** INVITE with SDP; on 2xx the ACK goes out at once. Returns the dialog when confirmed. */
  async call(target: string): Promise<{
    invite: SipRequest;
    final: SipResponse;
    provisional: SipResponse[];
    dialog?: Dialog;
  }> {
    const invite = this.request('INVITE', target, { type: 'application/sdp', content: OFFER });
    const { final, provisional } = await this.send(invite);
    if (final.status >= 300) return { invite, final, provisional };
    const dialog = Dialog.createAsUac(invite, final);
    await this.ue.stack.sendStateless(dialog.createAck(invite), this.lab.pcscf());
    return { invite, final, provisional, dialog };
  }

  /** A request inside `dialog` (BYE, INFO, re-INVITE...), through the P-CSCF. */
  async inDialog(dialog: Dialog, method: string): Promise<SipResponse> {
    const req = dialog.createRequest(method);
    return (await this.send(req)).final;
  }
}
