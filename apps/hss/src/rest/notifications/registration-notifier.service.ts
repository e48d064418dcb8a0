import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { PublicIdentity } from '../../database/entities';
import { DeregistrationReasonCode, HssEventsService } from '../../events';

/** An IMPU as it stands before a change, enough to tell its S-CSCF. */
export interface AssignedImpu {
  impu: string;
  impis: string[];
  scscfName: string;
  scscfDiameterHost: string;
}

/**
 * Turns provisioning changes into the events the Cx module acts on: `deregister` (RTR,
 * TS 29.228 §6.1.3) and `profile-changed` (PPR, TS 29.228 §6.1.6). Only IMPUs with an S-CSCF
 * assigned (REGISTERED, or UNREGISTERED with a server name kept) concern an S-CSCF.
 */
@Injectable()
export class RegistrationNotifier {
  private readonly logger = new Logger('RegistrationNotifier');

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: HssEventsService,
  ) {}

  /** The IMPUs among `publicIdentityIds` that have an S-CSCF assigned, with their IMPIs. */
  async assigned(publicIdentityIds: number[]): Promise<AssignedImpu[]> {
    if (publicIdentityIds.length === 0) return [];
    const rows = await this.dataSource.getRepository(PublicIdentity).find({
      where: { id: In(publicIdentityIds), registrationState: In(['REGISTERED', 'UNREGISTERED']) },
      relations: { privateIdentities: true },
      order: { id: 'ASC' },
    });
    return rows
      .filter((r) => r.scscfName)
      .map((r) => ({
        impu: r.impu,
        impis: r.privateIdentities.map((p) => p.impi).sort(),
        scscfName: r.scscfName!,
        scscfDiameterHost: r.scscfDiameterHost ?? '',
      }));
  }

  /**
   * Emits one `deregister` per (IMPI, S-CSCF) for the given assigned IMPUs; returns what
   * was emitted.
   */
  deregister(
    impus: AssignedImpu[],
    reason: DeregistrationReasonCode,
    onlyImpi?: string,
  ): { impi?: string; impus: string[]; scscfName: string; scscfDiameterHost: string }[] {
    const groups = new Map<
      string,
      { impi?: string; impus: string[]; scscfName: string; scscfDiameterHost: string }
    >();
    for (const a of impus) {
      const impis = onlyImpi ? [onlyImpi] : a.impis.length ? a.impis : [undefined];
      for (const impi of impis) {
        const key = `${impi ?? ''}\n${a.scscfName}\n${a.scscfDiameterHost}`;
        const g = groups.get(key) ?? {
          impi,
          impus: [],
          scscfName: a.scscfName,
          scscfDiameterHost: a.scscfDiameterHost,
        };
        if (!g.impus.includes(a.impu)) g.impus.push(a.impu);
        groups.set(key, g);
      }
    }
    for (const g of groups.values()) {
      this.logger.log(
        `deregister ${g.impi ?? '-'} [${g.impus.join(', ')}] at ${g.scscfName}: ${reason}`,
      );
      this.events.emit('deregister', { ...g, reason });
    }
    return [...groups.values()];
  }

  /** Emits `profile-changed` for the assigned IMPUs among `publicIdentityIds`. */
  async profileChanged(publicIdentityIds: number[]): Promise<void> {
    const assigned = await this.assigned(publicIdentityIds);
    const groups = new Map<string, { impi: string; impus: string[]; scscfDiameterHost: string }>();
    for (const a of assigned) {
      for (const impi of a.impis) {
        const key = `${impi}\n${a.scscfDiameterHost}`;
        const g = groups.get(key) ?? { impi, impus: [], scscfDiameterHost: a.scscfDiameterHost };
        g.impus.push(a.impu);
        groups.set(key, g);
      }
    }
    for (const g of groups.values()) {
      this.logger.log(
        `profile-changed ${g.impi} [${g.impus.join(', ')}] at ${g.scscfDiameterHost}`,
      );
      this.events.emit('profile-changed', g);
    }
  }

  /** profile-changed for every assigned IMPU pointing at one of these service profiles. */
  async serviceProfilesChanged(serviceProfileIds: number[]): Promise<void> {
    if (serviceProfileIds.length === 0) return;
    const rows = await this.dataSource.getRepository(PublicIdentity).find({
      select: { id: true },
      where: {
        serviceProfileId: In(serviceProfileIds),
        registrationState: In(['REGISTERED', 'UNREGISTERED']),
      },
    });
    await this.profileChanged(rows.map((r) => r.id));
  }
}
