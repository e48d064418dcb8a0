/**
 * The reg event package at the S-CSCF (RFC 3680, TS 24.229 §5.4.2.1): the UE and the P-CSCF
 * SUBSCRIBE to the registration state of an IMPU; the S-CSCF answers 200, sends a NOTIFY with
 * the full state at once (RFC 6665 §4.2.1.2) and again on every change of the registration
 * (register, refresh, de-register, expiry, network de-registration), and terminates the
 * subscription when the registration ends.
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  coreTransportParam,
  FailureCause,
  FailureExplainer,
  persistenceDisabled,
  WriteBehindTable,
} from '@lib/ims';
import {
  createRequest,
  createResponse,
  generateTag,
  IncomingContext,
  KeyIndex,
  ownString,
  parseNameAddr,
  parseUri,
  ServerTransaction,
  SipRequest,
  SipStack,
  SipUri,
  StringInterner,
  SweepTimer,
} from '@lib/sip';
import { SCSCF_CONFIG, ScscfConfig } from '../config';
import { RegistrationRecord } from '../registration/binding';
import {
  ContactChange,
  RegistrationChange,
  RegistrationStore,
} from '../registration/registration-store';
import { impuKey, sameImpu, storedImpuKey } from '../registration/user-profile';
import { FAILURES } from '../sip/failure-explainer.provider';
import { SipRequestHandler } from '../sip/sip-request-handler';
import { SIP_STACK } from '../sip/sip-stack.provider';
import {
  encodeSubscription,
  REG_SUBSCRIPTIONS_TABLE,
  restoreSubscriptions,
  subscriptionKey,
} from './reg-event-persistence';
import { buildReginfoXml, Reginfo, REGINFO_CONTENT_TYPE, ReginfoRegistration } from './reginfo-xml';

/**
 * Subscriber Contact and Record-Route values: the same few for every subscription a P-CSCF
 * makes (its reg-event Contact, its own Record-Route), so one copy each.
 */
const SHARED = new StringInterner(256);

/**
 * Route sets (Record-Route of the SUBSCRIBE): the same list for every subscription through
 * one P-CSCF, so one shared array of shared strings (never changed once stored). Bounded
 * like SHARED: past it, a list of its own.
 */
const SHARED_ROUTE_SETS = new Map<string, readonly string[]>();
const MAX_SHARED_ROUTE_SETS = 256;

function sharedRouteSet(routes: readonly string[]): string[] {
  const key = routes.join('\n');
  const known = SHARED_ROUTE_SETS.get(key);
  if (known) return known as string[];
  const own = Object.freeze(routes.map((r) => SHARED.intern(r)));
  if (SHARED_ROUTE_SETS.size < MAX_SHARED_ROUTE_SETS) SHARED_ROUTE_SETS.set(ownString(key), own);
  return own as string[];
}

/** A From/To header value without its `tag` parameter (unchanged when unreadable). */
function withoutTag(value: string): string {
  try {
    const na = parseNameAddr(value, 'From');
    if (na.tag === undefined) return value;
    const bare = na.clone();
    bare.tag = undefined;
    return bare.toString();
  } catch {
    return value;
  }
}

/** RFC 3680 §4.1: "the default duration of subscriptions ... 3761 seconds". */
const DEFAULT_SUBSCRIPTION_EXPIRES = 3761;

/** One reg-event subscription: the dialog state of the notifier (RFC 6665 §4.2, RFC 3261 §12). */
export interface RegSubscription {
  /** The IMPU subscribed to (Request-URI of the SUBSCRIBE). */
  aor: string;
  callId: string;
  /** Our tag (To of the SUBSCRIBE, From of our NOTIFYs). */
  localTag: string;
  remoteTag: string;
  /**
   * The subscriber's From header without its tag (kept in remoteTag): the To of our NOTIFYs
   * is this with `;tag=<remoteTag>` (RFC 3261 §12.2.1.1). Without the tag it is the same
   * text for every subscription a P-CSCF makes, so one shared copy (SHARED).
   */
  remoteFrom: string;
  /** The subscriber's Contact URI (Request-URI of our NOTIFYs). */
  remoteTarget: string;
  /** Record-Route of the SUBSCRIBE, in order (our route set as the UAS, RFC 3261 §12.1.1). */
  routeSet: string[];
  localCseq: number;
  remoteCseq: number;
  /** The reginfo `version`, incremented per NOTIFY (RFC 3680 §5.2). */
  version: number;
  /** When the subscription ends unless refreshed (epoch ms); one SweepTimer for them all. */
  expiresAt: number;
}

@Injectable()
export class RegEventService implements SipRequestHandler, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RegEvent');
  /**
   * By Call-ID (the subscription's own string), the tags checked on lookup: a key per dialog
   * made of Call-ID and both tags cost another ~90 bytes per subscription.
   */
  private readonly subscriptions = new KeyIndex<RegSubscription>();
  /** The same subscriptions by the watched IMPU's comparison key, so a change finds its own. */
  private readonly byAor = new KeyIndex<RegSubscription>();
  /** Ends the subscriptions whose time has come (RFC 6665 §4.2.2: "timeout"). */
  private readonly expiry = new SweepTimer(() => this.expireDue());
  /** SCSCF_DB_PATH's subscriptions table (reg-event-persistence.ts); none when persistence is off. */
  private table?: WriteBehindTable;
  /** What the start-up restore found (tests, logs). */
  lastRestore = { restored: 0, expired: 0, unreadable: 0 };

  constructor(
    @Inject(SCSCF_CONFIG) private readonly config: ScscfConfig,
    @Inject(SIP_STACK) private readonly stack: SipStack,
    @Inject(FAILURES) private readonly failures: FailureExplainer,
    private readonly store: RegistrationStore,
  ) {
    // At construction, before any onModuleInit starts the SIP stack (as the registrations,
    // registration-persistence.ts): a restarted S-CSCF NOTIFYs the subscribers it had.
    this.restore();
  }

  private restore(): void {
    if (persistenceDisabled(this.config.dbPath)) return;
    const table = new WriteBehindTable({
      path: this.config.dbPath,
      table: REG_SUBSCRIPTIONS_TABLE,
      onError: (err) => this.logger.error(`writing reg-event subscriptions failed: ${err.message}`),
    });
    this.table = table;
    const found = restoreSubscriptions(table.load(), Date.now());
    for (const key of found.dropped) table.delete(key);
    for (const sub of found.live) {
      // Rows written before the From was kept without its tag still carry it.
      sub.remoteFrom = SHARED.intern(withoutTag(sub.remoteFrom));
      sub.remoteTarget = SHARED.intern(sub.remoteTarget);
      sub.routeSet = sharedRouteSet(sub.routeSet);
      this.subscriptions.add(sub.callId, sub, true);
      this.byAor.add(storedImpuKey(sub.aor), sub, true);
      this.expiry.schedule(sub.expiresAt);
    }
    this.lastRestore = {
      restored: found.live.length,
      expired: found.dropped.length - found.unreadable,
      unreadable: found.unreadable,
    };
    this.logger.log(
      `restored ${found.live.length} reg-event subscription(s) from ${this.config.dbPath}` +
        (this.lastRestore.expired ? `, ${this.lastRestore.expired} expired while down` : '') +
        (found.unreadable ? `, ${found.unreadable} unreadable` : ''),
    );
  }

  /** Queues the subscription's current state for the table (written at flush time). */
  private persist(sub: RegSubscription): void {
    this.table?.put(subscriptionKey(sub), () => encodeSubscription(sub));
  }

  onModuleInit(): void {
    this.store.on('changed', (change) => this.onChange(change));
  }

  onApplicationShutdown(): void {
    this.table?.close();
    this.table = undefined;
    this.expiry.stop();
    this.subscriptions.clear();
    this.byAor.clear();
  }

  /** Active subscriptions (for tests and diagnostics). */
  list(): RegSubscription[] {
    return [...this.subscriptions.values()];
  }

  async handle(req: SipRequest, tx: ServerTransaction, _context: IncomingContext): Promise<void> {
    const event = (req.get('Event') ?? '').split(';')[0].trim().toLowerCase();
    if (event !== 'reg') {
      // RFC 6665 §4.2.1.1: an event package we do not serve -> 489 with Allow-Events.
      const res = this.failures.reject(req, FailureCause.BadRequest, {
        status: 489,
        detail: `event package "${event}" not served here (only reg)`,
        toTag: generateTag(),
      });
      res.set('Allow-Events', 'reg');
      tx.respond(res);
      return;
    }
    const toTag = req.to().tag;
    const fromTag = req.from().tag ?? '';
    const callId = req.callId();
    const requested = req.expires() ?? DEFAULT_SUBSCRIPTION_EXPIRES;
    const expires = Math.min(requested, this.config.regEventExpires);

    let sub: RegSubscription | undefined;
    if (toTag) {
      // A refresh (or unsubscribe) within the dialog (RFC 6665 §4.2.1.2).
      sub = this.subscriptions
        .get(callId)
        .find((s) => s.localTag === toTag && s.remoteTag === fromTag);
      if (!sub) {
        tx.respond(createResponse(req, 481));
        return;
      }
      if (req.cseq().seq <= sub.remoteCseq) {
        tx.respond(this.failures.reject(req, FailureCause.OutOfOrderCseq));
        return;
      }
      sub.remoteCseq = req.cseq().seq;
    } else {
      const aor = req.uri;
      const record = this.store.find(aor);
      if (!record) {
        tx.respond(
          this.failures.reject(req, FailureCause.NotRegistered, {
            detail: `${aor} has no registration at this S-CSCF`,
            toTag: generateTag(),
          }),
        );
        return;
      }
      const subscriber = this.subscriberIdentity(req);
      if (!this.mayWatch(subscriber, record)) {
        tx.respond(
          this.failures.reject(req, FailureCause.BadRequest, {
            status: 403,
            detail: `${subscriber} may not watch the registration of ${aor}`,
            toTag: generateTag(),
          }),
        );
        return;
      }
      const contact = req.contacts()[0];
      if (!contact || contact.star) {
        tx.respond(
          this.failures.reject(req, FailureCause.BadRequest, {
            detail: 'SUBSCRIBE without Contact',
            toTag: generateTag(),
          }),
        );
        return;
      }
      // Strings of their own: slices would keep the SUBSCRIBE text alive (see ownString).
      sub = {
        aor: [...record.implicitSet, ...record.barred].find((i) => i === aor) ?? ownString(aor),
        callId: ownString(callId),
        localTag: generateTag(),
        remoteTag: ownString(fromTag),
        remoteFrom: SHARED.intern(withoutTag(req.get('From')!)),
        remoteTarget: SHARED.intern(contact.uri),
        routeSet: sharedRouteSet(req.getAll('Record-Route')),
        localCseq: 0,
        remoteCseq: req.cseq().seq,
        version: 0,
        expiresAt: Infinity, // set by arm(); never swept before
      };
      this.subscriptions.add(sub.callId, sub, true);
      this.byAor.add(storedImpuKey(sub.aor), sub, true);
    }
    const res = createResponse(req, 200, undefined, { toTag: sub.localTag });
    res.set('Expires', String(expires));
    res.set('Contact', `<${this.stack.uri}${coreTransportParam(this.config)}>`);
    tx.respond(res);

    const record = this.store.find(sub.aor);
    if (expires === 0 || !record) {
      await this.notify(sub, record, [], 'timeout');
      this.remove(sub);
      return;
    }
    this.arm(sub, expires);
    await this.notify(sub, record, []);
  }

  /** P-Asserted-Identity (RFC 3325, from a trusted P-CSCF), else the From URI. */
  private subscriberIdentity(req: SipRequest): string {
    try {
      return req.pAssertedIdentities()[0]?.uri ?? req.from().uri;
    } catch {
      return req.from().uri;
    }
  }

  /**
   * TS 24.229 §5.4.2.1.1: the S-CSCF accepts a reg-event subscription from the user's UE (an
   * identity of the implicit set), the P-CSCF on the registration path (its host in Path) and
   * the user's application servers; this lab also trusts any element of the home domain.
   */
  private mayWatch(subscriber: string, record: RegistrationRecord): boolean {
    if ([...record.implicitSet, ...record.barred].some((i) => sameImpu(i, subscriber))) return true;
    const host = hostOf(subscriber);
    if (!host) return false;
    const domain = this.config.domain.toLowerCase();
    if (host === domain || host.endsWith(`.${domain}`)) return true;
    const pathHosts = record.bindings.flatMap((b) => b.path.map((p) => hostOf(p)));
    const asHosts = record.serviceProfile.initialFilterCriteria.map((i) =>
      hostOf(i.applicationServer.serverName),
    );
    return [...pathHosts, ...asHosts].includes(host);
  }

  /** A registration changed: NOTIFY every subscription to an IMPU of its implicit set. */
  private onChange(change: RegistrationChange): void {
    const identities = [
      change.record.registeredImpu,
      ...change.record.implicitSet,
      ...change.record.barred,
    ];
    const watchers = new Set<RegSubscription>();
    for (const identity of identities) {
      for (const sub of this.byAor.get(impuKey(identity))) watchers.add(sub);
    }
    for (const sub of watchers) {
      if (change.terminated) {
        // TS 24.229 §5.4.2.1.2: the registration ended, so does the subscription.
        const events = change.contacts.map((c) => c.event);
        const reason = events.includes('rejected')
          ? 'rejected'
          : events.includes('deactivated')
            ? 'deactivated'
            : 'noresource';
        this.remove(sub);
        void this.notify(sub, change.record, change.contacts, reason);
      } else {
        void this.notify(sub, change.record, change.contacts);
      }
    }
  }

  /**
   * Sends a NOTIFY with the full state (RFC 3680 §5.2) within the subscription's dialog;
   * `terminated` gives the Subscription-State reason when the subscription ends.
   */
  private async notify(
    sub: RegSubscription,
    record: RegistrationRecord | undefined,
    changes: ContactChange[],
    terminated?: string,
  ): Promise<void> {
    const info: Reginfo = {
      version: sub.version++,
      state: 'full',
      registrations: record ? this.registrations(record, changes) : [],
    };
    const remaining = Math.max(0, Math.ceil((sub.expiresAt - Date.now()) / 1000));
    const headers: [string, string][] = [
      ...sub.routeSet.map((r): [string, string] => ['Route', r]),
      ['Max-Forwards', '70'],
      ['From', `<${sub.aor}>;tag=${sub.localTag}`],
      ['To', sub.remoteTag ? `${sub.remoteFrom};tag=${sub.remoteTag}` : sub.remoteFrom],
      ['Call-ID', sub.callId],
      ['CSeq', `${++sub.localCseq} NOTIFY`],
      ['Contact', `<${this.stack.uri}${coreTransportParam(this.config)}>`],
      ['Event', 'reg'],
      [
        'Subscription-State',
        terminated ? `terminated;reason=${terminated}` : `active;expires=${remaining}`,
      ],
      ['Content-Type', REGINFO_CONTENT_TYPE],
    ];
    // The new CSeq and version (a subscription that ends here was removed from the table).
    if (!terminated) this.persist(sub);
    const notify = createRequest({
      method: 'NOTIFY',
      uri: sub.remoteTarget,
      headers,
      body: buildReginfoXml(info),
    });
    const res = await this.stack.request(notify);
    if (res.status === 481 || (res.status >= 400 && !terminated)) {
      // RFC 6665 §4.2.2: a failure response to NOTIFY ends the subscription.
      if (res.status === 481) this.remove(sub);
      this.logger.warn(`NOTIFY to ${sub.remoteTarget} for ${sub.aor}: ${res.status}`);
    }
  }

  /** One `<registration>` per IMPU of the implicit set, with all contacts. */
  private registrations(
    record: RegistrationRecord,
    changes: ContactChange[],
  ): ReginfoRegistration[] {
    const now = Date.now();
    const changed = new Map(changes.map((c) => [c.binding.id, c]));
    const active = record.bindings.map((b) => ({
      id: b.id,
      state: 'active' as const,
      event: changed.get(b.id)?.event ?? ('registered' as const),
      expires: this.store.remaining(b),
      durationRegistered: Math.max(0, Math.floor((now - b.registeredAt) / 1000)),
      uri: b.uri,
    }));
    const gone = changes
      .filter((c) => c.state === 'terminated')
      .map((c) => ({
        id: c.binding.id,
        state: 'terminated' as const,
        event: c.event,
        uri: c.binding.uri,
      }));
    const state = record.bindings.length > 0 ? 'active' : 'terminated';
    return record.implicitSet.map((aor) => ({
      aor,
      id: registrationId(aor),
      state,
      contacts: [...active, ...gone],
    }));
  }

  private arm(sub: RegSubscription, expires: number): void {
    sub.expiresAt = Date.now() + expires * 1000;
    this.expiry.schedule(sub.expiresAt);
    this.persist(sub);
  }

  /** The sweep: NOTIFY "terminated;reason=timeout" to each expired subscription (RFC 6665 §4.2.2). */
  private expireDue(): void {
    const now = Date.now();
    let next = Infinity;
    for (const sub of [...this.subscriptions.values()]) {
      if (sub.expiresAt > now) {
        next = Math.min(next, sub.expiresAt);
        continue;
      }
      this.remove(sub);
      void this.notify(sub, this.store.find(sub.aor), [], 'timeout');
    }
    this.expiry.schedule(next);
  }

  private remove(sub: RegSubscription): void {
    this.subscriptions.delete(sub.callId, sub);
    this.byAor.delete(impuKey(sub.aor), sub);
    this.table?.delete(subscriptionKey(sub));
  }
}

/** Lower-cased host of a SIP URI or name-addr, undefined for anything else. */
function hostOf(text: string): string | undefined {
  try {
    const uri = parseUri(text.trim().replace(/^.*<([^>]*)>.*$/, '$1'));
    return uri instanceof SipUri ? uri.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** A stable `<registration id>` per AOR. */
function registrationId(aor: string): string {
  return createHash('sha1').update(aor.toLowerCase()).digest('hex').slice(0, 12);
}
