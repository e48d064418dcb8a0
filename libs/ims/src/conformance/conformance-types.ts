/**
 * The vocabulary of the IMS conformance suite (`npm run ims-test`): what a case is, what it
 * needs, what running it produced. Plain TypeScript on top of the UE simulator, so that the
 * suite runs against any IMS core reachable through a P-CSCF.
 */
import type { TransportProtocol } from '@lib/sip';

/** The suites a case belongs to (`--suite`). */
export type SuiteName = 'registration' | 'calls';

/** Where the suite sends its traffic and how it behaves. */
export interface SuiteConfig {
  /** The P-CSCF of the core under test (the UEs' outbound proxy). */
  pcscf: { host: string; port: number };
  transport: TransportProtocol;
  /** Home network domain: Request-URI of REGISTER, Digest realm of the first request. */
  domain: string;
  /** Address the simulated UEs bind and put in their Contact. */
  localHost: string;
  /** RFC 3261 §17 T1 of the UEs' transaction layer (ms). */
  t1Ms: number;
  /** Upper bound for one case (ms); the expiry case adds the expiry it negotiated. */
  caseTimeoutMs: number;
  /**
   * Registration expiry case: the longest expiry (s) the suite accepts from a 423 Min-Expires
   * before it reports the case as failed rather than wait.
   */
  maxExpiryWaitS: number;
}

/** One identity the suite may register, with what its UE must know. */
export interface SuiteSubscriber {
  /** Private identity (Digest username). */
  impi: string;
  /** The public identity the UE registers (From/To). */
  impu: string;
  /** The implicit registration set, when known (checked against P-Associated-URI). */
  impus?: string[];
  /** AKA: K and OP or OPc (hex). */
  k?: string;
  op?: string;
  opc?: string;
  /** SIP Digest: the password. */
  password?: string;
}

export type SubscriberKind = 'aka' | 'md5';

/** Raised when the subscriber source cannot give a case what it needs: the case is skipped. */
export class SubscriberUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubscriberUnavailableError';
  }
}

/** A case's verdict on one property of the messages it saw. */
export interface CheckResult {
  label: string;
  ok: boolean;
  /** What was seen (a header value, a status), shown in the reports. */
  detail?: string;
}

/** A participant of a ladder diagram. */
export interface LadderActor {
  /** `UE A`, `P-CSCF`. */
  name: string;
  /** The public identity a UE registers, when it is one. */
  identity?: string;
  /** Its address (`127.0.0.1:5060`), the last line of its column head. */
  address: string;
}

/** One arrow of a ladder diagram: one SIP message as a UE sent or received it. */
export interface LadderMessage {
  /** Milliseconds since the case started. */
  at: number;
  /** Index into the actors. */
  from: number;
  to: number;
  /** `REGISTER`, `401 Unauthorized (REGISTER)`... */
  label: string;
  /** The whole message as the UE's trace holds it (UeTrace). */
  text: string;
  /** `challenge`: 401/407, the normal first answer to an unauthenticated request. */
  kind: 'request' | 'provisional' | 'success' | 'challenge' | 'redirect' | 'failure';
}

export interface Ladder {
  actors: LadderActor[];
  messages: LadderMessage[];
}

export type CaseStatus = 'passed' | 'failed' | 'error' | 'skipped';

/** The outcome of one case, as every reporter shows it. */
export interface CaseResult {
  id: string;
  suite: SuiteName;
  title: string;
  clauses: string[];
  /** What the case does and looks at. */
  summary: string;
  status: CaseStatus;
  durationMs: number;
  checks: CheckResult[];
  /** Why it failed, errored or was skipped. */
  message?: string;
  ladder: Ladder;
}

/** A whole run: what was targeted and every case's outcome, in order. */
export interface SuiteRun {
  config: SuiteConfig;
  suites: SuiteName[];
  startedAt: Date;
  durationMs: number;
  results: CaseResult[];
}

/** True when every selected case passed: the CLI's exit code 0. */
export function runPassed(run: SuiteRun): boolean {
  return run.results.length > 0 && run.results.every((r) => r.status === 'passed');
}
