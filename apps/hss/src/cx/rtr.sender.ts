import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { buildRtr, DiameterNode, parseRta } from '@lib/diameter';
import { DeregisterEvent, DeregistrationReasonCode, HssEventsService } from '../events';
import { AttemptRecorder } from './attempt-recorder.service';
import { DIAMETER_SUCCESS } from './cx-outcome';
import { CX_SETTINGS, CxSettings } from './cx-settings';
import { CxStore } from './cx-store';
import { DIAMETER_NODE } from './diameter-node.provider';
import { peerRealm } from './peer-realm';

/** Reason-Code of Deregistration-Reason (TS 29.229 §6.3.17). */
export const REASON_CODE: Record<DeregistrationReasonCode, number> = {
  PERMANENT_TERMINATION: 0,
  NEW_SERVER_ASSIGNED: 1,
  SERVER_CHANGE: 2,
  'REMOVE_S-CSCF': 3,
};

/** The outcome of one RTR, for callers that wait for it (tests, REST). */
export interface RtrOutcome {
  delivered: boolean;
  resultCode?: number;
  experimental?: boolean;
  error?: string;
}

/**
 * Network initiated de-registration by the HSS, TS 29.228 §6.1.3 (Cx-Deregister): on the
 * `deregister` event the HSS sends a Registration-Termination-Request to the S-CSCF that
 * serves the identities, over the connection that S-CSCF opened to us. When the RTA reports
 * success the identities become NOT_REGISTERED and the S-CSCF name is cleared (§6.1.3.1:
 * "the HSS shall ... de-register the Public Identities ... and clear the S-CSCF name").
 */
@Injectable()
export class RtrSender implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CxRtr');
  private readonly listener = (e: DeregisterEvent) => void this.send(e);

  constructor(
    private readonly events: HssEventsService,
    @Inject(DIAMETER_NODE) private readonly node: DiameterNode,
    private readonly store: CxStore,
    private readonly recorder: AttemptRecorder,
    @Inject(CX_SETTINGS) private readonly settings: CxSettings,
  ) {}

  onModuleInit(): void {
    this.events.on('deregister', this.listener);
  }

  onModuleDestroy(): void {
    this.events.off('deregister', this.listener);
  }

  /**
   * Sends the RTR of `e`. With `clearOnSuccess` (the default) a successful RTA leaves the
   * identities NOT_REGISTERED without S-CSCF; the cancellation of an old S-CSCF after a
   * reassignment (TS 29.228 §8.1.1) passes false, since the new assignment must stay.
   */
  async send(e: DeregisterEvent, opts: { clearOnSuccess?: boolean } = {}): Promise<RtrOutcome> {
    const host = e.scscfDiameterHost;
    // User-Name is mandatory in RTR (TS 29.229 §6.1.9); an event without an IMPI (an IMPU
    // deleted on its own) names the IMPI sharing the first IMPU, if it still exists.
    const userName =
      e.impi ?? (e.impus.length ? (await this.store.impisOf(e.impus[0]))[0] : undefined);
    const reason = `${e.reason} (${REASON_CODE[e.reason]})`;
    if (!host || !userName) {
      return this.done(
        e,
        host ?? '',
        { delivered: false, error: !host ? 'no S-CSCF Diameter host' : 'no IMPI' },
        reason,
      );
    }
    try {
      const rtr = buildRtr({
        originHost: this.settings.originHost,
        originRealm: this.settings.originRealm,
        destinationHost: host,
        destinationRealm: peerRealm(this.node, host, this.settings.originRealm),
        userName,
        publicIdentities: e.impus,
        deregistrationReason: { reasonCode: REASON_CODE[e.reason], reasonInfo: `HSS: ${e.reason}` },
      });
      const rta = parseRta(await this.node.sendRequest(rtr, { peerHost: host }));
      const outcome: RtrOutcome = {
        delivered: true,
        resultCode: rta.resultCode,
        experimental: rta.experimental,
      };
      if (
        !rta.experimental &&
        rta.resultCode === DIAMETER_SUCCESS &&
        opts.clearOnSuccess !== false
      ) {
        const impus = (await Promise.all(e.impus.map((i) => this.store.findImpu(i)))).filter(
          (i): i is NonNullable<typeof i> => !!i,
        );
        await this.store.updateImpus(
          impus.map((i) => i.id),
          { registrationState: 'NOT_REGISTERED', scscfName: null, scscfDiameterHost: null },
        );
      }
      return this.done(e, host, outcome, reason, userName);
    } catch (err) {
      return this.done(
        e,
        host,
        { delivered: false, error: (err as Error).message },
        reason,
        userName,
      );
    }
  }

  private done(
    e: DeregisterEvent,
    host: string,
    outcome: RtrOutcome,
    reason: string,
    userName?: string,
  ): RtrOutcome {
    const ok =
      outcome.delivered && !outcome.experimental && outcome.resultCode === DIAMETER_SUCCESS;
    const detail = outcome.delivered
      ? `RTR ${reason} to ${host} for ${e.impus.join(', ')}: RTA ${outcome.experimental ? 'Experimental-Result' : 'Result-Code'} ${outcome.resultCode}${ok ? ', identities NOT_REGISTERED' : ''}`
      : `RTR ${reason} to ${host || '(none)'} failed: ${outcome.error}`;
    if (ok) this.logger.log(detail);
    else this.logger.warn(detail);
    this.recorder.record({
      command: 'RTR',
      impi: userName ?? e.impi ?? null,
      impu: e.impus[0] ?? null,
      resultCode: outcome.resultCode ?? 0,
      experimental: !!outcome.experimental,
      originHost: host,
      detail,
    });
    return outcome;
  }
}
