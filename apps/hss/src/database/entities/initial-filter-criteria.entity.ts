import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ApplicationServer } from './application-server.entity';
import type { ServiceProfile } from './service-profile.entity';

/** SessionCase of TS 29.228 Annex B.2.2 (0 ORIGINATING_SESSION ... 4 ORIGINATING_UNREGISTERED). */
export type SessionCase = 0 | 1 | 2 | 3 | 4;

/**
 * One Service Point Trigger (TS 29.228 Annex B.2.2 SPT): exactly one of method, requestUri,
 * sipHeader, sessionCase, sessionDescription; `group` numbers the SPT's groups.
 */
export interface ServicePointTrigger {
  conditionNegated: boolean;
  group: number[];
  method?: string;
  requestUri?: string;
  sipHeader?: { header: string; content?: string };
  sessionCase?: SessionCase;
  sessionDescription?: { line: string; content?: string };
  /** RegistrationType (0 INITIAL, 1 RE-REGISTRATION, 2 DE-REGISTRATION), with method REGISTER. */
  registrationType?: number[];
}

/** TriggerPoint (TS 29.228 Annex B.2.2): CNF when conditionTypeCnf, else DNF over the groups. */
export interface TriggerPoint {
  conditionTypeCnf: boolean;
  spts: ServicePointTrigger[];
}

/** An initial filter criterion (TS 29.228 Annex B.2.2 InitialFilterCriteria). */
@Entity({ name: 'initial_filter_criteria' })
@Index('uq_ifc_profile_priority', ['serviceProfileId', 'priority'], { unique: true })
export class InitialFilterCriteria {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Priority: lower values are evaluated first; unique within a service profile. */
  @Column({ type: 'integer' })
  priority: number;

  @Column({ name: 'trigger_point', type: 'simple-json', nullable: true })
  triggerPoint: TriggerPoint | null;

  @ManyToOne('ApplicationServer', { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'application_server_id' })
  applicationServer: ApplicationServer;

  @Column({ name: 'application_server_id', type: 'integer' })
  applicationServerId: number;

  @ManyToOne('ServiceProfile', (p: ServiceProfile) => p.ifcs, {
    nullable: false,
    onDelete: 'CASCADE',
  })
  @JoinColumn({ name: 'service_profile_id' })
  serviceProfile: ServiceProfile;

  @Column({ name: 'service_profile_id', type: 'integer' })
  serviceProfileId: number;

  /** ProfilePartIndicator: 0 REGISTERED, 1 UNREGISTERED; absent = both. */
  @Column({ name: 'profile_part_indicator', type: 'integer', nullable: true })
  profilePartIndicator: number | null;
}
