/**
 * Two stand-ins that let a benchmark run a real SipStack without the kernel and without
 * waiting: an in-memory transport (what the stack sends is handed to the bench, what the
 * bench delivers arrives as if from a socket) and a virtual clock (the transaction timers run
 * when the bench advances time, so a run of a few seconds holds the transactions a minute
 * of traffic would: Timer J's 32 s of completed server transactions, Timer K's 5 s).
 */
import type {
  Destination,
  Transport,
  TransportAddress,
  TransportProtocol,
  TransportReceiver,
} from '../libs/sip/src/transport/transport';
import type { TimerFacility } from '../libs/sip/src/transaction/timers';

/** One message the stack sent. */
export interface SentData {
  data: Buffer;
  destination: TransportAddress;
}

/** A transport whose "network" is two arrays: `deliver` in, `sent` out. UDP semantics by default. */
export class MemoryTransport implements Transport {
  readonly reliable: boolean;
  readonly sent: SentData[] = [];
  private receiver?: TransportReceiver;
  private open = false;

  constructor(
    readonly local: TransportAddress,
    readonly protocol: TransportProtocol = 'UDP',
  ) {
    this.reliable = protocol !== 'UDP';
  }

  get listening(): boolean {
    return this.open;
  }

  setReceiver(receiver: TransportReceiver): void {
    this.receiver = receiver;
  }

  listen(): Promise<void> {
    this.open = true;
    return Promise.resolve();
  }

  /** A datagram from `source` arrives (synchronously, as a socket's 'message' event would). */
  deliver(data: Buffer, source: TransportAddress): void {
    if (!this.receiver) throw new Error('MemoryTransport: no receiver (stack not built)');
    const from: Destination = { ...source, transport: this.protocol };
    this.receiver.onData({ data, source: from, local: this.local });
  }

  send(data: Buffer, destination: TransportAddress): Promise<string | undefined> {
    if (!this.open) return Promise.reject(new Error('MemoryTransport: not listening'));
    this.sent.push({ data, destination });
    return Promise.resolve(undefined);
  }

  /** Takes what was sent since the last call. */
  take(): SentData[] {
    return this.sent.splice(0);
  }

  close(): Promise<void> {
    this.open = false;
    return Promise.resolve();
  }
}

interface VirtualTimer {
  callback?: () => void;
}

/**
 * A `TimerFacility` on virtual milliseconds: `setTimeout` files the callback under its due
 * millisecond; `advanceTo(t)` runs, in due order, every timer due at or before `t`
 * (including timers those callbacks set, when due by then).
 */
export class VirtualClock implements TimerFacility {
  private current = 0;
  private readonly due = new Map<number, VirtualTimer[]>();
  private pendingCount = 0;

  get now(): number {
    return this.current;
  }

  /** Timers set and neither run nor cleared. */
  get pending(): number {
    return this.pendingCount;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const at = this.current + Math.max(1, Math.ceil(ms));
    const timer: VirtualTimer = { callback };
    const list = this.due.get(at);
    if (list) list.push(timer);
    else this.due.set(at, [timer]);
    this.pendingCount++;
    return timer;
  }

  clearTimeout(handle: unknown): void {
    const timer = handle as VirtualTimer | undefined;
    if (timer?.callback) {
      timer.callback = undefined;
      this.pendingCount--;
    }
  }

  advanceTo(t: number): void {
    while (this.current < t) {
      this.current++;
      const list = this.due.get(this.current);
      if (!list) continue;
      this.due.delete(this.current);
      for (const timer of list) {
        const cb = timer.callback;
        if (!cb) continue;
        timer.callback = undefined;
        this.pendingCount--;
        cb();
      }
    }
  }
}
