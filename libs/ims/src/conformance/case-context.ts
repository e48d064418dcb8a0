/**
 * What a conformance case works with: its subscribers, its UEs (the UE simulator, one per
 * simulated terminal), and `check()`, which records each property of the messages on the wire
 * that the case verifies. A failed check ends the case as failed; the ladder diagram is built
 * from the UEs' traces whatever the outcome.
 */
import { randomBytes } from 'node:crypto';
import { parseMessage, SipMessage } from '@lib/sip';
import { UeOptions, UeSimulator } from '../ue';
import {
  CheckResult,
  Ladder,
  LadderActor,
  LadderMessage,
  SubscriberKind,
  SuiteConfig,
  SuiteName,
  SuiteSubscriber,
} from './conformance-types';
import type { SubscriberSource } from './subscriber-source';

/** A case of the catalogue. */
export interface ConformanceCase {
  /** Stable name, e.g. `reg.aka` (JUnit test name, `--case` filter). */
  id: string;
  suite: SuiteName;
  title: string;
  /** The clauses it checks, e.g. `TS 24.229 §5.1.1.2.2`. */
  clauses: string[];
  /** One sentence: what the case does and what it looks at on the wire. */
  summary: string;
  /** Extra time on top of `caseTimeoutMs` (the expiry case waits for the expiry). */
  extraTimeoutMs?: (config: SuiteConfig) => number;
  run(ctx: CaseContext): Promise<void>;
}

/** A check that did not hold: the case fails with its label as the message. */
export class CheckFailure extends Error {
  constructor(readonly check: CheckResult) {
    super(check.detail ? `${check.label} (${check.detail})` : check.label);
    this.name = 'CheckFailure';
  }
}

/** A message of a UE's trace, parsed. */
export interface TracedMessage {
  direction: 'out' | 'in';
  message: SipMessage;
}

interface CaseUe {
  ue: UeSimulator;
  label: string;
  /** Date.now() when its trace started (UeTrace times are relative to it). */
  startedAt: number;
  closed?: boolean;
}

/** Options of {@link CaseContext.ue} beyond the subscriber's own identity and keys. */
export type CaseUeOptions = Partial<
  Pick<
    UeOptions,
    'expires' | 'verifyNetwork' | 'contactParams' | 'algorithm' | 'onRequest' | 'credentials'
  >
> & {
  /** Label of its ladder column; default `UE A`, `UE B`... */
  label?: string;
  /** SQN_MS of its USIM (hex), to provoke a resynchronisation. */
  sqnMs?: string;
};

export class CaseContext {
  readonly checks: CheckResult[] = [];
  readonly startedAt = Date.now();
  private readonly ues: CaseUe[] = [];

  constructor(
    readonly config: SuiteConfig,
    private readonly subscribers: SubscriberSource,
  ) {}

  /** A subscriber the core knows (provisioned by the suite, or from the subscribers file). */
  subscriber(kind: SubscriberKind = 'aka'): Promise<SuiteSubscriber> {
    return this.subscribers.acquire(kind);
  }

  /**
   * An identity the core does not know: a random IMSI of the test network MCC 001 / MNC 01
   * (TS 23.003 §2.2) under the home domain, with random AKA keys.
   */
  unknownSubscriber(): SuiteSubscriber {
    const digits = [...randomBytes(9)].map((b) => String(b % 10)).join('');
    const imsi = `00101${digits}9`;
    return {
      impi: `${imsi}@${this.config.domain}`,
      impu: `sip:${imsi}@${this.config.domain}`,
      k: randomBytes(16).toString('hex'),
      opc: randomBytes(16).toString('hex'),
    };
  }

  /** Starts a UE for the subscriber, bound to `localHost`, its outbound proxy the P-CSCF. */
  async ue(sub: SuiteSubscriber, opts: CaseUeOptions = {}): Promise<UeSimulator> {
    const label = opts.label ?? `UE ${String.fromCharCode(65 + this.ues.length)}`;
    const credentials = opts.credentials ?? {
      k: sub.k,
      op: sub.op,
      opc: sub.opc,
      password: sub.password,
      sqnMs: opts.sqnMs,
    };
    const startedAt = Date.now();
    const ue = await UeSimulator.start({
      impi: sub.impi,
      impu: sub.impu,
      // TS 24.229 §5.1.1.2.1 / TS 23.003 §13.3: the home domain is the IMPI's realm part.
      domain: sub.impi.includes('@')
        ? sub.impi.slice(sub.impi.lastIndexOf('@') + 1)
        : this.config.domain,
      pcscf: { ...this.config.pcscf, transport: this.config.transport },
      localHost: this.config.localHost,
      credentials,
      expires: opts.expires ?? 3600,
      verifyNetwork: opts.verifyNetwork,
      contactParams: opts.contactParams,
      algorithm: opts.algorithm,
      onRequest: opts.onRequest,
      timers: { T1: this.config.t1Ms },
    });
    this.ues.push({ ue, label, startedAt });
    return ue;
  }

  /**
   * Records a check; when it does not hold, the case stops here as failed. `detail` says
   * what was seen, for the reports.
   */
  check(label: string, ok: boolean, detail?: string): void {
    const result: CheckResult = { label, ok, detail };
    this.checks.push(result);
    if (!ok) throw new CheckFailure(result);
  }

  /** Every message of one UE's trace, parsed, oldest first. */
  messages(ue: UeSimulator): TracedMessage[] {
    return ue.trace.entries.map((e) => ({
      direction: e.direction,
      message: parseTraced(e.text, e.direction),
    }));
  }

  /** The requests a UE sent with this method, oldest first. */
  sent(ue: UeSimulator, method: string): SipMessage[] {
    return this.messages(ue)
      .filter((m) => m.direction === 'out' && m.message.isRequest() && m.message.method === method)
      .map((m) => m.message);
  }

  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** The ladder diagram of everything the case's UEs sent and received. */
  ladder(): Ladder {
    const core: LadderActor = {
      name: 'P-CSCF',
      address: `${this.config.pcscf.host}:${this.config.pcscf.port} (${this.config.transport})`,
    };
    // UE A on the left, the core in the middle, the other UEs on the right.
    const actors: LadderActor[] = [];
    const column = new Map<CaseUe, number>();
    this.ues.forEach((u, i) => {
      if (i === 0) {
        actors.push(ueActor(u));
        actors.push(core);
        column.set(u, 0);
      } else {
        column.set(u, actors.length);
        actors.push(ueActor(u));
      }
    });
    if (actors.length === 0) actors.push(core);
    const coreIndex = this.ues.length ? 1 : 0;
    const messages: LadderMessage[] = [];
    for (const u of this.ues) {
      const me = column.get(u)!;
      for (const e of u.ue.trace.entries) {
        messages.push({
          at: u.startedAt + e.at - this.startedAt,
          from: e.direction === 'out' ? me : coreIndex,
          to: e.direction === 'out' ? coreIndex : me,
          label: ladderLabel(e.text, e.summary),
          text: e.text,
          kind: messageKind(e.summary),
        });
      }
    }
    // Stable: messages of one UE keep their order when times are equal.
    messages.sort((a, b) => a.at - b.at);
    return { actors, messages };
  }

  /**
   * Ends the case: de-registers every UE still registered (bounded, best effort: the core
   * keeps no binding of the suite), then closes them.
   */
  async cleanup(timeoutMs = 10000): Promise<void> {
    for (const u of this.ues) await this.retire(u, timeoutMs);
  }

  /** De-registers one UE (when registered) and closes it; its trace stays in the ladder. */
  async closeUe(ue: UeSimulator, timeoutMs = 10000): Promise<void> {
    const u = this.ues.find((x) => x.ue === ue);
    if (u) await this.retire(u, timeoutMs);
  }

  private async retire(u: CaseUe, timeoutMs: number): Promise<void> {
    if (u.closed) return;
    u.closed = true;
    u.ue.stopRefreshing();
    if (u.ue.registered) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        u.ue.deregister().catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    await u.ue.close().catch(() => undefined);
  }
}

function ueActor(u: CaseUe): LadderActor {
  const { stack, options } = u.ue;
  const host = stack.host.includes(':') ? `[${stack.host}]` : stack.host;
  return { name: u.label, identity: options.impu, address: `${host}:${stack.port}` };
}

/** `REGISTER`, or for a response `401 Unauthorized (REGISTER)`: the method of its CSeq. */
function ladderLabel(text: string, summary: string): string {
  if (!/^\d/.test(summary)) return summary;
  const cseq = /^(?:CSeq|cseq)[ \t]*:[ \t]*\d+[ \t]+([A-Za-z]+)/m.exec(text);
  return cseq ? `${summary} (${cseq[1]})` : summary;
}

function messageKind(summary: string): LadderMessage['kind'] {
  const status = /^(\d)\d\d/.exec(summary);
  if (!status) return 'request';
  if (/^40[17]/.test(summary)) return 'challenge';
  return (['provisional', 'success', 'redirect', 'failure', 'failure', 'failure'] as const)[
    Number(status[1]) - 1
  ];
}

/**
 * Parses a traced message. The UE traces a request it sends before its stack adds the Via
 * (RFC 3261 §8.1.1.7 / §18.1.1 happen in the transaction and transport layers), so a sent
 * request is read with a stand-in Via: the checks never look at the UE's own Via.
 */
function parseTraced(text: string, direction: 'out' | 'in'): SipMessage {
  if (direction === 'out' && !/^(Via|v)[ \t]*:/im.test(text)) {
    const eol = text.indexOf('\r\n');
    return parseMessage(
      `${text.slice(0, eol)}\r\nVia: SIP/2.0/UDP trace.invalid;branch=z9hG4bKtrace${text.slice(eol)}`,
    );
  }
  return parseMessage(text);
}
