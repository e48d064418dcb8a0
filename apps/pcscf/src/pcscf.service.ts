import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { FailureExplainer, ImsHosts, installSipTrace } from '@lib/ims';
import { DialogTracker, ProxyCore, SipStack, SipUri, type ProxyRequest } from '@lib/sip';
import type { PcscfConfig } from './config';
import { FlowTable } from './flows';
import type { PcscfRuntime } from './pcscf-runtime';
import { PCSCF_CONFIG, PCSCF_RUNTIME } from './pcscf.tokens';
import {
  DIALOG_OWNERS,
  LocalRequestProcessor,
  OriginatingProcessor,
  RegisterProcessor,
  TerminatingProcessor,
  registerResponseProcessor,
  type PcscfContext,
} from './processors';
import { RegEventSubscriber } from './reg-event';
import { PcscfRegistrationPersistence, RegistrationStore, registrationKey } from './registration';

/**
 * The P-CSCF (TS 24.229 §5.2): the UE's first contact, a stateful SIP proxy (RFC 3261 §16)
 * on UDP and TCP. Processors in order: local requests (its own reg-event NOTIFYs), requests
 * towards UEs (Path flow token / registered Contact), REGISTER (Path, charging, I-CSCF), and
 * other requests from registered UEs (asserted identity, Service-Route).
 */
@Injectable()
export class PcscfService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('P-CSCF');
  readonly proxy: ProxyCore;
  readonly registrations: RegistrationStore;
  /**
   * Confirmed INVITE dialogs this P-CSCF record-routes (created on 2xx, ended by BYE or when
   * the UE's registration ends); `dialogs.count` drains to zero when calls are over.
   */
  readonly dialogs: DialogTracker;
  readonly subscriber: RegEventSubscriber;
  readonly originating: OriginatingProcessor;
  /** RFC 5626 flow tokens and the flow each Contact registered on. */
  readonly flows: FlowTable;
  /** PCSCF_DB_PATH: registrations written behind and restored here (undefined when off). */
  readonly persistence?: PcscfRegistrationPersistence;

  constructor(
    @Inject(PCSCF_CONFIG) readonly config: PcscfConfig,
    @Inject(PCSCF_RUNTIME) runtime: PcscfRuntime,
    readonly stack: SipStack,
    readonly hosts: ImsHosts,
  ) {
    const now = runtime.now ?? Date.now;
    this.registrations = new RegistrationStore(now);
    this.dialogs = new DialogTracker((pr) => {
      const owners = pr.data.get(DIALOG_OWNERS);
      return Array.isArray(owners) ? (owners as string[]) : [];
    }, now);
    this.registrations.onRemoved((reg) => this.dialogs.removeOwner(registrationKey(reg)));
    this.dialogs.onChange((event, d, count) =>
      this.logger.debug(`dialog ${event} Call-ID ${d.callId} (${count} open)`),
    );
    const flows = new FlowTable(
      config.flowGraceMs,
      now,
      (contact) => this.registrations.byContact(contact)?.flow,
    );
    this.flows = flows;
    // A flow or Contact no live registration uses any more is forgotten after a grace time
    // (the dialogs and last NOTIFY still reaching the UE over it), not kept for ever.
    this.registrations.onRemoved((reg) => {
      const left = this.registrations.ofFlow(reg.flow);
      const unused = reg.contacts.filter((c) => this.registrations.byContact(c) === undefined);
      flows.release(reg.flow, unused, left.length === 0);
    });
    // Before the stack serves (onModuleInit): the registrations a previous process stored.
    this.persistence = PcscfRegistrationPersistence.open(
      config.dbPath,
      this.registrations,
      flows,
      this.logger,
      now,
    );
    const ctx: PcscfContext = {
      config,
      stack,
      hosts,
      flows,
      registrations: this.registrations,
      dialogs: this.dialogs,
      explainer: new FailureExplainer(config.name, config.explainFailures),
      logger: this.logger,
    };
    this.subscriber = new RegEventSubscriber(ctx);
    this.originating = new OriginatingProcessor(ctx);
    const isOwnUri = (uri: SipUri) =>
      uri.host.toLowerCase() === config.name.toLowerCase() && (uri.port ?? 5060) === stack.port;
    this.proxy = new ProxyCore(stack, {
      isOwnUri,
      // sec-agree passes §16.3 validation so that the REGISTER processor can answer 420 with
      // a Warning that says why (RFC 3329 §2.3.1).
      supported: ['sec-agree'],
      processors: [
        new LocalRequestProcessor(this.subscriber, (pr: ProxyRequest) => {
          const uri = pr.request.requestUri();
          return uri instanceof SipUri && this.proxy.isOwnUri(uri);
        }),
        new TerminatingProcessor(ctx),
        new RegisterProcessor(ctx),
        this.originating,
      ],
      // RFC 3261 §16.6 step 4: Record-Route (ProxyCore default) keeps the P-CSCF on the path
      // of mid-dialog requests both ways (TS 24.229 §5.2.6.3.3, §5.2.7.3).
      responseProcessors: [
        registerResponseProcessor(ctx, this.subscriber, now),
        this.dialogs.responseProcessor,
      ],
      onError: (err, req) =>
        this.logger.error(`${req?.method ?? 'message'} processing failed: ${err.message}`),
    });
  }

  async onModuleInit(): Promise<void> {
    if (this.config.sipTrace) installSipTrace(this.stack, this.logger);
    this.proxy.attach();
    await this.stack.start();
    // The reg-event dialogs of restored registrations died with the previous process.
    if (this.config.subscribeRegEvent) {
      this.persistence?.resubscribe(
        (reg) => this.subscriber.subscribe(reg),
        (reg) => this.registrations.find(reg.flow, reg.registeredImpu) === reg,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stack.stop();
    this.persistence?.close();
    this.flows.close();
    this.registrations.close();
  }
}
