import {
  SipUri,
  formatAuthCredentials,
  type ProcessorResult,
  type ProxyProcessor,
  type ProxyRequest,
} from '@lib/sip';
import { coreTransportParam, FailureCause } from '@lib/ims';
import { flowOf } from '../flows';
import { newChargingVector } from './charging-vector';
import { DIRECTION, rejectWith, type PcscfContext } from './pcscf-context';

/** ProxyRequest.data key: the flow and Path token of a REGISTER in progress. */
export const REGISTER_FLOW = 'pcscf/register-flow';

/** Headers a UE must not set: the P-CSCF asserts them (RFC 3325 §5, RFC 3455, TS 24.229 §5.2.2.1). */
export const UE_FORBIDDEN_HEADERS = [
  'P-Asserted-Identity',
  'P-Charging-Vector',
  'P-Charging-Function-Addresses',
  'P-Visited-Network-ID',
];

/**
 * REGISTER from a UE, TS 24.229 §5.2.2.1. The P-CSCF:
 * - refuses `Require: sec-agree` with 420 + `Unsupported: sec-agree` (RFC 3329 §2.3.1; this
 *   core sets up no IPsec or TLS security association; a plain Security-Client is ignored);
 * - removes P-Asserted-Identity / P-Charging-* the UE put in;
 * - "insert[s] a Path header field in the request including an entry containing the SIP URI
 *   identifying the P-CSCF" with a flow token (RFC 5626 §5.2), plus `Require: path` and
 *   `Supported: path` (RFC 3327 §5.1: the registrar must support Path);
 * - "insert[s] a P-Charging-Vector header field containing the icid-value", and the
 *   P-Visited-Network-ID (RFC 3455 §4.3);
 * - marks the Authorization `integrity-protected="no"` (TS 24.229 §5.2.2.1, no IPsec);
 * - forwards it to the I-CSCF of the home network named in the Request-URI.
 */
export class RegisterProcessor implements ProxyProcessor {
  readonly name = 'pcscf-register';

  constructor(private readonly ctx: PcscfContext) {}

  process(pr: ProxyRequest): ProcessorResult {
    if (pr.method !== 'REGISTER' || pr.data.get(DIRECTION) === 'terminating') return 'continue';
    pr.data.set(DIRECTION, 'originating');
    const req = pr.request;

    if (req.require().some((t) => t.toLowerCase() === 'sec-agree')) {
      rejectWith(this.ctx, pr, FailureCause.SecAgreeNotSupported, {
        status: 420,
        headers: [['Unsupported', 'sec-agree']],
      });
      return 'stop';
    }
    const ruri = req.requestUri();
    if (!(ruri instanceof SipUri)) {
      rejectWith(this.ctx, pr, FailureCause.BadRequest, {
        status: 416,
        detail: 'the Request-URI of REGISTER must be the sip: URI of the home domain',
      });
      return 'stop';
    }
    const icscf = this.ctx.config.icscfs.get(ruri.host.toLowerCase());
    if (!icscf) {
      rejectWith(this.ctx, pr, FailureCause.UnknownDomain, {
        detail: `no I-CSCF configured for ${ruri.host} (PCSCF_ICSCF)`,
      });
      return 'stop';
    }
    let address: string;
    try {
      address = this.ctx.hosts.resolve(icscf.host);
    } catch (err) {
      rejectWith(this.ctx, pr, FailureCause.NoRoute, { detail: (err as Error).message });
      return 'stop';
    }

    for (const name of UE_FORBIDDEN_HEADERS) req.remove(name);
    // Proxy-Require / Require: sec-agree without IPsec; Security-Client is ignored.
    req.remove('Security-Client');
    req.remove('Security-Verify');

    const flow = flowOf(pr.context);
    const token = this.ctx.flows.tokenFor(flow);
    const outbound = req.contacts().some((c) => c.params.has('reg-id'));
    const path = `<sip:${token}@${this.ctx.config.name}:${this.ctx.stack.port}${coreTransportParam(this.ctx.config)};lr${outbound ? ';ob' : ''}>`;
    req.prepend('Path', path);
    addOptionTag(req, 'Require', 'path');
    addOptionTag(req, 'Supported', 'path');
    req.set('P-Visited-Network-ID', this.ctx.config.visitedNetworkId);
    req.set('P-Charging-Vector', newChargingVector(this.ctx.stack.host));
    markIntegrityProtection(req);

    pr.data.set(REGISTER_FLOW, { flow, token });
    pr.addTarget(undefined, {
      host: address,
      port: icscf.port,
      transport: this.ctx.config.coreTransport,
    });
    return 'continue';
  }
}

function addOptionTag(req: ProxyRequest['request'], header: string, tag: string): void {
  const tags = header === 'Require' ? req.require() : req.supported();
  if (!tags.some((t) => t.toLowerCase() === tag)) req.append(header, tag);
}

/** Credentials of the Digest scheme (RFC 3261 §22.4, scheme names are case-insensitive). */
const DIGEST_SCHEME = /^\s*digest\s/i;
const INTEGRITY_PARAM = /integrity-protected/i;

/**
 * TS 24.229 §5.2.2.1: the P-CSCF "shall ... insert the "integrity-protected" parameter ...
 * with a value "no"" into the Authorization header when no security association protects
 * the REGISTER.
 */
function markIntegrityProtection(req: ProxyRequest['request']): void {
  const lines = req.headers.fieldsOf('Authorization');
  if (lines.length === 0) return;
  // The usual case, no integrity-protected parameter yet: appended to the header text as
  // received (RFC 7235 §2.1 auth-params are comma-separated), without parsing and
  // re-formatting the credentials.
  if (!lines.some((f) => INTEGRITY_PARAM.test(f.value))) {
    req.set(
      'Authorization',
      lines.map((f) =>
        DIGEST_SCHEME.test(f.value) ? `${f.value.trimEnd()}, integrity-protected="no"` : f.value,
      ),
    );
    return;
  }
  const auths = req.authorizations();
  req.set(
    'Authorization',
    auths.map((a) => {
      if (a.scheme.toLowerCase() === 'digest') a.params.set('integrity-protected', 'no');
      return formatAuthCredentials(a);
    }),
  );
}
