import type { Logger } from '@nestjs/common';
import {
  FAILURE_CAUSES,
  FailureCause,
  HssAnswerError,
  HssUnavailableError,
  type FailureExplainer,
  type HssClient,
  type ImsHosts,
} from '@lib/ims';
import {
  SipUri,
  TelUri,
  type ProcessorResult,
  type ProxyProcessor,
  type ProxyRequest,
  type TransportProtocol,
} from '@lib/sip';
import { selectScscfs, type ConfiguredScscf } from '../scscf-selection';
import { liaOutcome } from './lia-outcome';

export interface LocationQueryDeps {
  hss: HssClient;
  hosts: ImsHosts;
  explainer: FailureExplainer;
  scscfs: ConfiguredScscf[];
  /** Transport to an S-CSCF whose URI names none (IMS_CORE_TRANSPORT). */
  coreTransport: TransportProtocol;
  domain: string;
  retryAfter: number;
  logger: Logger;
}

/**
 * Initial requests other than REGISTER for a user of the home network, TS 24.229 §5.3.2.1:
 * "the I-CSCF shall ... query the HSS for the current location" (LIR with the Request-URI
 * as Public-Identity), then forward the request to the S-CSCF the HSS names, or one it
 * selects by capabilities, by inserting that S-CSCF's URI as the top Route (loose routing,
 * RFC 3261 §16.6 step 6). The proxy core then forwards it (INVITE: 100 Trying, CANCEL,
 * timer C). Requests that still carry a Route, in-dialog requests (To tag), ACK and CANCEL,
 * and Request-URIs outside the home domain are left to the proxy core.
 */
export class LocationQueryProcessor implements ProxyProcessor {
  readonly name = 'icscf-location-query';

  constructor(private readonly deps: LocationQueryDeps) {}

  async process(pr: ProxyRequest): Promise<ProcessorResult> {
    const req = pr.request;
    if (['REGISTER', 'ACK', 'CANCEL'].includes(pr.method)) return 'continue';
    if (req.to().tag !== undefined || req.has('Route')) return 'continue';
    const publicIdentity = this.homeIdentity(req.requestUri());
    if (publicIdentity === undefined) return 'continue';

    let outcome;
    try {
      outcome = liaOutcome(await this.deps.hss.lir({ publicIdentity }));
    } catch (err) {
      if (!(err instanceof HssUnavailableError || err instanceof HssAnswerError)) throw err;
      this.deps.logger.warn(`LIR for ${publicIdentity}: ${err.message}`);
      this.reject(pr, FailureCause.HssUnreachable, 480, err.message, true);
      return 'stop';
    }
    if (outcome.kind === 'reject') {
      this.reject(pr, outcome.cause, outcome.status, `${publicIdentity} (${outcome.detail})`);
      return 'stop';
    }
    const uris =
      outcome.kind === 'assigned'
        ? [outcome.serverName]
        : selectScscfs(this.deps.scscfs, outcome.capabilities).map((s) => s.uri);
    for (const uri of uris) {
      try {
        const destination = this.deps.hosts.destination(uri, this.deps.coreTransport);
        req.prepend('Route', `<${looseRoute(uri)}>`);
        pr.addTarget(undefined, destination);
        return 'continue';
      } catch (err) {
        this.deps.logger.warn(`S-CSCF ${uri} not usable: ${(err as Error).message}`);
      }
    }
    this.reject(
      pr,
      outcome.kind === 'select' ? FailureCause.NoScscfCapable : FailureCause.ScscfUnreachable,
      outcome.kind === 'select' ? 600 : 504,
      uris.length ? `no usable S-CSCF among ${uris.join(', ')}` : 'no S-CSCF configured',
    );
    return 'stop';
  }

  /** The Public-Identity of a home-network Request-URI (SIP URI without parameters, tel URI). */
  private homeIdentity(uri: ReturnType<ProxyRequest['request']['requestUri']>): string | undefined {
    if (uri instanceof TelUri) return `tel:${uri.number}`;
    if (!(uri instanceof SipUri) || uri.user === undefined) return undefined;
    if (uri.host.toLowerCase() !== this.deps.domain.toLowerCase()) return undefined;
    const bare = uri.clone();
    bare.params.clear();
    bare.headers.clear();
    return bare.toString();
  }

  private reject(
    pr: ProxyRequest,
    cause: FailureCause,
    status: number,
    detail: string,
    hssDown = false,
  ): void {
    const response = pr.createResponse(status ?? FAILURE_CAUSES[cause].status);
    if (status === 480) response.append('Retry-After', String(this.deps.retryAfter));
    this.deps.explainer.apply(response, cause, { status, detail, reason: hssDown });
    pr.respondWith(response);
  }
}

/** The S-CSCF URI as a loose-routing Route entry (`;lr` added when missing). */
function looseRoute(uri: string): string {
  return /;lr(=|;|$)/i.test(uri) ? uri : `${uri};lr`;
}
