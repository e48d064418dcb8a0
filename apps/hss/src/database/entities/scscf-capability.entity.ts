import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The capabilities of one S-CSCF (TS 29.228 §6.7 / TS 29.229 §6.3.5 Server-Capabilities):
 * the I-CSCF picks an S-CSCF offering the mandatory ones.
 */
@Entity({ name: 'scscf_capabilities' })
export class ScscfCapability {
  @PrimaryGeneratedColumn()
  id: number;

  /** SIP URI of the S-CSCF. */
  @Column({ name: 'server_name', type: 'varchar', length: 255, unique: true })
  serverName: string;

  @Column({ type: 'simple-json' })
  mandatory: number[];

  @Column({ type: 'simple-json' })
  optional: number[];
}
