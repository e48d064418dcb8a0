import { coreTransportParam } from '@lib/ims';
import { createRequest, ownString, randomHex, type ProxyRequest } from '@lib/sip';
import type { PcscfContext } from '../processors/pcscf-context';
import { defaultImpu, type PcscfRegistration } from '../registration';
import { parseReginfo } from './reginfo';

/** The user part of the Contact the P-CSCF subscribes with; NOTIFYs come back to it. */
export const REG_EVENT_USER = 'reg-event';

/**
 * The P-CSCF's subscription to the reg event package (TS 24.229 §5.2.3, RFC 3680): after a
 * successful initial registration, "the P-CSCF shall generate a SUBSCRIBE request" with the
 * Request-URI and To set to the default public user identity, `Event: reg`, `Expires:
 * 600000`, its own SIP URI in From, Contact and P-Asserted-Identity, routed over the
 * Service-Route. Each NOTIFY (TS 24.229 §5.2.3: "when ... a <registration> element ... with
 * the state attribute set to "terminated"") removes the registrations of that aor.
 */
export class RegEventSubscriber {
  /** Call-ID -> the registration it watches. */
  private readonly dialogs = new Map<string, PcscfRegistration>();

  constructor(private readonly ctx: PcscfContext) {}

  /** Number of accepted subscriptions (diagnostics, tests). */
  get size(): number {
    return this.dialogs.size;
  }

  /** Sends the SUBSCRIBE; never throws (failures are logged: the registration stands). */
  subscribe(reg: PcscfRegistration): void {
    const { config, stack } = this.ctx;
    const self = `sip:${config.name}:${stack.port}`;
    const impu = defaultImpu(reg);
    // RFC 3261 §8.1.1.4 / §20.8: a cryptographically random word, no "@host" (optional): the
    // Call-ID is kept per registered user here and in the S-CSCF, 24 characters instead of 57.
    // 96 bits from the CSPRNG pool (randomHex), not one OpenSSL call per SUBSCRIBE.
    const callId = randomHex(12);
    // RFC 3261 §19.3: a tag is random with at least 32 bits; the Call-ID's 96 random bits
    // serve (one string per subscription instead of two).
    const fromTag = callId;
    const request = createRequest({
      method: 'SUBSCRIBE',
      uri: impu,
      headers: [
        ...reg.serviceRoutes.map((r): [string, string] => ['Route', r]),
        ['Max-Forwards', '70'],
        ['From', `<${self}>;tag=${fromTag}`],
        ['To', `<${impu}>`],
        ['Call-ID', callId],
        ['CSeq', '1 SUBSCRIBE'],
        ['Event', 'reg'],
        ['Accept', 'application/reginfo+xml'],
        ['Expires', String(config.regEventExpires)],
        [
          'Contact',
          `<sip:${REG_EVENT_USER}@${config.name}:${stack.port}${coreTransportParam(config)}>`,
        ],
        ['P-Asserted-Identity', `<${self}>`],
      ],
    });
    reg.subscription = { callId, fromTag };
    this.dialogs.set(callId, reg);
    stack
      .request(request)
      .then((response) => {
        if (response.status >= 200 && response.status < 300) {
          reg.subscription = { callId, fromTag, toTag: ownString(response.to().tag) };
          return;
        }
        this.dialogs.delete(callId);
        this.ctx.logger.warn(
          `reg-event SUBSCRIBE for ${impu} answered ${response.status} ${response.reason}`,
        );
      })
      .catch((err: Error) => {
        this.dialogs.delete(callId);
        this.ctx.logger.warn(`reg-event SUBSCRIBE for ${impu} failed: ${err.message}`);
      });
  }

  /** True when a request is a NOTIFY for one of our subscriptions. */
  owns(pr: ProxyRequest): boolean {
    return pr.method === 'NOTIFY' && this.dialogs.has(pr.request.callId());
  }

  /** RFC 6665 §4.1.3: answers the NOTIFY (200, or 481 for an unknown subscription). */
  onNotify(pr: ProxyRequest): void {
    const callId = pr.request.callId();
    const watched = this.dialogs.get(callId);
    if (!watched) {
      pr.respond(481, 'Subscription Does Not Exist');
      return;
    }
    const body = pr.request.body.toString('utf8');
    if (body.trim().length > 0) {
      try {
        for (const r of parseReginfo(body).registrations) {
          if (r.state !== 'terminated') continue;
          for (const gone of this.ctx.registrations.removeAor(r.aor)) {
            this.ctx.logger.log(`reg event: ${r.aor} terminated, ${gone.registeredImpu} removed`);
          }
        }
      } catch (err) {
        pr.respond(400, 'Bad Request', [
          [
            'Warning',
            `399 ${this.ctx.config.name} "reginfo: ${(err as Error).message.replace(/"/g, "'")}"`,
          ],
        ]);
        return;
      }
    }
    if (/^\s*terminated/i.test(pr.request.get('Subscription-State') ?? '')) {
      this.dialogs.delete(callId);
    }
    pr.respond(200);
  }
}
