import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { PublicIdentity } from './public-identity.entity';
import type { Subscription } from './subscription.entity';
import { bigintNumber } from './transformers';

/** Authentication schemes of TS 29.229 §6.3.8 SIP-Authentication-Scheme the HSS serves. */
export const AUTH_SCHEMES = [
  'Digest-AKAv1-MD5',
  'Digest-AKAv2-MD5',
  'SIP Digest',
  'Digest-MD5',
] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number];

/** Whether the operator provisioned OP (OPc derived, TS 35.206 §4.1) or OPc directly. */
export type OpType = 'op' | 'opc';

/**
 * A private user identity (IMPI, TS 23.003 §13.3) with its authentication data.
 * K, OP, OPc and the password are secrets: they never leave the HSS through REST.
 */
@Entity({ name: 'private_identities' })
export class PrivateIdentity {
  @PrimaryGeneratedColumn()
  id: number;

  /** The NAI, e.g. `001010000000001@ims.mnc001.mcc001.3gppnetwork.org`. */
  @Column({ type: 'varchar', length: 255, unique: true })
  impi: string;

  @ManyToOne('Subscription', (s: Subscription) => s.privateIdentities, {
    nullable: false,
    onDelete: 'CASCADE',
  })
  @JoinColumn({ name: 'subscription_id' })
  subscription: Subscription;

  @Column({ name: 'subscription_id', type: 'integer' })
  subscriptionId: number;

  @Column({ name: 'auth_scheme', type: 'varchar', length: 32, default: 'Digest-AKAv1-MD5' })
  authScheme: AuthScheme;

  /** Subscriber key K, 128 bits as 32 hex digits (TS 33.102 §6.3.7). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  k: string | null;

  /** Operator variant OPc (hex), stored even when OP was given (derived from K and OP). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  opc: string | null;

  @Column({ name: 'op_type', type: 'varchar', length: 3, nullable: true })
  opType: OpType | null;

  /** OP as provisioned (kept for audits) when `opType` is 'op'. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  op: string | null;

  /** Authentication management field, 16 bits as 4 hex digits (TS 33.102 §6.3.2). */
  @Column({ type: 'varchar', length: 4, default: '8000' })
  amf: string;

  /** The HSS's SQN (48 bits, TS 33.102 Annex C), the last one issued. */
  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  sqn: number;

  /** Password for SIP Digest / Digest-MD5 (TS 29.229 §6.3.22 Digest-HA1 is computed from it). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  password: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  /** The IMPUs this IMPI may register (TS 23.228 §4.3.3.1). */
  @ManyToMany('PublicIdentity', (p: PublicIdentity) => p.privateIdentities)
  @JoinTable({
    name: 'private_public_identities',
    joinColumn: { name: 'private_identity_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'public_identity_id', referencedColumnName: 'id' },
  })
  publicIdentities: PublicIdentity[];
}
