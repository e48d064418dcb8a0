import { Column, Entity, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import type { InitialFilterCriteria } from './initial-filter-criteria.entity';

/** A service profile (TS 29.228 Annex B.2.2): the iFCs applied to the IMPUs pointing at it. */
@Entity({ name: 'service_profiles' })
export class ServiceProfile {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 255, unique: true })
  name: string;

  @OneToMany('InitialFilterCriteria', (i: InitialFilterCriteria) => i.serviceProfile)
  ifcs: InitialFilterCriteria[];
}
