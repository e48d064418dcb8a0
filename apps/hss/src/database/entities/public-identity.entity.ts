import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToMany,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { PrivateIdentity } from './private-identity.entity';
import type { ServiceProfile } from './service-profile.entity';
import type { Subscription } from './subscription.entity';

/** TS 29.228 §6.3.x Identity-Type / the IMSSubscription `IdentityType` (Annex B). */
export const IDENTITY_TYPES = [
  'public-user-identity',
  'distinct-psi',
  'wildcarded-psi',
  'wildcarded-impu',
] as const;
export type IdentityType = (typeof IDENTITY_TYPES)[number];

/** Registration state of an IMPU in the HSS (TS 29.228 §6.1.2, Annex B / TS 23.228 §5.3). */
export const REGISTRATION_STATES = ['NOT_REGISTERED', 'REGISTERED', 'UNREGISTERED'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

/**
 * A public user identity (IMPU, TS 23.003 §13.4) or PSI. IMPUs sharing `implicitSetId` form
 * one implicit registration set (TS 23.228 §4.3.3.3): they register and de-register together.
 */
@Entity({ name: 'public_identities' })
export class PublicIdentity {
  @PrimaryGeneratedColumn()
  id: number;

  /** A SIP URI or tel URI, e.g. `sip:+15550001@ims.mnc001.mcc001.3gppnetwork.org`. */
  @Column({ type: 'varchar', length: 255, unique: true })
  impu: string;

  @ManyToOne('Subscription', (s: Subscription) => s.publicIdentities, {
    nullable: false,
    onDelete: 'CASCADE',
  })
  @JoinColumn({ name: 'subscription_id' })
  subscription: Subscription;

  @Column({ name: 'subscription_id', type: 'integer' })
  subscriptionId: number;

  @Column({ name: 'identity_type', type: 'varchar', length: 32, default: 'public-user-identity' })
  identityType: IdentityType;

  /** Barring-Indication (TS 29.228 §6.1.1): a barred IMPU cannot register or be used. */
  @Column({ type: 'boolean', default: false })
  barred: boolean;

  @Index('idx_public_identities_implicit_set')
  @Column({ name: 'implicit_set_id', type: 'varchar', length: 64 })
  implicitSetId: string;

  /** The default IMPU of its implicit set (the first in the user-data, TS 29.228 Annex B). */
  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  @Column({ name: 'display_name', type: 'varchar', length: 255, nullable: true })
  displayName: string | null;

  @ManyToOne('ServiceProfile', { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'service_profile_id' })
  serviceProfile: ServiceProfile | null;

  @Column({ name: 'service_profile_id', type: 'integer', nullable: true })
  serviceProfileId: number | null;

  @Column({ name: 'registration_state', type: 'varchar', length: 16, default: 'NOT_REGISTERED' })
  registrationState: RegistrationState;

  /** SIP URI of the assigned S-CSCF (Server-Name, TS 29.229 §6.3.4). */
  @Column({ name: 'scscf_name', type: 'varchar', length: 255, nullable: true })
  scscfName: string | null;

  /** Diameter Origin-Host of the assigned S-CSCF, where RTR / PPR go. */
  @Column({ name: 'scscf_diameter_host', type: 'varchar', length: 255, nullable: true })
  scscfDiameterHost: string | null;

  @ManyToMany('PrivateIdentity', (p: PrivateIdentity) => p.publicIdentities)
  privateIdentities: PrivateIdentity[];
}
