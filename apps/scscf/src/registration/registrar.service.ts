/**
 * The S-CSCF registrar (Kamailio's ims_registrar_scscf), TS 24.229 §5.4.1 and RFC 3261 §10.3:
 * authenticate (Authenticator), check the Contact expiries (423, clamp), order by Call-ID and
 * CSeq, tell the HSS (SAR REGISTRATION / RE_REGISTRATION / USER_DEREGISTRATION), keep the
 * bindings in the RegistrationStore, and answer 200 OK with Path, Service-Route,
 * P-Associated-URI and the Contact list. Expired registrations are reported to the HSS with
 * SAR TIMEOUT_DEREGISTRATION.
 */
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ServerAssignmentAnswer, ServerAssignmentType } from '@lib/diameter';
import {
  coreTransportParam,
  FailureCause,
  FailureExplainer,
  HssClient,
  HssUnavailableError,
  ImsSubscription,
  parseImsSubscription,
} from '@lib/ims';
import {
  Contact,
  createResponse,
  generateTag,
  IncomingContext,
  ownString,
  ownStrings,
  ServerTransaction,
  SipRequest,
  SipResponse,
  SipStack,
  uriEquals,
} from '@lib/sip';
import { Authenticator } from '../auth/authenticator.service';
import { SCSCF_CONFIG, ScscfConfig } from '../config';
import { cxFailureCause, cxResultText } from '../cx/cx-failure';
import { HSS_CLIENT } from '../cx/hss-client.provider';
import { FAILURES, scscfHost } from '../sip/failure-explainer.provider';
import { SipRequestHandler } from '../sip/sip-request-handler';
import { SIP_STACK } from '../sip/sip-stack.provider';
import { Binding, contactParams, RegistrationRecord, storedBinding } from './binding';
import { ContactChange, RegistrationChange, RegistrationStore } from './registration-store';
import { implicitSetOf, sameImpu } from './user-profile';

/** A REGISTER refused before any change (status and cause of the response). */
class RegisterRefusal extends Error {
  constructor(
    readonly failure: FailureCause,
    readonly detail: string,
    readonly status?: number,
    readonly headers: [string, string][] = [],
  ) {
    super(`${failure}: ${detail}`);
    this.name = 'RegisterRefusal';
  }
}

@Injectable()
export class RegistrarService implements SipRequestHandler, OnModuleInit {
  private readonly logger = new Logger('Registrar');

  constructor(
    @Inject(SCSCF_CONFIG) private readonly config: ScscfConfig,
    @Inject(HSS_CLIENT) private readonly hss: HssClient,
    @Inject(FAILURES) private readonly failures: FailureExplainer,
    @Inject(SIP_STACK) private readonly stack: SipStack,
    private readonly store: RegistrationStore,
    private readonly authenticator: Authenticator,
  ) {}

  onModuleInit(): void {
    this.store.on('expired', (change) => void this.onExpired(change));
  }

  async handle(req: SipRequest, tx: ServerTransaction, _context: IncomingContext): Promise<void> {
    let impu: string;
    let contacts: Contact[];
    try {
      impu = req.to().uri;
      req.to().parsedUri();
      contacts = req.contacts();
    } catch (err) {
      tx.respond(
        this.refuse(req, new RegisterRefusal(FailureCause.BadRequest, (err as Error).message, 400)),
      );
      return;
    }
    const auth = await this.authenticator.authenticate(req, tx, impu);
    if (auth.kind === 'answered') return;
    try {
      tx.respond(await this.register(req, impu, auth.impi, contacts));
    } catch (err) {
      if (err instanceof RegisterRefusal) {
        tx.respond(this.refuse(req, err));
        return;
      }
      throw err;
    }
  }

  /** RFC 3261 §10.3 steps 5-8 once the UE is authenticated. */
  private async register(
    req: SipRequest,
    impu: string,
    impi: string,
    contacts: Contact[],
  ): Promise<SipResponse> {
    const existing = this.store.find(impu);
    // Step 6: no Contact is a query for the current bindings.
    if (contacts.length === 0) return this.ok(req, existing, []);
    const now = Date.now();
    // What the bindings keep is stored in strings of its own, not slices of the REGISTER
    // text (which they would keep alive as long as the registration, see ownString).
    const callId = ownString(req.callId());
    const cseq = req.cseq().seq;
    const headerExpires = req.expires();
    const star = contacts.some((c) => c.star);
    if (star && (contacts.length > 1 || headerExpires !== 0)) {
      throw new RegisterRefusal(
        FailureCause.BadRequest,
        'Contact: * needs Expires: 0 and no other Contact',
        400,
      );
    }
    // Step 7: expiry of each contact; below the minimum -> 423 (RFC 3261 §10.3 step 7).
    const requested = contacts.map((c) =>
      star ? 0 : (c.expires ?? headerExpires ?? this.config.defaultExpires),
    );
    if (requested.some((e) => e > 0 && e < this.config.minExpires)) {
      throw new RegisterRefusal(
        FailureCause.IntervalTooBrief,
        `at least ${this.config.minExpires} s`,
        423,
        [['Min-Expires', String(this.config.minExpires)]],
      );
    }
    const bindings = existing ? existing.bindings.map((b) => ({ ...b })) : [];
    const changes: ContactChange[] = [];
    const path = ownStrings(req.getAll('Path'));
    if (star) {
      // RFC 3261 §10.3 step 6: "*" removes every binding, unless the CSeq is out of order.
      const older = bindings.find((x) => x.callId === callId && cseq <= x.cseq);
      if (older) throw outOfOrder(older);
      for (const b of bindings)
        changes.push({ binding: b, state: 'terminated', event: 'unregistered' });
      bindings.length = 0;
    }
    contacts.forEach((contact, i) => {
      if (star) return;
      const expires = Math.min(requested[i], this.config.maxExpires);
      const instanceId = contact.params.get('+sip.instance') ?? undefined;
      const regId = contact.params.get('reg-id') ?? undefined;
      const at = bindings.findIndex((b) =>
        instanceId && b.instanceId
          ? b.instanceId === instanceId && b.regId === regId
          : safeUriEquals(b.uri, contact.uri),
      );
      const old = at >= 0 ? bindings[at] : undefined;
      if (old && old.callId === callId && cseq <= old.cseq) throw outOfOrder(old);
      if (expires === 0) {
        if (old) {
          bindings.splice(at, 1);
          changes.push({ binding: old, state: 'terminated', event: 'unregistered' });
        }
        return;
      }
      const binding = storedBinding({
        id: old?.id ?? randomBytes(6).toString('hex'),
        uri: ownString(contact.uri),
        params: contactParams(contact.params),
        displayName: ownString(contact.displayName),
        expiresAt: now + expires * 1000,
        callId,
        cseq,
        path,
        instanceId: ownString(instanceId ?? undefined),
        regId: ownString(regId ?? undefined),
        registeredAt: old?.registeredAt ?? now,
      });
      if (old) {
        bindings[at] = binding;
        changes.push({
          binding,
          state: 'active',
          event: binding.expiresAt < old.expiresAt ? 'shortened' : 'refreshed',
        });
      } else {
        bindings.push(binding);
        changes.push({ binding, state: 'active', event: existing ? 'created' : 'registered' });
      }
    });

    if (bindings.length === 0) {
      if (!existing) return this.ok(req, undefined, []);
      // TS 24.229 §5.4.1.4: user-initiated de-registration, SAR USER_DEREGISTRATION.
      await this.sar(existing.impi, impu, ServerAssignmentType.USER_DEREGISTRATION, false).catch(
        (err: unknown) => this.logger.warn(`SAR USER_DEREGISTRATION for ${impu}: ${String(err)}`),
      );
      existing.bindings = [];
      const res = this.ok(req, existing, []);
      this.store.commit(existing, changes, 'register', false, { request: req, response: res });
      this.logger.log(`de-registered ${impu} (${impi})`);
      return res;
    }

    // TS 24.229 §5.4.1.2.2: SAR REGISTRATION the first time, RE_REGISTRATION afterwards.
    const type = existing
      ? ServerAssignmentType.RE_REGISTRATION
      : ServerAssignmentType.REGISTRATION;
    let saa: ServerAssignmentAnswer;
    try {
      saa = await this.sar(impi, impu, type, false);
    } catch (err) {
      throw this.hssRefusal(err);
    }
    const failed = cxFailureCause(saa);
    if (failed) {
      // A busy HSS (3004) is "HSS unreachable": 480 with Retry-After, as for a timeout.
      const retry: [string, string][] =
        failed === FailureCause.HssUnreachable
          ? [['Retry-After', String(this.config.retryAfter)]]
          : [];
      throw new RegisterRefusal(failed, `SAA ${cxResultText(saa)} for ${impu}`, undefined, retry);
    }
    const record = this.applyProfile(existing, impi, impu, saa);
    record.bindings = bindings.slice(); // exact size, as above
    const res = this.ok(req, record, path);
    this.store.commit(record, changes, 'register', !existing, { request: req, response: res });
    this.logger.log(
      `${existing ? 're-registered' : 'registered'} ${impu} (${impi}): ${bindings.length} contact(s)`,
    );
    return res;
  }

  /** The user profile of the SAA (or the one already held) applied to the record. */
  private applyProfile(
    existing: RegistrationRecord | undefined,
    impi: string,
    impu: string,
    saa: ServerAssignmentAnswer,
  ): RegistrationRecord {
    let subscription: ImsSubscription | undefined = existing?.subscription;
    if (saa.userData) {
      try {
        subscription = parseImsSubscription(saa.userData);
      } catch (err) {
        throw new RegisterRefusal(
          FailureCause.HssError,
          `user data unreadable: ${(err as Error).message}`,
          500,
        );
      }
    }
    if (!subscription)
      throw new RegisterRefusal(FailureCause.HssError, 'SAA without User-Data', 500);
    let set;
    try {
      set = implicitSetOf(subscription, impu);
    } catch (err) {
      throw new RegisterRefusal(FailureCause.HssError, (err as Error).message, 500);
    }
    if (set.barred.some((b) => sameImpu(b, impu))) {
      throw new RegisterRefusal(FailureCause.ImpuBarred, impu);
    }
    // The profile's own strings where they are the same text (one copy per subscriber).
    const record: RegistrationRecord = existing ?? {
      impi: subscription.privateId === impi ? subscription.privateId : ownString(impi),
      registeredImpu: set.identities.find((i) => i === impu) ?? ownString(impu),
      implicitSet: [],
      barred: [],
      subscription,
      serviceProfile: set.serviceProfile,
      bindings: [],
    };
    this.store.setProfile(record, subscription, set);
    return record;
  }

  /**
   * 200 OK to REGISTER (TS 24.229 §5.4.1.2.2 f-h, RFC 3261 §10.3 step 8): the Path of the
   * request (RFC 3327 §5.3), Service-Route towards us (RFC 3608 §6), P-Associated-URI with
   * the implicit set, default first (RFC 3455 §4.1), and every current binding with its
   * remaining expiry.
   */
  private ok(req: SipRequest, record: RegistrationRecord | undefined, path: string[]): SipResponse {
    const res = createResponse(req, 200, undefined, { toTag: generateTag() });
    for (const p of path) res.append('Path', p);
    const bindings = record?.bindings ?? [];
    if (record && bindings.length > 0) {
      res.append(
        'Service-Route',
        `<sip:orig@${scscfHost(this.config)}:${this.stack.port}${coreTransportParam(this.config)};lr>`,
      );
      for (const impu of record.implicitSet) res.append('P-Associated-URI', `<${impu}>`);
    }
    for (const b of bindings) {
      const c = new Contact(b.uri, new Map(b.params), b.displayName);
      c.expires = this.store.remaining(b);
      res.append('Contact', c.toString());
    }
    res.set('Date', new Date().toUTCString());
    return res;
  }

  private sar(
    impi: string,
    impu: string,
    type: ServerAssignmentType,
    dataAvailable: boolean,
  ): Promise<ServerAssignmentAnswer> {
    return this.hss.sar({
      userName: impi,
      publicIdentities: [impu],
      serverName: this.config.name,
      serverAssignmentType: type,
      userDataAlreadyAvailable: dataAvailable ? 1 : 0,
    });
  }

  private hssRefusal(err: unknown): RegisterRefusal {
    if (err instanceof HssUnavailableError) {
      return new RegisterRefusal(FailureCause.HssUnreachable, err.message, undefined, [
        ['Retry-After', String(this.config.retryAfter)],
      ]);
    }
    this.logger.error(`SAR failed: ${(err as Error).stack}`);
    return new RegisterRefusal(FailureCause.HssError, (err as Error).message, 500);
  }

  private refuse(req: SipRequest, r: RegisterRefusal): SipResponse {
    const res = this.failures.reject(req, r.failure, {
      detail: r.detail,
      status: r.status,
      reason: r.failure === FailureCause.HssUnreachable,
      toTag: generateTag(),
    });
    for (const [name, value] of r.headers) res.set(name, value);
    return res;
  }

  /** TS 24.229 §5.4.1.4 (expiry): SAR TIMEOUT_DEREGISTRATION once no binding is left. */
  private async onExpired(change: RegistrationChange): Promise<void> {
    if (!change.terminated) return;
    const { record } = change;
    this.logger.log(`registration of ${record.registeredImpu} expired`);
    try {
      await this.sar(
        record.impi,
        record.registeredImpu,
        ServerAssignmentType.TIMEOUT_DEREGISTRATION,
        false,
      );
    } catch (err) {
      this.logger.warn(`SAR TIMEOUT_DEREGISTRATION for ${record.registeredImpu}: ${String(err)}`);
    }
  }
}

function outOfOrder(b: Binding): RegisterRefusal {
  return new RegisterRefusal(
    FailureCause.OutOfOrderCseq,
    `CSeq not above ${b.cseq} for Call-ID ${b.callId}`,
  );
}

function safeUriEquals(a: string, b: string): boolean {
  try {
    return uriEquals(a, b);
  } catch {
    return a === b;
  }
}
