/**
 * The Cx requests the HSS sends to the S-CSCF: Registration-Termination-Request (TS 29.228
 * §6.1.3, network-initiated de-registration: remove the bindings, answer RTA 2001, the reg
 * event reports `deactivated` / `rejected`) and Push-Profile-Request (§6.1.4: store the new
 * user profile). Also owns the lifecycle of the Cx client.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  CxExperimentalResult,
  DeregistrationReasonCode,
  PushProfileRequest,
  RegistrationTerminationRequest,
  ResultCode,
} from '@lib/diameter';
import { HssClient, parseImsSubscription, PpaResult, RtaResult } from '@lib/ims';
import { RegistrationRecord } from '../registration/binding';
import { RegistrationStore } from '../registration/registration-store';
import { implicitSetOf } from '../registration/user-profile';
import { HSS_CLIENT } from './hss-client.provider';

@Injectable()
export class CxHandlers implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Cx');

  constructor(
    @Inject(HSS_CLIENT) private readonly hss: HssClient,
    private readonly store: RegistrationStore,
  ) {}

  onModuleInit(): void {
    this.hss.on('up', (host) => this.logger.log(`Cx connection to ${host ?? 'the HSS'} open`));
    this.hss.on('down', (reason) => this.logger.warn(`Cx connection down: ${reason}`));
    this.hss.on('warning', (m) => this.logger.warn(m));
    this.hss.onRtr((rtr) => this.rtr(rtr));
    this.hss.onPpr((ppr) => this.ppr(ppr));
    this.hss.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.store.close();
    await this.hss.close();
  }

  /**
   * TS 29.228 §6.1.3: de-register the listed public identities (all those of the IMPI when
   * none is listed). Reason-Code PERMANENT_TERMINATION means the user must not re-register
   * (reg event `rejected`); the others ask for a new registration (`deactivated`).
   */
  rtr(rtr: RegistrationTerminationRequest): RtaResult {
    const records = new Set<RegistrationRecord>();
    for (const impu of rtr.publicIdentities ?? []) {
      const r = this.store.find(impu);
      if (r) records.add(r);
    }
    if (!rtr.publicIdentities?.length)
      for (const r of this.store.findByImpi(rtr.userName)) records.add(r);
    const event =
      rtr.deregistrationReason.reasonCode === DeregistrationReasonCode.PERMANENT_TERMINATION
        ? 'rejected'
        : 'deactivated';
    for (const r of records) {
      this.logger.log(
        `RTR for ${r.registeredImpu} (reason ${rtr.deregistrationReason.reasonCode} ${rtr.deregistrationReason.reasonInfo ?? ''}): de-registered`,
      );
      this.store.terminate(r, event, 'network');
    }
    return { resultCode: ResultCode.SUCCESS };
  }

  /** TS 29.228 §6.1.4: replace the user profile of the IMPI's registrations. */
  ppr(ppr: PushProfileRequest): PpaResult {
    const records = this.store.findByImpi(ppr.userName);
    if (records.length === 0) {
      return { resultCode: CxExperimentalResult.ERROR_USER_UNKNOWN, experimental: true };
    }
    if (!ppr.userData) return { resultCode: ResultCode.SUCCESS };
    try {
      const subscription = parseImsSubscription(ppr.userData);
      for (const r of records) {
        const set = implicitSetOf(subscription, r.registeredImpu);
        this.store.setProfile(r, subscription, set);
        this.store.commit(r, [], 'network');
      }
    } catch (err) {
      this.logger.warn(`PPR for ${ppr.userName}: ${(err as Error).message}`);
      return { resultCode: CxExperimentalResult.ERROR_NOT_SUPPORTED_USER_DATA, experimental: true };
    }
    this.logger.log(`PPR: new user profile for ${ppr.userName}`);
    return { resultCode: ResultCode.SUCCESS };
  }
}
