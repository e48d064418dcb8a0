import {
  createResponse,
  Dialog,
  dialogIdOfRequest,
  dialogKey,
  generateTag,
  type ServerTransaction,
  type SipRequest,
} from '@lib/sip';
import { sendThroughOutbound, type CallHost } from './call';

/** Expiry granted when a SUBSCRIBE names none (RFC 6665 §4.2.1.1 leaves it to the package). */
const DEFAULT_EXPIRES = 3600;

/** One subscription a UE accepted as notifier. */
export interface UeSubscription {
  event: string;
  dialog: Dialog;
  /** NOTIFYs sent for it and their final responses, oldest first. */
  notifications: { request: SipRequest; status?: number }[];
}

/**
 * The UE as a minimal notifier (RFC 6665 §4.2): any event package is accepted. A SUBSCRIBE
 * gets 200 with the granted Expires, then at once a NOTIFY in the new dialog ("the notifier
 * MUST immediately send a NOTIFY request", §4.2.1.2) with an empty body and
 * `Subscription-State: active;expires=N`, or `terminated;reason=timeout` for an Expires of 0
 * (a fetch or an unsubscribe, §4.2.1.4). Refreshes come in the dialog.
 */
export class UeNotifier {
  readonly subscriptions: UeSubscription[] = [];
  private readonly byDialog = new Map<string, UeSubscription>();

  constructor(private readonly host: CallHost) {}

  /** Handles a SUBSCRIBE (new, or in one of its dialogs); false for anything else. */
  handle(request: SipRequest, tx: ServerTransaction): boolean {
    if (request.method !== 'SUBSCRIBE') return false;
    const id = dialogIdOfRequest(request);
    let sub = id ? this.byDialog.get(dialogKey(id)) : undefined;
    if (id && !sub) return false; // not ours: the UE answers 481
    const event = request.get('Event')?.split(';')[0].trim();
    if (!event) {
      // RFC 6665 §8.2.1: SUBSCRIBE "MUST contain a single Event header field".
      this.reply(request, tx, 400, 'Missing Event Header');
      return true;
    }
    if (sub) {
      const check = sub.dialog.receiveRequest(request);
      if (!check.accepted) {
        this.reply(request, tx, check.status, check.reason);
        return true;
      }
    } else {
      const tag = generateTag();
      const dialog = Dialog.createAsUas(request, tag, {
        localTarget: this.host.contactUri,
        confirmed: true,
      });
      sub = { event, dialog, notifications: [] };
      this.subscriptions.push(sub);
      this.byDialog.set(dialog.key, sub);
    }
    const expires = Math.min(request.expires() ?? DEFAULT_EXPIRES, DEFAULT_EXPIRES);
    const ok = createResponse(request, 200, undefined, {
      toTag: sub.dialog.localTag,
      recordRoute: true,
    });
    ok.append('Contact', `<${this.host.contactUri}>`);
    ok.append('Expires', String(expires));
    this.host.trace.out(ok);
    tx.respond(ok);
    const notify = sub.dialog.createRequest('NOTIFY', {
      headers: [
        ['Event', request.get('Event')!],
        [
          'Subscription-State',
          expires > 0 ? `active;expires=${expires}` : 'terminated;reason=timeout',
        ],
      ],
    });
    const record: { request: SipRequest; status?: number } = { request: notify };
    sub.notifications.push(record);
    void sendThroughOutbound(this.host, notify).then((res) => (record.status = res.status));
    if (expires === 0) {
      sub.dialog.terminate();
      this.byDialog.delete(sub.dialog.key);
    }
    return true;
  }

  private reply(request: SipRequest, tx: ServerTransaction, status: number, reason?: string): void {
    const res = createResponse(request, status, reason, { toTag: generateTag() });
    this.host.trace.out(res);
    tx.respond(res);
  }
}
