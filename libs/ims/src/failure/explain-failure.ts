import { SipRequest, SipResponse, createResponse, quote } from '@lib/sip';
import { FAILURE_CAUSES, FailureCause } from './failure-cause';
import { VarSpec, parse } from '../config';

/** Text of a cause, with an optional detail (`unknown user (...): sip:alice@...`). */
export function failureText(cause: FailureCause, detail?: string): string {
  const text = FAILURE_CAUSES[cause].text;
  return detail === undefined || detail === '' ? text : `${text}: ${detail}`;
}

/**
 * RFC 3261 §20.43: `warning-value = warn-code SP warn-agent SP warn-text`; code 399
 * "Miscellaneous warning: The warning text can include arbitrary information to be
 * presented to a human user or logged".
 */
export function warningValue(host: string, cause: FailureCause, detail?: string): string {
  return `399 ${host} ${quote(failureText(cause, detail))}`;
}

/** RFC 3326 §2: `Reason: SIP ;cause=<status> ;text="<text>"`. */
export function reasonValue(cause: FailureCause, status?: number, detail?: string): string {
  const code = status ?? FAILURE_CAUSES[cause].status;
  return `SIP;cause=${code};text=${quote(failureText(cause, detail))}`;
}

export interface ExplainOptions {
  /** Free detail appended to the cause text (an IMPU, a Diameter code, a host...). */
  detail?: string;
  /** Status the explanation refers to (defaults to the cause's status). */
  status?: number;
  /** Also add an RFC 3326 Reason header (besides the Warning). */
  reason?: boolean;
}

/**
 * "Failures explain themselves": builds the Warning (and optionally Reason) headers for a
 * 4xx/5xx/6xx a CSCF originates. With `explain` false (IMS_EXPLAIN_FAILURES=false,
 * production-like runs) nothing is added.
 */
export class FailureExplainer {
  constructor(
    /** warn-agent: the element's host name (e.g. `icscf.<domain>`). */
    readonly host: string,
    /** IMS_EXPLAIN_FAILURES. */
    readonly explain: boolean,
  ) {}

  /** The `[name, value]` headers explaining `cause` (empty when not explaining). */
  headers(cause: FailureCause, opts: ExplainOptions = {}): [string, string][] {
    if (!this.explain) return [];
    const out: [string, string][] = [['Warning', warningValue(this.host, cause, opts.detail)]];
    if (opts.reason) out.push(['Reason', reasonValue(cause, opts.status, opts.detail)]);
    return out;
  }

  /** Appends the explanation to a response the element built itself. */
  apply(response: SipResponse, cause: FailureCause, opts: ExplainOptions = {}): SipResponse {
    for (const [name, value] of this.headers(cause, { status: response.status, ...opts })) {
      response.append(name, value);
    }
    return response;
  }

  /**
   * A final response refusing `request` for `cause`: status from the cause (or
   * `opts.status`), To tag added when the request had none (RFC 3261 §8.2.6.2).
   */
  reject(
    request: SipRequest,
    cause: FailureCause,
    opts: ExplainOptions & { toTag?: string } = {},
  ): SipResponse {
    const status = opts.status ?? FAILURE_CAUSES[cause].status;
    const response = createResponse(request, status, undefined, { toTag: opts.toTag });
    return this.apply(response, cause, { ...opts, status });
  }
}

/** `IMS_EXPLAIN_FAILURES` for a role's ConfigSpec (default true: the lab explains). */
export const explainFailuresVar: VarSpec<boolean> = {
  env: 'IMS_EXPLAIN_FAILURES',
  doc: 'every 4xx/5xx a CSCF originates carries Warning: 399 <host> "<cause>" (RFC 3261 §20.43)',
  default: true,
  parse: parse.bool,
};
