/**
 * The S-CSCF's reg-event subscriptions survive a restart (docs/reliability.md "Crashes"): a
 * subscription is the notifier's side of a dialog (RFC 6665 §4.2, RFC 3261 §12), and a
 * subscriber (the P-CSCF, TS 24.229 §5.2.3; a UE, §5.1.1.3) does not notice that the
 * S-CSCF lost it: it only learns anything from the next NOTIFY. So every subscription is
 * written behind to SCSCF_DB_PATH (table `scscf_reg_subscriptions`, next to the
 * registrations) on create, refresh, each NOTIFY (CSeq and reginfo version, RFC 3680 §5.2)
 * and removed when it ends; a starting S-CSCF puts them back before it serves, so a
 * network-initiated de-registration of a user registered before a crash still NOTIFYs.
 */
import type { RegSubscription } from './reg-event.service';

/** The stored form of a subscription, version 1 (JSON). */
interface StoredSubscription extends Omit<RegSubscription, 'expiresAt'> {
  v: 1;
  expiresAt: number;
}

/** The table, in the same SQLite file as the registrations. */
export const REG_SUBSCRIPTIONS_TABLE = 'scscf_reg_subscriptions';

/** The row key of a subscription: its dialog (Call-ID and our tag; RFC 3261 §12). */
export function subscriptionKey(sub: Pick<RegSubscription, 'callId' | 'localTag'>): string {
  return `${sub.callId} ${sub.localTag}`;
}

/** A subscription as JSON text. */
export function encodeSubscription(sub: RegSubscription): string {
  const stored: StoredSubscription = {
    v: 1,
    aor: sub.aor,
    callId: sub.callId,
    localTag: sub.localTag,
    remoteTag: sub.remoteTag,
    remoteFrom: sub.remoteFrom,
    remoteTarget: sub.remoteTarget,
    routeSet: sub.routeSet,
    localCseq: sub.localCseq,
    remoteCseq: sub.remoteCseq,
    version: sub.version,
    expiresAt: sub.expiresAt,
  };
  return JSON.stringify(stored);
}

/** A stored subscription back; throws on anything unreadable. */
export function decodeSubscription(text: string): RegSubscription {
  const s = JSON.parse(text) as StoredSubscription;
  if (s?.v !== 1) throw new Error('not a stored reg-event subscription (version 1)');
  for (const f of ['aor', 'callId', 'localTag', 'remoteTag', 'remoteFrom', 'remoteTarget'] as const) {
    if (typeof s[f] !== 'string') throw new Error(`${f} missing`);
  }
  for (const f of ['localCseq', 'remoteCseq', 'version', 'expiresAt'] as const) {
    if (typeof s[f] !== 'number' || !Number.isFinite(s[f])) throw new Error(`${f} missing`);
  }
  if (!Array.isArray(s.routeSet) || s.routeSet.some((r) => typeof r !== 'string')) {
    throw new Error('routeSet missing');
  }
  return {
    aor: s.aor,
    callId: s.callId,
    localTag: s.localTag,
    remoteTag: s.remoteTag,
    remoteFrom: s.remoteFrom,
    remoteTarget: s.remoteTarget,
    routeSet: s.routeSet,
    localCseq: s.localCseq,
    remoteCseq: s.remoteCseq,
    version: s.version,
    expiresAt: s.expiresAt,
  };
}

/** What a restore found. */
export interface SubscriptionRestore {
  /** Subscriptions put back (still unexpired). */
  live: RegSubscription[];
  /** Row keys to remove: expired while down, or unreadable. */
  dropped: string[];
  unreadable: number;
}

/** Sorts stored rows into live subscriptions and rows to drop, as of `now`. */
export function restoreSubscriptions(
  rows: { key: string; value: string }[],
  now: number,
): SubscriptionRestore {
  const out: SubscriptionRestore = { live: [], dropped: [], unreadable: 0 };
  for (const row of rows) {
    let sub: RegSubscription;
    try {
      sub = decodeSubscription(row.value);
    } catch {
      out.unreadable++;
      out.dropped.push(row.key);
      continue;
    }
    // Not refreshed in time: over for the subscriber too (RFC 6665 §4.2.2, "timeout").
    if (sub.expiresAt <= now) out.dropped.push(row.key);
    else out.live.push(sub);
  }
  return out;
}
