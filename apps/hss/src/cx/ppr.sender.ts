import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { buildPpr, DiameterNode, parsePpa } from '@lib/diameter';
import { HssEventsService, ProfileChangedEvent } from '../events';
import { AttemptRecorder } from './attempt-recorder.service';
import { DIAMETER_SUCCESS } from './cx-outcome';
import { CX_SETTINGS, CxSettings } from './cx-settings';
import { DIAMETER_NODE } from './diameter-node.provider';
import { peerRealm } from './peer-realm';
import { UserDataService } from './user-data.service';

/** The outcome of one PPR. */
export interface PprOutcome {
  delivered: boolean;
  resultCode?: number;
  experimental?: boolean;
  error?: string;
}

/**
 * HSS initiated update of User Information, TS 29.228 §6.2.2 (Cx-Update_Subscr_Data): on the
 * `profile-changed` event the HSS pushes the complete new User-Data (IMSSubscription XML)
 * to the S-CSCF serving the user in a Push-Profile-Request (TS 29.229 §6.1.11).
 */
@Injectable()
export class PprSender implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CxPpr');
  private readonly listener = (e: ProfileChangedEvent) => void this.send(e);

  constructor(
    private readonly events: HssEventsService,
    @Inject(DIAMETER_NODE) private readonly node: DiameterNode,
    private readonly userData: UserDataService,
    private readonly recorder: AttemptRecorder,
    @Inject(CX_SETTINGS) private readonly settings: CxSettings,
  ) {}

  onModuleInit(): void {
    this.events.on('profile-changed', this.listener);
  }

  onModuleDestroy(): void {
    this.events.off('profile-changed', this.listener);
  }

  async send(e: ProfileChangedEvent): Promise<PprOutcome> {
    const host = e.scscfDiameterHost;
    let outcome: PprOutcome;
    try {
      const userData = await this.userData.forImpi(e.impi);
      if (!userData) throw new Error(`IMPI ${e.impi} no longer exists`);
      const ppr = buildPpr({
        originHost: this.settings.originHost,
        originRealm: this.settings.originRealm,
        destinationHost: host,
        destinationRealm: peerRealm(this.node, host, this.settings.originRealm),
        userName: e.impi,
        userData,
      });
      const ppa = parsePpa(await this.node.sendRequest(ppr, { peerHost: host }));
      outcome = { delivered: true, resultCode: ppa.resultCode, experimental: ppa.experimental };
    } catch (err) {
      outcome = { delivered: false, error: (err as Error).message };
    }
    const ok =
      outcome.delivered && !outcome.experimental && outcome.resultCode === DIAMETER_SUCCESS;
    const detail = outcome.delivered
      ? `PPR User-Data to ${host}: PPA ${outcome.experimental ? 'Experimental-Result' : 'Result-Code'} ${outcome.resultCode}`
      : `PPR to ${host} failed: ${outcome.error}`;
    if (ok) this.logger.log(detail);
    else this.logger.warn(detail);
    this.recorder.record({
      command: 'PPR',
      impi: e.impi,
      impu: e.impus[0] ?? null,
      resultCode: outcome.resultCode ?? 0,
      experimental: !!outcome.experimental,
      originHost: host,
      detail,
    });
    return outcome;
  }
}
