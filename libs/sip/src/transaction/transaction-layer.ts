import { generateBranch, type SipRequest, type SipResponse } from '../transport/message-api';
import { ownString } from '../memory/own-string';
import type { Destination } from '../transport/transport';
import type { IncomingContext, TransportLayerUser } from '../transport/transport-layer';
import type { ClientTransaction } from './client-transaction';
import { InviteClientTransaction } from './invite-client-transaction';
import { InviteServerTransaction } from './invite-server-transaction';
import { NonInviteClientTransaction } from './non-invite-client-transaction';
import { NonInviteServerTransaction } from './non-invite-server-transaction';
import type { ServerTransaction } from './server-transaction';
import {
  clientTransactionKey,
  hasRfc3261Branch,
  responseTransactionKey,
  serverTransactionKey,
} from './transaction-key';
import type { Transaction, TransactionEnvironment, TransactionTransport } from './transaction';
import type { ClientTransactionUser } from './transaction-user';
import { TransactionState } from './transaction-state';
import {
  resolveTimerSettings,
  systemTimers,
  type TimerFacility,
  type TimerSettings,
} from './timers';

/** What the transaction layer hands to the TU (the core above it). */
export interface TransactionLayerUser {
  /**
   * A request that created a new server transaction, or an ACK that matched none (the ACK
   * for a 2xx, RFC 3261 §17.2.3: it "is passed to the TU"), in which case `transaction` is
   * undefined. Retransmissions are absorbed and never reach the TU.
   */
  onRequest(
    request: SipRequest,
    transaction: ServerTransaction | undefined,
    context: IncomingContext,
  ): void;
  /**
   * RFC 3261 §17.1.3/§18.1.2: a response that matched no client transaction (e.g. a
   * retransmitted 2xx to INVITE after the transaction ended). A proxy forwards it statelessly.
   */
  onStrayResponse?(response: SipResponse, context: IncomingContext): void;
}

export interface TransactionLayerOptions {
  timers?: Partial<TimerSettings>;
  /** An injected clock; defaults to the event loop's timers. */
  clock?: TimerFacility;
  /** Exceptions thrown by TU callbacks run from timers or async sends. */
  onError?(error: Error): void;
}

/**
 * The RFC 3261 §17 transaction layer: a table of client and server transactions, matching of
 * incoming messages (§17.1.3, §17.2.3), and creation of new transactions.
 */
export class TransactionLayer implements TransportLayerUser {
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private user?: TransactionLayerUser;
  readonly settings: TimerSettings;
  private readonly env: TransactionEnvironment;

  constructor(transport: TransactionTransport, options: TransactionLayerOptions = {}) {
    this.settings = resolveTimerSettings(options.timers);
    this.env = {
      transport,
      settings: this.settings,
      timers: options.clock ?? systemTimers,
      onTerminated: (t) => this.remove(t),
      onError: options.onError,
    };
  }

  setUser(user: TransactionLayerUser): void {
    this.user = user;
  }

  /** Number of live transactions (client + server); drains to zero when the stack is idle. */
  get count(): number {
    return this.clients.size + this.servers.size;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get serverCount(): number {
    return this.servers.size;
  }

  /** Live transactions (diagnostics). */
  transactions(): Transaction[] {
    return [...this.clients.values(), ...this.servers.values()];
  }

  private remove(t: Transaction): void {
    if (this.clients.get(t.id) === t) this.clients.delete(t.id);
    if (this.servers.get(t.id) === t) this.servers.delete(t.id);
  }

  /**
   * Creates and starts a client transaction for `request` towards `destination`. A request
   * without a Via gets one with a fresh branch (RFC 3261 §8.1.1.7); the transport layer fills
   * in the sent-by. INVITE gets an `InviteClientTransaction`, anything else (but ACK, which is
   * never sent in a transaction of its own) a `NonInviteClientTransaction`.
   */
  sendRequest(
    request: SipRequest,
    destination: Destination,
    user: ClientTransactionUser = {},
  ): ClientTransaction {
    if (request.method === 'ACK')
      throw new Error('ACK is not sent in a client transaction (RFC 3261 §17.1.1.3)');
    if (!request.has('Via'))
      request.prepend(
        'Via',
        `SIP/2.0/${destination.transport} 0.0.0.0;branch=${generateBranch()};rport`,
      );
    const branch = request.topVia().branch;
    if (!branch)
      throw new Error('the top Via of a request needs a branch parameter (RFC 3261 §8.1.1.7)');
    const id = clientTransactionKey(branch, request.method);
    if (this.clients.has(id)) throw new Error(`client transaction ${id} already exists`);
    const tx =
      request.method === 'INVITE'
        ? new InviteClientTransaction(id, request, destination, this.env, user)
        : new NonInviteClientTransaction(id, request, destination, this.env, user);
    this.clients.set(id, tx);
    tx.start();
    return tx;
  }

  /** Incoming request from the transport layer (RFC 3261 §17.2.3 matching). */
  onRequest(request: SipRequest, context: IncomingContext): void {
    const match = this.matchServerTransaction(request);
    // An ACK matching an INVITE transaction in Accepted acknowledges a 2xx (RFC 6026): it
    // belongs to the TU, like any ACK for a 2xx.
    if (match && !(request.method === 'ACK' && match.state === TransactionState.Accepted)) {
      match.receiveRequest(request);
      return;
    }
    if (request.method === 'ACK') {
      this.user?.onRequest(request, undefined, context);
      return;
    }
    // The key lives as long as the transaction (32 s over UDP after the final response): an
    // own copy, since the branch in it is a slice of the whole received header section.
    const id = ownString(serverTransactionKey(request));
    const tx =
      request.method === 'INVITE'
        ? new InviteServerTransaction(id, request, context, this.env)
        : new NonInviteServerTransaction(id, request, context, this.env);
    this.servers.set(id, tx);
    this.user?.onRequest(request, tx, context);
  }

  /** Incoming response from the transport layer (RFC 3261 §17.1.3 matching). */
  onResponse(response: SipResponse, context: IncomingContext): void {
    const tx = this.clients.get(responseTransactionKey(response));
    if (tx) tx.receiveResponse(response);
    else this.user?.onStrayResponse?.(response, context);
  }

  /** The server transaction a request (retransmission or ACK) belongs to, if any. */
  matchServerTransaction(
    request: SipRequest,
    methodOverride?: string,
  ): ServerTransaction | undefined {
    const tx = this.servers.get(serverTransactionKey(request, methodOverride));
    if (!tx) return undefined;
    if (!hasRfc3261Branch(request) && !rfc2543ToTagMatches(tx, request)) return undefined;
    return tx;
  }

  /**
   * RFC 3261 §9.2: "the transaction being cancelled is found using the procedures of Section
   * 17.2.3 [...], with the method of the request taken to be INVITE".
   */
  findInviteServerTransactionForCancel(cancel: SipRequest): InviteServerTransaction | undefined {
    const tx = this.matchServerTransaction(cancel, 'INVITE');
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /** Stops every transaction (stack shutdown). */
  dispose(): void {
    for (const t of this.transactions()) t.dispose();
  }
}

/**
 * RFC 3261 §17.2.3 (RFC 2543 compatibility): the To tag of a request must equal the one of
 * the INVITE; "the ACK matches [...] if the To tag of the ACK matches the To tag of the
 * response sent by the server transaction".
 */
function rfc2543ToTagMatches(tx: ServerTransaction, request: SipRequest): boolean {
  const tag = request.to().tag ?? '';
  if (request.method === 'ACK') return tag === (tx.lastResponse?.to().tag ?? '');
  return tag === (tx.request.to().tag ?? '');
}
