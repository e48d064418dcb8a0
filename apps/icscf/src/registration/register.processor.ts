import type { Logger } from '@nestjs/common';
import { UserAuthorizationType } from '@lib/diameter';
import {
  FAILURE_CAUSES,
  FailureCause,
  FailureExplainer,
  HssAnswerError,
  HssUnavailableError,
  LogLimiter,
  type HssClient,
  type ImsHosts,
  type UarFields,
} from '@lib/ims';
import {
  SipParseError,
  type Destination,
  type ProcessorResult,
  type ProxyProcessor,
  type ProxyRequest,
  type TransportProtocol,
} from '@lib/sip';
import { selectScscfs, type ConfiguredScscf } from '../scscf-selection';
import type { Attempt, SerialForwarder, SerialTarget } from '../routing';
import { uaaOutcome, type UaaOutcome } from './uaa-outcome';
import { uarFieldsOf } from './uar-request';

export interface RegisterProcessorDeps {
  hss: HssClient;
  hosts: ImsHosts;
  explainer: FailureExplainer;
  forwarder: SerialForwarder;
  scscfs: ConfiguredScscf[];
  /** Transport to an S-CSCF whose URI names none (IMS_CORE_TRANSPORT). */
  coreTransport: TransportProtocol;
  domain: string;
  retryAfter: number;
  logger: Logger;
}

/**
 * The I-CSCF's REGISTER handling, TS 24.229 §5.3.1.2: "the I-CSCF shall ... query the HSS
 * (UAR)", then forward to the S-CSCF the HSS names (DIAMETER_SUBSEQUENT_REGISTRATION) or
 * one it selects by capabilities (DIAMETER_FIRST_REGISTRATION). No Record-Route for REGISTER.
 * §5.3.1.3 abnormal cases: no answer from the selected S-CSCF -> try the next suitable one
 * (after a UAR with REGISTRATION_AND_CAPABILITIES when the HSS had named it); negative UAA
 * -> 403; HSS unreachable -> 480 with Retry-After; nothing left to try -> 504.
 */
export class RegisterProcessor implements ProxyProcessor {
  readonly name = 'icscf-register';

  /** HSS failures logged per Result-Code: the first, then one a minute with a count. */
  private readonly hssFailures = new LogLimiter();

  constructor(private readonly deps: RegisterProcessorDeps) {}

  async process(pr: ProxyRequest): Promise<ProcessorResult> {
    if (pr.method !== 'REGISTER') return 'continue';
    let fields: UarFields;
    try {
      fields = uarFieldsOf(pr.request, this.deps.domain);
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      this.reject(pr, FailureCause.BadRequest, { status: 400, detail: err.message });
      return 'stop';
    }

    const first = await this.uar(pr, fields);
    if (!first) return 'stop';
    const tried: string[] = [];
    const attempts: Attempt[] = [];
    const notes: string[] = [];
    let outcome = first;
    for (let round = 0; round < 2; round++) {
      const { targets, unresolved } = this.targetsOf(outcome, tried);
      notes.push(...unresolved);
      if (targets.length > 0) {
        const result = await this.deps.forwarder.forward(pr, targets);
        attempts.push(...result.attempts);
        if (result.kind === 'relayed') return 'stop';
        tried.push(...targets.map((t) => t.label));
      } else if (outcome.kind === 'select' && attempts.length === 0) {
        // TS 24.229 §5.3.1.3: "If the I-CSCF cannot select a S-CSCF ... (e.g. no S-CSCF
        // fulfils the mandatory capabilities)".
        this.reject(pr, FailureCause.NoScscfCapable, {
          detail: [capabilitiesText(outcome.capabilities), ...notes].join('; '),
        });
        return 'stop';
      }
      // TS 24.229 §5.3.1.3: the S-CSCF the HSS named did not answer -> ask the HSS for
      // capabilities (User-Authorization-Type REGISTRATION_AND_CAPABILITIES) and select anew.
      if (
        outcome.kind !== 'assigned' ||
        fields.userAuthorizationType === UserAuthorizationType.DE_REGISTRATION
      )
        break;
      tried.push(outcome.serverName);
      const again = await this.uar(pr, {
        ...fields,
        userAuthorizationType: UserAuthorizationType.REGISTRATION_AND_CAPABILITIES,
      });
      if (!again) return 'stop';
      outcome = again;
    }
    this.reject(pr, FailureCause.ScscfUnreachable, {
      detail: [describe(attempts), ...notes].join('; '),
    });
    return 'stop';
  }

  /** UAR -> outcome; answers the REGISTER itself (and returns undefined) on failure. */
  private async uar(
    pr: ProxyRequest,
    fields: UarFields,
  ): Promise<Exclude<UaaOutcome, { kind: 'reject' }> | undefined> {
    try {
      const outcome = uaaOutcome(await this.deps.hss.uar(fields));
      if (outcome.kind === 'reject') {
        // A refusal the HSS meant (unknown user, barred...) is the UE's business; an HSS that
        // fails (5xxx other than those, 3xxx/4xxx) is the operator's: warn, rate-limited.
        if (
          outcome.cause === FailureCause.HssError ||
          outcome.cause === FailureCause.HssUnreachable
        ) {
          const more = this.hssFailures.take(outcome.detail);
          if (more !== undefined)
            this.deps.logger.warn(
              `UAA ${outcome.detail} for ${fields.publicIdentity}: ${outcome.status} to the REGISTER${more}`,
            );
        }
        const retry: [string, string][] =
          outcome.status === 480 ? [['Retry-After', String(this.deps.retryAfter)]] : [];
        this.reject(pr, outcome.cause, {
          status: outcome.status,
          detail: `${fields.publicIdentity} (${outcome.detail})`,
          extra: retry,
        });
        return undefined;
      }
      return outcome;
    } catch (err) {
      if (err instanceof HssUnavailableError || err instanceof HssAnswerError) {
        this.deps.logger.warn(`UAR for ${fields.publicIdentity}: ${err.message}`);
        this.reject(pr, FailureCause.HssUnreachable, {
          status: 480,
          detail: err.message,
          reason: true,
          extra: [['Retry-After', String(this.deps.retryAfter)]],
        });
        return undefined;
      }
      throw err;
    }
  }

  /** The S-CSCFs to try for an outcome (those whose host cannot be resolved are noted). */
  private targetsOf(
    outcome: Exclude<UaaOutcome, { kind: 'reject' }>,
    tried: string[],
  ): { targets: SerialTarget[]; unresolved: string[] } {
    const uris =
      outcome.kind === 'assigned'
        ? [outcome.serverName]
        : selectScscfs(this.deps.scscfs, outcome.capabilities, tried).map((s) => s.uri);
    const targets: SerialTarget[] = [];
    const unresolved: string[] = [];
    for (const uri of uris) {
      try {
        targets.push({ label: uri, destination: this.destinationOf(uri) });
      } catch (err) {
        unresolved.push(`${uri}: ${(err as Error).message}`);
      }
    }
    return { targets, unresolved };
  }

  private destinationOf(uri: string): Destination {
    return this.deps.hosts.destination(uri, this.deps.coreTransport);
  }

  private reject(
    pr: ProxyRequest,
    cause: FailureCause,
    opts: { status?: number; detail?: string; reason?: boolean; extra?: [string, string][] },
  ): void {
    const status = opts.status ?? FAILURE_CAUSES[cause].status;
    const response = pr.createResponse(status);
    for (const [name, value] of opts.extra ?? []) response.append(name, value);
    this.deps.explainer.apply(response, cause, {
      detail: opts.detail,
      reason: opts.reason,
      status,
    });
    pr.respondWith(response);
  }
}

function capabilitiesText(caps: { mandatory: number[]; optional: number[] } | undefined): string {
  if (!caps) return 'no S-CSCF configured';
  return `mandatory capabilities [${caps.mandatory.join(',')}], optional [${caps.optional.join(',')}]`;
}

function describe(attempts: Attempt[]): string {
  if (attempts.length === 0) return 'no S-CSCF could be tried';
  return attempts.map((a) => `${a.target.label} -> ${a.status}`).join(', ');
}
