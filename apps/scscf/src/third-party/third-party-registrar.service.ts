/**
 * Third-party registration (TS 24.229 §5.4.1.7, TS 23.218 §6.3): after a successful
 * registration, re-registration or de-registration the S-CSCF sends a REGISTER of its own to
 * the application server of each initial filter criterion that matches the REGISTER
 * (libs/ims matchIfcs), with the granted expiry (0 on de-registration). When an AS does not
 * answer successfully and its DefaultHandling is SESSION_TERMINATED, the user is
 * de-registered by the network (TS 24.229 §5.4.1.7: "... shall de-register the public user
 * identity ... as described in subclause 5.4.1.5").
 */
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ServerAssignmentType } from '@lib/diameter';
import {
  HssClient,
  IfcRequestView,
  InitialFilterCriteria,
  matchIfcs,
  RegistrationType,
} from '@lib/ims';
import { randomBytes } from 'node:crypto';
import { createRequest, createResponse, SipResponse, SipStack } from '@lib/sip';
import { SCSCF_CONFIG, ScscfConfig } from '../config';
import { HSS_CLIENT } from '../cx/hss-client.provider';
import { RegisterExchange, RegistrationRecord } from '../registration/binding';
import { RegistrationChange, RegistrationStore } from '../registration/registration-store';
import { escapeXml } from '../reg-event/reginfo-xml';
import { SIP_STACK } from '../sip/sip-stack.provider';

/** One third-party REGISTER sent, as reported to listeners (logs, tests). */
export interface ThirdPartyOutcome {
  applicationServer: string;
  impu: string;
  expires: number;
  status: number;
}

@Injectable()
export class ThirdPartyRegistrar implements OnModuleInit {
  private readonly logger = new Logger('ThirdPartyRegister');
  /** RFC 3261 §10.2: one Call-ID per (AS, IMPU), CSeq incremented on each REGISTER. */
  private readonly dialogs = new Map<string, { callId: string; cseq: number }>();

  constructor(
    @Inject(SCSCF_CONFIG) private readonly config: ScscfConfig,
    @Inject(SIP_STACK) private readonly stack: SipStack,
    @Inject(HSS_CLIENT) private readonly hss: HssClient,
    private readonly store: RegistrationStore,
  ) {}

  onModuleInit(): void {
    this.store.on('changed', (change) => void this.onChange(change));
  }

  private async onChange(change: RegistrationChange): Promise<void> {
    // A refresh by expiry of one of several contacts is not a registration event for the AS.
    if (!change.terminated && change.origin !== 'register') return;
    const type: RegistrationType = change.terminated
      ? 'de-registration'
      : change.initial
        ? 'initial'
        : 're-registration';
    const { record } = change;
    const expires = change.terminated
      ? 0
      : Math.max(0, ...record.bindings.map((b) => this.store.remaining(b)));
    let ifcs: InitialFilterCriteria[];
    try {
      ifcs = matchIfcs(record.serviceProfile, this.view(record, type));
    } catch (err) {
      this.logger.warn(`iFC evaluation for ${record.registeredImpu}: ${(err as Error).message}`);
      return;
    }
    for (const ifc of ifcs) {
      const outcome = await this.send(ifc, record, expires, change.exchange);
      const ok = outcome.status >= 200 && outcome.status < 300;
      this.logger.log(
        `third-party REGISTER ${record.registeredImpu} -> ${outcome.applicationServer} expires=${expires}: ${outcome.status}`,
      );
      if (!ok && expires > 0 && ifc.applicationServer.defaultHandling === 'session-terminated') {
        await this.networkDeregister(record, outcome);
        return;
      }
    }
  }

  /** What iFC evaluation sees of the REGISTER (TS 29.228 Annex B.2.2 SPTs). */
  private view(record: RegistrationRecord, type: RegistrationType): IfcRequestView {
    const impu = record.registeredImpu;
    return {
      method: 'REGISTER',
      requestUri: `sip:${this.config.domain}`,
      headers: (name) => (['to', 'from'].includes(name.toLowerCase()) ? [`<${impu}>`] : []),
      headerNames: () => ['To', 'From'],
      sessionCase: 'originating',
      registrationType: type,
    };
  }

  /** TS 24.229 §5.4.1.7 REGISTER: To = the IMPU, From/Contact = the S-CSCF, Expires granted. */
  private async send(
    ifc: InitialFilterCriteria,
    record: RegistrationRecord,
    expires: number,
    exchange?: RegisterExchange,
  ): Promise<ThirdPartyOutcome> {
    const as = ifc.applicationServer.serverName;
    const impu = record.registeredImpu;
    const key = `${as}\n${impu}`;
    const dialog = this.dialogs.get(key) ?? {
      callId: `${randomBytes(8).toString('hex')}@${this.stack.host}`,
      cseq: 0,
    };
    this.dialogs.set(key, dialog);
    if (expires === 0) this.dialogs.delete(key);
    const headers: [string, string][] = [
      ['Max-Forwards', '70'],
      ['From', `<${this.config.name}>;tag=${randomBytes(4).toString('hex')}`],
      ['To', `<${impu}>`],
      ['Call-ID', dialog.callId],
      ['CSeq', `${++dialog.cseq} REGISTER`],
      ['Contact', `<${this.config.name}>`],
      ['Expires', String(expires)],
      ['P-Charging-Vector', `icid-value=${randomBytes(8).toString('hex')}`],
    ];
    const body = thirdPartyBody(ifc, exchange);
    if (body) headers.push(['Content-Type', body.contentType]);
    const request = createRequest({ method: 'REGISTER', uri: as, headers, body: body?.content });
    let response: SipResponse;
    try {
      response = await this.withTimeout(this.stack.request(request), request);
    } catch (err) {
      this.logger.warn(`third-party REGISTER to ${as}: ${(err as Error).message}`);
      response = createResponse(request, 503);
    }
    return { applicationServer: as, impu, expires, status: response.status };
  }

  private withTimeout(
    p: Promise<SipResponse>,
    request: ReturnType<typeof createRequest>,
  ): Promise<SipResponse> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => resolve(createResponse(request, 408)),
        this.config.thirdPartyTimeoutMs,
      );
      t.unref?.();
      p.then(
        (r) => (clearTimeout(t), resolve(r)),
        (e: unknown) => (clearTimeout(t), reject(e as Error)),
      );
    });
  }

  /** TS 24.229 §5.4.1.5 network-initiated de-registration after an AS failure. */
  private async networkDeregister(
    record: RegistrationRecord,
    outcome: ThirdPartyOutcome,
  ): Promise<void> {
    this.logger.warn(
      `${outcome.applicationServer} failed (${outcome.status}) with SESSION_TERMINATED: de-registering ${record.registeredImpu}`,
    );
    try {
      await this.hss.sar({
        userName: record.impi,
        publicIdentities: [record.registeredImpu],
        serverName: this.config.name,
        serverAssignmentType: ServerAssignmentType.ADMINISTRATIVE_DEREGISTRATION,
        userDataAlreadyAvailable: 0,
      });
    } catch (err) {
      this.logger.warn(`SAR ADMINISTRATIVE_DEREGISTRATION: ${(err as Error).message}`);
    }
    if (record.bindings.length > 0) this.store.terminate(record, 'rejected', 'network');
  }
}

/**
 * The body of a third-party REGISTER (TS 24.229 §5.4.1.7): the AS's ServiceInfo in an
 * application/3gpp-ims+xml part (TS 24.229 §7.6), the incoming REGISTER and/or its 200 OK as
 * message/sip parts when the iFC asks for them (IncludeRegisterRequest/Response);
 * multipart/mixed (RFC 2046 §5.1.3) when there is more than one part.
 */
export function thirdPartyBody(
  ifc: InitialFilterCriteria,
  exchange: RegisterExchange | undefined,
): { contentType: string; content: string } | undefined {
  const as = ifc.applicationServer;
  const parts: { contentType: string; content: string }[] = [];
  if (as.serviceInfo) {
    parts.push({
      contentType: 'application/3gpp-ims+xml',
      content: `<?xml version="1.0" encoding="UTF-8"?>\n<ims-3gpp version="1"><service-info>${escapeXml(as.serviceInfo)}</service-info></ims-3gpp>\n`,
    });
  }
  if (as.includeRegisterRequest && exchange) {
    parts.push({ contentType: 'message/sip', content: exchange.request.toString() });
  }
  if (as.includeRegisterResponse && exchange) {
    parts.push({ contentType: 'message/sip', content: exchange.response.toString() });
  }
  if (parts.length <= 1) return parts[0];
  const boundary = `boundary-${randomBytes(8).toString('hex')}`;
  const content =
    parts
      .map((p) => `--${boundary}\r\nContent-Type: ${p.contentType}\r\n\r\n${p.content}\r\n`)
      .join('') + `--${boundary}--\r\n`;
  return { contentType: `multipart/mixed;boundary=${boundary}`, content };
}
