import type { SipRequest, SipResponse } from '../transport/message-api';
import type { ProxyRequest, ResponseProcessor } from './proxy-request';

/** One confirmed INVITE dialog a record-routing proxy sits in (RFC 3261 §12). */
export interface TrackedDialog {
  /** Call-ID and the two tags (order-free: requests go both ways). */
  readonly key: string;
  readonly callId: string;
  readonly tags: readonly [string, string];
  /** Who the dialog belongs to at this element (e.g. the served users' IMPU keys). */
  readonly owners: Set<string>;
  readonly createdAt: number;
}

/** A dialog confirmed or ended, with the number of dialogs tracked afterwards. */
export type DialogChangeListener = (
  event: 'confirmed' | 'ended',
  dialog: TrackedDialog,
  count: number,
) => void;

/** Says which owners (served users, registrations) a dialog created by `response` has. */
export type DialogOwners = (pr: ProxyRequest, response: SipResponse) => string[];

/**
 * The INVITE dialogs a record-routing proxy is part of (RFC 3261 §16.6 step 4: a proxy that
 * Record-Routes stays on the path of the dialog's mid-dialog requests). Plain state, no
 * timers, fed by the proxy's response processor:
 *
 * - a 2xx to an initial INVITE (no To tag in the request) creates the dialog, RFC 3261 §12.1:
 *   "A dialog can also be created [...] a 2xx response to an INVITE" (each 2xx of a forked
 *   INVITE creates its own dialog, §13.2.2.4);
 * - a final response to a BYE in the dialog ends it, §15.1.2: "the UAS MUST [...] terminate
 *   the session"; a 481 (the dialog is gone at the UAS) ends it too, 401/407 do not;
 * - `removeOwner` ends every dialog of an owner (e.g. when the served user's registration
 *   ends, TS 24.229 §5.4.5.1: the S-CSCF releases the sessions of a de-registered user).
 *
 * The same dialog seen twice by one element (a spiral: originating and terminating legs
 * through the same S-CSCF or P-CSCF) is one entry, its owners merged.
 */
export class DialogTracker {
  private readonly dialogs = new Map<string, TrackedDialog>();
  private readonly byOwner = new Map<string, Set<TrackedDialog>>();
  private readonly listeners: DialogChangeListener[] = [];
  /** Dialogs each proxied INVITE already created (its 2xx retransmissions create none). */
  private readonly confirmedBy = new WeakMap<ProxyRequest, Set<string>>();

  constructor(
    private readonly ownersOf: DialogOwners = () => [],
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `listener` on every dialog confirmed or ended (logs, metrics). */
  onChange(listener: DialogChangeListener): void {
    this.listeners.push(listener);
  }

  /** Confirmed dialogs currently tracked. */
  get count(): number {
    return this.dialogs.size;
  }

  list(): TrackedDialog[] {
    return [...this.dialogs.values()];
  }

  /** The dialog a request or response belongs to, if tracked. */
  find(message: SipRequest | SipResponse): TrackedDialog | undefined {
    const key = dialogKeyOf(message);
    return key === undefined ? undefined : this.dialogs.get(key);
  }

  /** The response processor to give the ProxyCore (runs on every response sent upstream). */
  readonly responseProcessor: ResponseProcessor = (response, pr) => this.observe(response, pr);

  /** Applies one response passing upstream through the proxy. */
  observe(response: SipResponse, pr: ProxyRequest): void {
    const method = pr.method;
    const status = response.status;
    if (method === 'INVITE' && status >= 200 && status < 300) {
      if (pr.received.to().tag !== undefined) return; // a re-INVITE: the dialog exists
      // The UAS retransmits its 2xx until the ACK (RFC 3261 §13.3.1.4) and the proxy forwards
      // each copy (§16.7 step 5): only the first one of each dialog creates it. A copy that
      // comes after a BYE ended the dialog (the ACK was lost, the caller hung up) must not
      // bring it back.
      const key = dialogKeyOf(response);
      if (key === undefined) return;
      let seen = this.confirmedBy.get(pr);
      if (!seen) this.confirmedBy.set(pr, (seen = new Set()));
      if (seen.has(key)) return;
      seen.add(key);
      this.confirm(response, this.ownersOf(pr, response));
    } else if (method === 'BYE' && status >= 200 && status !== 401 && status !== 407) {
      this.end(response);
    }
  }

  /** Creates (or joins the owners of) the dialog a 2xx to an initial INVITE establishes. */
  confirm(response: SipResponse, owners: string[] = []): TrackedDialog | undefined {
    const callId = response.callId();
    const fromTag = response.from().tag;
    const toTag = response.to().tag;
    if (!fromTag || !toTag) return undefined;
    const key = dialogPairKey(callId, fromTag, toTag);
    let dialog = this.dialogs.get(key);
    if (!dialog) {
      dialog = {
        key,
        callId,
        tags: [fromTag, toTag],
        owners: new Set(),
        createdAt: this.now(),
      };
      this.dialogs.set(key, dialog);
      this.emit('confirmed', dialog);
    }
    for (const owner of owners) {
      dialog.owners.add(owner);
      const set = this.byOwner.get(owner) ?? new Set<TrackedDialog>();
      set.add(dialog);
      this.byOwner.set(owner, set);
    }
    return dialog;
  }

  /** Ends the dialog of a BYE (or its response); returns whether one was tracked. */
  end(message: SipRequest | SipResponse): boolean {
    const dialog = this.find(message);
    if (!dialog) return false;
    this.delete(dialog);
    return true;
  }

  /** Ends every dialog of `owner`; returns how many. */
  removeOwner(owner: string): number {
    const set = this.byOwner.get(owner);
    if (!set) return 0;
    const dialogs = [...set];
    for (const d of dialogs) this.delete(d);
    return dialogs.length;
  }

  clear(): void {
    for (const dialog of [...this.dialogs.values()]) this.delete(dialog);
  }

  private delete(dialog: TrackedDialog): void {
    this.dialogs.delete(dialog.key);
    for (const owner of dialog.owners) {
      const set = this.byOwner.get(owner);
      if (set?.delete(dialog) && set.size === 0) this.byOwner.delete(owner);
    }
    this.emit('ended', dialog);
  }

  private emit(event: 'confirmed' | 'ended', dialog: TrackedDialog): void {
    for (const listener of this.listeners) listener(event, dialog, this.dialogs.size);
  }
}

/** Call-ID plus both tags in a fixed order, so both directions of the dialog match. */
export function dialogPairKey(callId: string, tagA: string, tagB: string): string {
  const [a, b] = tagA <= tagB ? [tagA, tagB] : [tagB, tagA];
  return `${callId}\n${a}\n${b}`;
}

function dialogKeyOf(message: SipRequest | SipResponse): string | undefined {
  try {
    const fromTag = message.from().tag;
    const toTag = message.to().tag;
    if (!fromTag || !toTag) return undefined;
    return dialogPairKey(message.callId(), fromTag, toTag);
  } catch {
    return undefined;
  }
}
