import { FailureCause } from '@lib/ims';
import { uriEquals, type ProcessorResult, type ProxyProcessor, type ProxyRequest } from '@lib/sip';
import { flowOf } from '../flows';
import { defaultImpu, registrationKey, type PcscfRegistration } from '../registration';
import { newChargingVector } from './charging-vector';
import { DIALOG_OWNERS, DIRECTION, rejectWith, type PcscfContext } from './pcscf-context';

/**
 * Requests other than REGISTER from a UE, TS 24.229 §5.2.6 (§5.2.6.3 for a registered UE):
 * - from a UE that is not registered (no live registration on its flow or Contact): 403
 *   with a Warning (TS 24.229 §5.2.6.3.1, no security association / registration);
 * - P-Asserted-Identity: the P-Preferred-Identity when it is one of the user's
 *   P-Associated-URIs, else the default public user identity (RFC 3325 §6, TS 24.229
 *   §5.2.6.3.3 step 2); the UE's own P-Asserted-Identity and P-Preferred-Identity are removed;
 * - a new P-Charging-Vector (initial requests and standalone transactions);
 * - initial requests (no To tag) are routed via the stored Service-Route (§5.2.6.3.3 step 3,
 *   §5.2.6.3.7): `routeInitialRequest`, the hook call routing extends.
 */
export class OriginatingProcessor implements ProxyProcessor {
  readonly name = 'pcscf-originating';

  constructor(private readonly ctx: PcscfContext) {}

  process(pr: ProxyRequest): ProcessorResult {
    if (pr.method === 'REGISTER' || pr.data.has(DIRECTION)) return 'continue';
    if (pr.method === 'ACK' || pr.method === 'CANCEL') return 'continue';
    pr.data.set(DIRECTION, 'originating');
    const req = pr.request;
    const reg = this.registrationOf(pr);
    if (!reg) {
      rejectWith(this.ctx, pr, FailureCause.NotRegistered, {
        detail: `${pr.method} from ${pr.context.source.host}:${pr.context.source.port}/${pr.context.source.transport} needs a registration first`,
      });
      return 'stop';
    }
    pr.data.set(DIALOG_OWNERS, [registrationKey(reg)]);

    const preferred = safe(() => req.pPreferredIdentities()) ?? [];
    const asserted =
      preferred.find((p) => reg.associatedUris.some((u) => sameUri(u, p.uri)))?.uri ??
      defaultImpu(reg);
    req.remove('P-Preferred-Identity');
    req.set('P-Asserted-Identity', `<${asserted}>`);
    req.remove('P-Charging-Function-Addresses');
    req.set('P-Charging-Vector', newChargingVector(this.ctx.stack.host));

    if (req.to().tag === undefined) this.routeInitialRequest(pr, reg);
    return 'continue';
  }

  /**
   * TS 24.229 §5.2.6.3.3/§5.2.6.3.7: "insert the stored Service-Route values as Route
   * header field values" in front of the request's remaining route set (its own P-CSCF
   * entry was removed by route preprocessing), so the request reaches the S-CSCF that
   * serves the user. Calls (INVITE) will extend this hook.
   */
  routeInitialRequest(pr: ProxyRequest, reg: PcscfRegistration): void {
    const req = pr.request;
    const remaining = req.getAll('Route');
    const rest = remaining.filter(
      (r) => !reg.serviceRoutes.some((s) => sameUri(nameAddrUri(s), nameAddrUri(r))),
    );
    req.set('Route', [...reg.serviceRoutes, ...rest]);
    if (reg.serviceRoutes.length + rest.length === 0) req.remove('Route');
  }

  /** The UE's registration: by its flow, else by the Contact / Via it sends from. */
  private registrationOf(pr: ProxyRequest): PcscfRegistration | undefined {
    const flow = flowOf(pr.context);
    const from = safe(() => pr.request.from().uri);
    const mine = from ? this.ctx.registrations.findAssociated(flow, from) : undefined;
    if (mine) return mine;
    const onFlow = this.ctx.registrations.ofFlow(flow);
    if (onFlow.length > 0) return onFlow[0];
    for (const c of safe(() => pr.request.contacts()) ?? []) {
      const reg = this.ctx.registrations.byContact(c.uri);
      if (reg && reg.flow.host === flow.host) return reg;
    }
    return undefined;
  }
}

function nameAddrUri(value: string): string {
  const m = /<([^>]*)>/.exec(value);
  return m ? m[1] : value.split(';')[0].trim();
}

function sameUri(a: string, b: string): boolean {
  try {
    return uriEquals(a, b);
  } catch {
    return a === b;
  }
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
