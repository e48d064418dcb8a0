import { randomBytes } from 'node:crypto';
import {
  computeDigestResponse,
  createRequest,
  createResponse,
  Destination,
  Dialog,
  dialogIdOfRequest,
  dialogIdOfResponse,
  dialogKey,
  DigestChallenge,
  DigestCredentials,
  formatCredentials,
  generateTag,
  parseChallenge,
  ServerTransaction,
  SipRequest,
  SipParseError,
  SipResponse,
  SipStack,
  TimerSettings,
  TransportProtocol,
} from '@lib/sip';
import {
  BytesLike,
  computeAkaDigestResponse,
  computeAkaResyncResponse,
  decodeAkaNonce,
  encodeAutsParam,
  milenageF2345,
  parseAkaAlgorithm,
  resolveKeys,
  toBytes,
  ueProcessChallenge,
} from '../aka';
import { CallBase, CallHost, UeIncomingCall, UeOutgoingCall } from './call';
import type {
  AutoAnswer,
  Call,
  CallOptions,
  IncomingCall,
  OutgoingCall,
  SendOptions,
  SubscribeOutcome,
  UeCallApi,
} from './call-api';
import { UeNotifier } from './notifier';
import { UeTrace } from './ue-trace';

/** What the UE's ISIM (AKA) or its user (SIP Digest) knows. */
export interface UeCredentials {
  /** AKA: K and OP or OPc. */
  k?: BytesLike;
  op?: BytesLike;
  opc?: BytesLike;
  /**
   * AKA: SQN_MS, the highest SQN the USIM accepted. When set, the SQN freshness check of
   * TS 33.102 §6.3.3 runs and a stale SQN is answered with AUTS (RFC 3310 §3.4); when absent
   * only the MAC is checked (as SIPp does).
   */
  sqnMs?: BytesLike;
  /** SIP Digest (MD5): the password. */
  password?: string;
}

export interface UeOptions {
  /** Private identity, the Digest username (TS 24.229 §5.1.1.2.1). */
  impi: string;
  /** Public identity to register (To and From). */
  impu: string;
  /** Home network domain: Request-URI of REGISTER and Digest realm of the first request. */
  domain: string;
  /** The P-CSCF (the UE's outbound proxy). */
  pcscf: Destination;
  /** Local address to bind (port 0: any free port). Default 127.0.0.1. */
  localHost?: string;
  localPort?: number;
  credentials: UeCredentials;
  /** Requested registration expiry in seconds. Default 600000, the TS 24.229 value. */
  expires?: number;
  /** Extra Contact header parameters, e.g. `+sip.instance="<urn:uuid:...>";reg-id=1`. */
  contactParams?: string;
  /** Algorithm named in the first REGISTER; default none (the core decides, TS 29.228). */
  algorithm?: string;
  /** Transaction timer settings of the UE's stack (short T1 in tests). */
  timers?: Partial<TimerSettings>;
  /**
   * Whether the UE authenticates the network (AUTN MAC, TS 33.102 §6.3.3). Default true. A
   * test UE with `false` answers even a challenge it cannot verify, to exercise the core's
   * handling of a wrong response (a UE holding the wrong K).
   */
  verifyNetwork?: boolean;
  /** cnonce source (tests pin it to reproduce published Digest vectors). */
  cnonce?: () => string;
  /** Called for every request the UE receives that it does not answer itself. */
  onRequest?(request: SipRequest, tx: ServerTransaction | undefined): void;
  /**
   * Answer incoming calls without `waitForCall()` (see `AutoAnswer`), for load tests and
   * simple callees. Default false.
   */
  autoAnswer?: false | AutoAnswer;
}

/** The outcome of a registration attempt, with every response seen on the way. */
export interface RegistrationResult {
  /** Final status: 200 on success. */
  status: number;
  final: SipResponse;
  /** Every final response in order (401, 401 after resync, 200...). */
  responses: SipResponse[];
  /** How many 401 challenges were answered. */
  challenges: number;
  /** Whether an AUTS resynchronisation took place. */
  resynchronised: boolean;
  /** Set when the UE refused the network (AUTN MAC wrong, TS 33.102 §6.3.3). */
  networkAuthFailure?: 'mac';
  /** From a 200: P-Associated-URI values, Service-Route values, granted expiry. */
  associatedUris: string[];
  serviceRoutes: string[];
  expires?: number;
}

interface ActiveChallenge {
  challenge: DigestChallenge;
  /** Password for AKA (RES, or base64 for AKAv2) or MD5 (text); null for "not AKA". */
  nc: number;
  res?: Buffer;
  ik?: Buffer;
  ck?: Buffer;
}

/**
 * A UE simulator: an IMS client on a real SIP stack (UDP or TCP) that registers with IMS AKA
 * (AKAv1-MD5, AKAv2-MD5) or SIP Digest through a P-CSCF, checks AUTN (MAC and SQN freshness)
 * and answers with AUTS when out of sync, re-registers, de-registers, subscribes to its reg
 * event (RFC 3680) and sends or answers requests. Reused by the end-to-end tests and the
 * test-suite runner; every message it sends or receives is kept in `trace`.
 *
 * Calls (see `UeCallApi` in call-api.ts): `call()` places one, `waitForCall()` takes an
 * incoming one (or `UeOptions.autoAnswer` answers them), `message()` and `options()` send
 * page-mode MESSAGE and OPTIONS. With `UeOptions.onRequest` set, requests outside known call
 * dialogs go to that hook instead (no incoming calls are created).
 */
export class UeSimulator implements UeCallApi {
  readonly stack: SipStack;
  readonly trace = new UeTrace();
  readonly callId = `${randomBytes(8).toString('hex')}@ue`;
  /** NOTIFY requests received (reg event and others), oldest first. */
  readonly notifications: SipRequest[] = [];
  /** Other requests received (MESSAGE, OPTIONS, INVITE...). */
  readonly received: SipRequest[] = [];
  private readonly fromTag = generateTag();
  private cseq = 0;
  private active?: ActiveChallenge;
  private sqnMs?: Buffer;
  private waiters: { pred: (r: SipRequest) => boolean; resolve: (r: SipRequest) => void }[] = [];
  private refreshTimer?: NodeJS.Timeout;
  /** Outcomes of the automatic refreshes (see {@link keepRegistered}), oldest first. */
  readonly refreshes: RegistrationResult[] = [];
  /** Every call of this UE, both directions, oldest first. */
  readonly calls: Call[] = [];
  /** Calls by dialog id: in-dialog requests and stray 2xx find their call here. */
  private readonly callDialogs = new Map<string, CallBase>();
  /** Incoming calls nobody took with `waitForCall()` yet, and who waits. */
  private readonly pendingCalls: UeIncomingCall[] = [];
  private callWaiters: ((call: UeIncomingCall) => void)[] = [];
  private readonly autoTimers = new Set<NodeJS.Timeout>();
  private mediaPorts = 0;
  private readonly callHost: CallHost;
  /** Subscriptions this UE accepted as notifier (RFC 6665), with the NOTIFYs it sent. */
  readonly notifier: UeNotifier;
  /** State from the last successful registration. */
  associatedUris: string[] = [];
  serviceRoutes: string[] = [];
  registered = false;

  private constructor(readonly options: UeOptions) {
    this.stack = new SipStack({
      host: options.localHost ?? '127.0.0.1',
      port: options.localPort ?? 0,
      // RFC 3261 §18: "All SIP elements MUST implement UDP and TCP". A UE registered over UDP
      // still receives large requests (> 1300 bytes, §18.1.1) over TCP on the same port.
      transports: ['UDP', 'TCP'],
      timers: options.timers,
    });
    if (options.credentials.sqnMs !== undefined) {
      this.sqnMs = toBytes(options.credentials.sqnMs, 'SQN_MS', 6);
    }
    this.stack.setHandler({
      onRequest: (request, tx) => this.handleRequest(request, tx),
      onStrayResponse: (response) => this.handleStrayResponse(response),
    });
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const ue = this;
    this.callHost = {
      stack: this.stack,
      trace: this.trace,
      outbound: options.pcscf,
      impu: options.impu,
      get contactUri() {
        return ue.contactUri;
      },
      get serviceRoutes() {
        return ue.serviceRoutes;
      },
      bindDialog: (dialog: Dialog, call: CallBase) => this.callDialogs.set(dialog.key, call),
      unbindDialog: (dialog: Dialog) => {
        if (this.callDialogs.get(dialog.key)) this.callDialogs.delete(dialog.key);
      },
    };
    this.notifier = new UeNotifier(this.callHost);
  }

  static async start(options: UeOptions): Promise<UeSimulator> {
    const ue = new UeSimulator(options);
    await ue.stack.start();
    return ue;
  }

  async close(): Promise<void> {
    this.stopRefreshing();
    for (const t of this.autoTimers) clearTimeout(t);
    for (const call of this.calls) (call as CallBase).close();
    await this.stack.stop();
  }

  /**
   * Places a call: INVITE to `target` through the P-CSCF, with the registration's
   * Service-Route as Route (RFC 3608 §6, TS 24.229 §5.1.2A.1.1) and a PCMU offer.
   */
  call(target: string, opts: CallOptions = {}): OutgoingCall {
    const call = new UeOutgoingCall(this.callHost, target, opts, this.nextMediaPort());
    this.calls.push(call);
    return call;
  }

  /** The next incoming call not yet taken (already arrived or to come). */
  waitForCall(timeoutMs = 5000): Promise<IncomingCall> {
    const queued = this.pendingCalls.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (call: UeIncomingCall) => {
        clearTimeout(timer);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.callWaiters = this.callWaiters.filter((w) => w !== waiter);
        reject(new Error(`UE ${this.options.impu}: no incoming call within ${timeoutMs} ms`));
      }, timeoutMs);
      this.callWaiters.push(waiter);
    });
  }

  /** MESSAGE in page mode (RFC 3428 §4), `text/plain` unless `opts.contentType` says otherwise. */
  message(target: string, text: string, opts: SendOptions = {}): Promise<SipResponse> {
    return this.send(
      this.buildRequest(
        'MESSAGE',
        target,
        [...(opts.headers ?? []), ['Content-Type', opts.contentType ?? 'text/plain']],
        text,
      ),
    );
  }

  /** OPTIONS (RFC 3261 §11.1: "Accept: application/sdp" by default). */
  sendOptions(target: string, opts: SendOptions = {}): Promise<SipResponse> {
    const headers: [string, string][] = [['Accept', 'application/sdp'], ...(opts.headers ?? [])];
    if (opts.body !== undefined) headers.push(['Content-Type', opts.contentType ?? 'text/plain']);
    return this.send(this.buildRequest('OPTIONS', target, headers, opts.body));
  }

  /**
   * SUBSCRIBE outside a dialog (RFC 6665 §4.1.2.1) with the registration's Service-Route;
   * waits for the first NOTIFY of the subscription after a 2xx.
   */
  async subscribe(
    target: string,
    event: string,
    opts: SendOptions & { expires?: number; timeoutMs?: number } = {},
  ): Promise<SubscribeOutcome> {
    const headers: [string, string][] = [
      ['Event', event],
      ['Expires', String(opts.expires ?? 3600)],
      ...(opts.headers ?? []),
    ];
    if (opts.body !== undefined) headers.push(['Content-Type', opts.contentType ?? 'text/plain']);
    const request = this.buildRequest('SUBSCRIBE', target, headers, opts.body);
    const callId = request.callId();
    const notify = this.waitForRequest(
      (r) => r.method === 'NOTIFY' && r.callId() === callId,
      opts.timeoutMs ?? 5000,
    ).catch(() => undefined);
    const response = await this.send(request);
    return { response, notify: response.status < 300 ? await notify : undefined };
  }

  /** RTP port for the next call's SDP (even numbers, RFC 3550 §11). */
  private nextMediaPort(): number {
    const port = 40000 + ((this.mediaPorts * 2) % 20000);
    this.mediaPorts++;
    return port;
  }

  /**
   * Keeps the registration alive: re-registers before the granted expiry runs out, as a UE
   * does (TS 24.229 §5.1.1.4: 600 s before expiry for long registrations, else when half
   * the time has passed). Each outcome is appended to `refreshes`.
   */
  keepRegistered(granted: number): void {
    this.stopRefreshing();
    const seconds = granted > 1200 ? granted - 600 : granted / 2;
    this.refreshTimer = setTimeout(() => {
      void this.register().then((r) => {
        this.refreshes.push(r);
        if (r.status >= 200 && r.status < 300 && r.expires && this.refreshTimer)
          this.keepRegistered(r.expires);
      });
    }, seconds * 1000);
    this.refreshTimer.unref();
  }

  stopRefreshing(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  get transport(): TransportProtocol {
    return this.options.pcscf.transport;
  }

  /** The Contact URI this UE registers: where the core delivers its requests. */
  get contactUri(): string {
    const user = this.options.impi.split('@')[0];
    const host = this.stack.host.includes(':') ? `[${this.stack.host}]` : this.stack.host;
    const transport = this.transport === 'TCP' ? ';transport=tcp' : '';
    return `sip:${user}@${host}:${this.stack.port}${transport}`;
  }

  /** SQN_MS after the last accepted challenge (AKA). */
  get storedSqn(): Buffer | undefined {
    return this.sqnMs;
  }

  /**
   * Registers (or refreshes, or with `expires: 0` de-registers): sends REGISTER, answers up to
   * `maxChallenges` 401 challenges (resynchronising with AUTS when the SQN is out of range)
   * and returns the final response.
   */
  async register(
    opts: { expires?: number; maxChallenges?: number; reuseNonce?: boolean } = {},
  ): Promise<RegistrationResult> {
    const expires = opts.expires ?? this.options.expires ?? 600000;
    const result: RegistrationResult = {
      status: 0,
      final: undefined as unknown as SipResponse,
      responses: [],
      challenges: 0,
      resynchronised: false,
      associatedUris: [],
      serviceRoutes: [],
    };
    const maxChallenges = opts.maxChallenges ?? 3;
    let authorization =
      opts.reuseNonce && this.active
        ? this.answer(this.active, 'REGISTER')
        : this.initialAuthorization();
    for (;;) {
      const request = this.buildRegister(expires, authorization);
      const response = await this.send(request);
      result.responses.push(response);
      result.final = response;
      result.status = response.status;
      if (response.status !== 401 || result.challenges >= maxChallenges) break;
      result.challenges++;
      const header = response.get('WWW-Authenticate');
      if (!header) break;
      const outcome = this.acceptChallenge(parseChallenge(header));
      if (outcome.kind === 'mac-failure') {
        result.networkAuthFailure = 'mac';
        break;
      }
      if (outcome.kind === 'sync-failure') {
        result.resynchronised = true;
        authorization = outcome.authorization;
        continue;
      }
      authorization = this.answer(outcome.active, 'REGISTER');
    }
    if (result.status >= 200 && result.status < 300) {
      result.associatedUris = result.final.getAll('P-Associated-URI');
      result.serviceRoutes = result.final.getAll('Service-Route');
      const mine =
        result.final.contacts().find((c) => c.uri === this.contactUri) ??
        result.final.contacts()[0];
      result.expires = mine?.expires ?? result.final.expires();
      if (expires === 0) {
        this.registered = false;
      } else {
        this.registered = true;
        this.associatedUris = result.associatedUris;
        this.serviceRoutes = result.serviceRoutes;
      }
    }
    return result;
  }

  /** UE-initiated de-registration: REGISTER with Expires 0 (TS 24.229 §5.1.1.6). */
  deregister(): Promise<RegistrationResult> {
    return this.register({ expires: 0 });
  }

  /**
   * Subscribes to the reg event of its own IMPU (RFC 3680, TS 24.229 §5.1.1.3), routed by
   * the stored Service-Route.
   */
  async subscribeRegEvent(expires = 600000): Promise<SipResponse> {
    const request = this.buildRequest('SUBSCRIBE', this.options.impu, [
      ['Event', 'reg'],
      ['Accept', 'application/reginfo+xml'],
      ['Expires', String(expires)],
    ]);
    return this.send(request);
  }

  /** Sends an out-of-dialog request from the registered UE, routed by its Service-Route. */
  sendRequest(
    method: string,
    target: string,
    opts: { headers?: [string, string][]; body?: string; contentType?: string } = {},
  ): Promise<SipResponse> {
    const headers = [...(opts.headers ?? [])];
    if (opts.body !== undefined) headers.push(['Content-Type', opts.contentType ?? 'text/plain']);
    return this.send(this.buildRequest(method, target, headers, opts.body));
  }

  /** Resolves with the first received request (NOTIFY included) that matches, or rejects. */
  waitForRequest(pred: (r: SipRequest) => boolean, timeoutMs = 5000): Promise<SipRequest> {
    const seen = [...this.notifications, ...this.received].find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve: (r: SipRequest) => (clearTimeout(timer), resolve(r)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`UE ${this.options.impu}: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The first REGISTER's Authorization: TS 24.229 §5.1.1.2.1 (empty nonce and response). */
  private initialAuthorization(): string {
    const c: DigestCredentials = {
      username: this.options.impi,
      realm: this.options.domain,
      nonce: '',
      uri: `sip:${this.options.domain}`,
      response: '',
    };
    if (this.options.algorithm) c.algorithm = this.options.algorithm;
    return formatCredentials(c);
  }

  /**
   * Runs the ISIM on an AKA challenge (or keeps the password for MD5). Returns the challenge
   * state to answer, a resynchronisation Authorization, or a MAC failure.
   */
  private acceptChallenge(
    challenge: DigestChallenge,
  ):
    | { kind: 'ok'; active: ActiveChallenge }
    | { kind: 'sync-failure'; authorization: string }
    | { kind: 'mac-failure' } {
    const aka = challenge.algorithm ? parseAkaAlgorithm(challenge.algorithm) : null;
    if (!aka) {
      this.active = { challenge, nc: 0 };
      return { kind: 'ok', active: this.active };
    }
    const { k, op, opc } = this.options.credentials;
    if (k === undefined || (op === undefined && opc === undefined)) {
      throw new Error(`UE ${this.options.impi}: AKA challenge but no K/OP(c) configured`);
    }
    const { rand, autn } = decodeAkaNonce(challenge.nonce);
    const keys = opc !== undefined ? { k, opc } : { k, op: op! };
    const out = ueProcessChallenge({ ...keys, rand, autn, sqnMs: this.sqnMs });
    if (out.kind === 'mac-failure') {
      if (this.options.verifyNetwork !== false) return out;
      const { res, ck, ik } = milenageF2345(resolveKeys(keys), rand);
      this.active = { challenge, nc: 0, res, ik, ck };
      return { kind: 'ok', active: this.active };
    }
    if (out.kind === 'sync-failure') {
      // RFC 3310 §3.4: auts directive, response computed with an empty password.
      const cnonce = this.newCnonce();
      const qop = challenge.qop?.includes('auth') ? 'auth' : undefined;
      const c: DigestCredentials = {
        username: this.options.impi,
        realm: challenge.realm,
        nonce: challenge.nonce,
        uri: `sip:${this.options.domain}`,
        algorithm: challenge.algorithm,
        response: computeAkaResyncResponse({
          algorithm: aka.digest,
          username: this.options.impi,
          realm: challenge.realm,
          method: 'REGISTER',
          uri: `sip:${this.options.domain}`,
          nonce: challenge.nonce,
          qop,
          nc: qop ? 1 : undefined,
          cnonce: qop ? cnonce : undefined,
        }),
        auts: encodeAutsParam(out.auts),
      };
      if (qop) Object.assign(c, { qop, nc: '00000001', cnonce });
      if (challenge.opaque) c.opaque = challenge.opaque;
      return { kind: 'sync-failure', authorization: formatCredentials(c) };
    }
    this.sqnMs = out.sqn;
    this.active = { challenge, nc: 0, res: out.res, ik: out.ik, ck: out.ck };
    return { kind: 'ok', active: this.active };
  }

  private newCnonce(): string {
    return this.options.cnonce ? this.options.cnonce() : randomBytes(8).toString('hex');
  }

  /** Authorization answering the active challenge; each use increments nc (RFC 2617 §3.2.2). */
  private answer(active: ActiveChallenge, method: string): string {
    const { challenge } = active;
    active.nc++;
    const uri = `sip:${this.options.domain}`;
    const qop = challenge.qop?.includes('auth') ? 'auth' : undefined;
    const cnonce = this.newCnonce();
    const common = {
      username: this.options.impi,
      realm: challenge.realm,
      method,
      uri,
      nonce: challenge.nonce,
      qop: qop as 'auth' | undefined,
      nc: qop ? active.nc : undefined,
      cnonce: qop ? cnonce : undefined,
    };
    const response = active.res
      ? computeAkaDigestResponse({
          ...common,
          algorithm: challenge.algorithm!,
          res: active.res,
          ik: active.ik,
          ck: active.ck,
        })
      : computeDigestResponse({
          ...common,
          algorithm: challenge.algorithm,
          password: this.options.credentials.password ?? '',
        });
    const c: DigestCredentials = {
      username: this.options.impi,
      realm: challenge.realm,
      nonce: challenge.nonce,
      uri,
      response,
    };
    if (challenge.algorithm) c.algorithm = challenge.algorithm;
    if (qop) Object.assign(c, { qop, nc: active.nc.toString(16).padStart(8, '0'), cnonce });
    if (challenge.opaque) c.opaque = challenge.opaque;
    return formatCredentials(c);
  }

  private buildRegister(expires: number, authorization: string): SipRequest {
    const params = this.options.contactParams ? `;${this.options.contactParams}` : '';
    return createRequest({
      method: 'REGISTER',
      uri: `sip:${this.options.domain}`,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<${this.options.impu}>;tag=${this.fromTag}`],
        ['To', `<${this.options.impu}>`],
        ['Call-ID', this.callId],
        ['CSeq', `${++this.cseq} REGISTER`],
        ['Contact', `<${this.contactUri}>${params};expires=${expires}`],
        ['Expires', String(expires)],
        ['Authorization', authorization],
        ['Supported', 'path'],
        ['User-Agent', 'ims-testbed-ue'],
      ],
    });
  }

  private buildRequest(
    method: string,
    target: string,
    extra: [string, string][],
    body?: string | Buffer,
  ): SipRequest {
    const headers: [string, string][] = [
      ['Max-Forwards', '70'],
      ...this.serviceRoutes.map((r): [string, string] => ['Route', r]),
      ['From', `<${this.options.impu}>;tag=${generateTag()}`],
      ['To', `<${target}>`],
      ['Call-ID', `${randomBytes(8).toString('hex')}@ue`],
      ['CSeq', `1 ${method}`],
      ['Contact', `<${this.contactUri}>`],
      ...extra,
    ];
    return createRequest({ method, uri: target, headers, body });
  }

  /** Sends via the P-CSCF (outbound proxy) in a client transaction, tracing both ways. */
  private async send(request: SipRequest): Promise<SipResponse> {
    this.trace.out(request);
    const response = await this.stack.request(request, {
      destination: this.options.pcscf,
      onProvisional: (r) => this.trace.in(r),
    });
    this.trace.in(response);
    return response;
  }

  private handleRequest(request: SipRequest, tx: ServerTransaction | undefined): void {
    this.trace.in(request);
    if (request.method === 'NOTIFY') this.notifications.push(request);
    else if (request.method !== 'ACK') this.received.push(request);
    for (const w of [...this.waiters]) {
      if (w.pred(request)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(request);
      }
    }
    try {
      if (this.dispatchToCall(request, tx)) return;
    } catch (err) {
      // Bad input (a malformed Contact in a re-INVITE...) gets a clear answer: the
      // SipParseError's own status and phrase, else 500; the UE keeps serving.
      if (tx && !tx.hasFinalResponse) {
        const status = err instanceof SipParseError ? err.statusCode : 500;
        const reason = err instanceof SipParseError ? err.reasonPhrase : undefined;
        const response = createResponse(request, status, reason, { toTag: generateTag() });
        response.append(
          'Warning',
          `399 ue "${(err as Error).message.replace(/[\x00-\x1f"\\]/g, ' ')}"`,
        );
        this.trace.out(response);
        tx.respond(response);
      }
      return;
    }
    if (this.options.onRequest && request.method !== 'NOTIFY') {
      this.options.onRequest(request, tx);
      return;
    }
    if (!tx) return;
    const ok = ['NOTIFY', 'OPTIONS', 'MESSAGE', 'INFO'].includes(request.method);
    const response = createResponse(request, ok ? 200 : 501, undefined, { toTag: generateTag() });
    this.trace.out(response);
    tx.respond(response);
  }

  /**
   * Hands a request to the call it belongs to: in-dialog requests by dialog id (RFC 3261
   * §12.2.2), a CANCEL by the INVITE transaction it matches (§9.2), a new INVITE as an
   * incoming call. Returns false when the request is for the registration-era handling.
   */
  private dispatchToCall(request: SipRequest, tx: ServerTransaction | undefined): boolean {
    const id = dialogIdOfRequest(request);
    if (id) {
      const call = this.callDialogs.get(dialogKey(id));
      if (call) {
        const dialog = call.dialog?.key === dialogKey(id) ? call.dialog : undefined;
        call.handleRequest(request, tx, dialog ?? this.dialogOf(call, dialogKey(id)));
        return true;
      }
      if (request.method === 'NOTIFY' || this.options.onRequest) return false;
      if (request.method === 'ACK') return true;
      if (tx && this.notifier.handle(request, tx)) return true;
      // §12.2.2: "If the UAS wishes to reject the request because it does not wish to
      // recreate the dialog, it MUST respond to the request with a 481".
      if (tx) this.reply(request, tx, 481);
      return true;
    }
    if (request.method === 'CANCEL' && tx) {
      const inviteTx = this.stack.transactions.findInviteServerTransactionForCancel(request);
      const call = this.calls.find(
        (c): c is UeIncomingCall => c instanceof UeIncomingCall && c.transaction === inviteTx,
      );
      if (call) call.handleCancel(request, tx);
      // Not for a call: with the onRequest hook, the hook's INVITE transactions own it.
      else if (this.options.onRequest) return false;
      // §9.2: no matching transaction: "the UAS SHOULD respond to the CANCEL with a 481".
      else this.reply(request, tx, 481);
      return true;
    }
    if (request.method === 'SUBSCRIBE' && tx && !this.options.onRequest)
      return this.notifier.handle(request, tx);
    if (request.method === 'INVITE' && tx && !this.options.onRequest) {
      const call = new UeIncomingCall(this.callHost, request, tx, this.nextMediaPort());
      this.calls.push(call);
      if (this.options.autoAnswer) this.autoAnswer(call, this.options.autoAnswer);
      else {
        const waiter = this.callWaiters.shift();
        if (waiter) waiter(call);
        else this.pendingCalls.push(call);
      }
      return true;
    }
    return false;
  }

  private dialogOf(call: CallBase, key: string): Dialog {
    // A call holds one dialog per fork; only the current one is exposed.
    const d = call.dialog;
    if (d && d.key === key) return d;
    throw new Error(`UE ${this.options.impu}: dialog ${key} not found in its call`);
  }

  /** `UeOptions.autoAnswer`: ring, wait, then answer or reject. */
  private autoAnswer(call: UeIncomingCall, auto: AutoAnswer): void {
    const ringStatus = auto.ringStatus ?? 180;
    if (ringStatus) call.ring(ringStatus);
    const finish = () => {
      if (call.state === 'terminated') return; // cancelled meanwhile
      const status = auto.status ?? 200;
      if (status < 300) void call.answer(auto.sdp);
      else call.reject(status);
    };
    const ms = auto.ringMs ?? 0;
    if (ms <= 0) {
      finish();
      return;
    }
    const timer = setTimeout(() => {
      this.autoTimers.delete(timer);
      finish();
    }, ms);
    this.autoTimers.add(timer);
  }

  /** A 2xx to an INVITE whose transaction is gone: the call re-sends its ACK (§13.2.2.4). */
  private handleStrayResponse(response: SipResponse): void {
    if (response.status < 200 || response.status >= 300) return;
    if (response.cseq().method !== 'INVITE') return;
    const id = dialogIdOfResponse(response);
    const call = id && this.callDialogs.get(dialogKey(id));
    if (call) call.handleStray2xx(response);
  }

  private reply(request: SipRequest, tx: ServerTransaction, status: number): void {
    const response = createResponse(request, status, undefined, { toTag: generateTag() });
    this.trace.out(response);
    tx.respond(response);
  }
}
