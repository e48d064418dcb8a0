import { uriEquals } from '@lib/sip';
import { flowKey, type Flow } from '../flows';
import type { PcscfRegistration } from './pcscf-registration';

/**
 * The P-CSCF's registrations, keyed by flow and registered IMPU. Expiry is checked lazily
 * on lookup against the injected clock (`now`).
 */
export class RegistrationStore {
  private readonly byFlow = new Map<string, Map<string, PcscfRegistration>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds or replaces the registration of (flow, registered IMPU). */
  save(reg: PcscfRegistration): void {
    const key = flowKey(reg.flow);
    let regs = this.byFlow.get(key);
    if (!regs) this.byFlow.set(key, (regs = new Map()));
    regs.set(reg.registeredImpu.toLowerCase(), reg);
  }

  /** Removes the registration of (flow, IMPU); true when the flow has none left. */
  remove(flow: Flow, registeredImpu: string): boolean {
    const key = flowKey(flow);
    const regs = this.byFlow.get(key);
    regs?.delete(registeredImpu.toLowerCase());
    if (regs && regs.size === 0) this.byFlow.delete(key);
    return !this.byFlow.has(key);
  }

  /** The live registrations of a flow. */
  ofFlow(flow: Flow): PcscfRegistration[] {
    const regs = this.byFlow.get(flowKey(flow));
    if (!regs) return [];
    return this.live(regs);
  }

  /** The live registration one of whose contacts is `uri` (RFC 3261 §19.1.4 comparison). */
  byContact(uri: string): PcscfRegistration | undefined {
    for (const regs of this.byFlow.values()) {
      for (const reg of this.live(regs)) {
        if (reg.contacts.some((c) => safeEquals(c, uri))) return reg;
      }
    }
    return undefined;
  }

  /**
   * Removes every registration whose implicit set contains `aor` (a reg-event NOTIFY said it
   * is terminated). Returns the removed registrations.
   */
  removeAor(aor: string): PcscfRegistration[] {
    const removed: PcscfRegistration[] = [];
    for (const [key, regs] of this.byFlow) {
      for (const [impu, reg] of regs) {
        if (
          reg.associatedUris.some((u) => safeEquals(u, aor)) ||
          safeEquals(reg.registeredImpu, aor)
        ) {
          regs.delete(impu);
          removed.push(reg);
        }
      }
      if (regs.size === 0) this.byFlow.delete(key);
    }
    return removed;
  }

  /** Every live registration (for tests and diagnostics). */
  all(): PcscfRegistration[] {
    return [...this.byFlow.values()].flatMap((regs) => this.live(regs));
  }

  private live(regs: Map<string, PcscfRegistration>): PcscfRegistration[] {
    const now = this.now();
    for (const [impu, reg] of regs) if (reg.expiresAt <= now) regs.delete(impu);
    return [...regs.values()];
  }
}

function safeEquals(a: string, b: string): boolean {
  try {
    return uriEquals(a, b);
  } catch {
    return a === b;
  }
}
