/**
 * Original dialog identifiers (TS 24.229 §5.4.3.2 step 4 / §5.4.3.3 step 4): when the S-CSCF
 * sends a request to an application server over ISC it adds a Route back to itself "with
 * [...] a value that identifies the original dialog", so that when the AS sends the request
 * back the S-CSCF knows the served user, the session case and which initial filter criteria
 * have run. The identifier is the user part of that Route (`sip:<token>@<scscf>;lr`).
 */
import { randomBytes } from 'node:crypto';
import type { IfcProfile, InitialFilterCriteria, SessionCase } from '@lib/ims';

/** Where the S-CSCF stands in the service logic of one request (one leg of iFC chaining). */
export interface ServiceState {
  sessionCase: SessionCase;
  /** The served user: P-Asserted-Identity (originating) or Request-URI (terminating). */
  servedUser: string;
  /** The profile whose iFCs apply. */
  profile: IfcProfile;
  /** Priority of the last iFC whose AS was contacted (-Infinity before the first). */
  lastPriority: number;
  /** For terminating requests: the Request-URI as the S-CSCF first saw it (retargeting check). */
  targetUri?: string;
}

/** One ISC hop: the state handed to the AS and whether the request came back. */
export interface OdiEntry {
  token: string;
  state: ServiceState;
  /** The iFC whose AS got the request. */
  ifc: InitialFilterCriteria;
  /** The request came back with this identifier (the AS answered by forwarding it). */
  returned: boolean;
  /** Default handling moved on without the AS: a late return is refused. */
  abandoned: boolean;
  expiresAt: number;
}

/** Identifiers live long enough for any transaction of the request (timer C is 3 min). */
const DEFAULT_TTL_MS = 5 * 60 * 1000;

export class OdiStore {
  private readonly entries = new Map<string, OdiEntry>();

  constructor(
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** A new identifier for the hop to `ifc`'s AS. */
  create(state: ServiceState, ifc: InitialFilterCriteria): OdiEntry {
    this.sweep();
    const token = `odi-${randomBytes(10).toString('hex')}`;
    const entry: OdiEntry = {
      token,
      state: { ...state, lastPriority: ifc.priority },
      ifc,
      returned: false,
      abandoned: false,
      expiresAt: this.now() + this.ttlMs,
    };
    this.entries.set(token, entry);
    return entry;
  }

  get(token: string): OdiEntry | undefined {
    const entry = this.entries.get(token);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry;
  }

  /**
   * Drops expired identifiers (called on each create). Every entry lives the same TTL and the
   * Map keeps insertion order, so the expired ones are at the front: stop at the first live one.
   */
  sweep(): void {
    const now = this.now();
    for (const [token, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.entries.delete(token);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
