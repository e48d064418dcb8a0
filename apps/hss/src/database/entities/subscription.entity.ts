import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import type { PrivateIdentity } from './private-identity.entity';
import type { PublicIdentity } from './public-identity.entity';

/**
 * An IMS subscription (TS 23.228 §4.3.3.1, Figure 4.6): the container owning the user's
 * private identities (IMPIs) and public identities (IMPUs).
 */
@Entity({ name: 'subscriptions' })
export class Subscription {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  @OneToMany('PrivateIdentity', (p: PrivateIdentity) => p.subscription)
  privateIdentities: PrivateIdentity[];

  @OneToMany('PublicIdentity', (p: PublicIdentity) => p.subscription)
  publicIdentities: PublicIdentity[];
}
