import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The Cx commands the HSS records: served (UAR, MAR, SAR, LIR) and sent (RTR, PPR). */
export type CxCommandName = 'UAR' | 'MAR' | 'SAR' | 'LIR' | 'RTR' | 'PPR';

/**
 * One Cx request and its outcome: the step-by-step registration trace a lab user reads at
 * `GET /subscribers/:imsi/attempts`. Written append-only, in batches, off the MAR hot path.
 */
@Entity({ name: 'registration_attempts' })
export class RegistrationAttempt {
  @PrimaryGeneratedColumn()
  id: number;

  /** Private User Identity (User-Name) of the request, when it carried one. */
  @Index('idx_registration_attempts_impi')
  @Column({ type: 'varchar', length: 255, nullable: true })
  impi: string | null;

  /** Public User Identity (Public-Identity) of the request, when it carried one. */
  @Index('idx_registration_attempts_impu')
  @Column({ type: 'varchar', length: 255, nullable: true })
  impu: string | null;

  @Column({ type: 'varchar', length: 3 })
  command: CxCommandName;

  /** Result-Code, or Experimental-Result-Code when `experimental` is set. */
  @Column({ name: 'result_code', type: 'integer' })
  resultCode: number;

  /** True when `resultCode` travelled in Experimental-Result (vendor 10415). */
  @Column({ type: 'boolean', default: false })
  experimental: boolean;

  /** Origin-Host of the request (served) or Destination-Host (sent: RTR/PPR). */
  @Column({ name: 'origin_host', type: 'varchar', length: 255 })
  originHost: string;

  /** Human-readable outcome, e.g. "MAR scheme Digest-AKAv1-MD5, SQN 000000000021 issued". */
  @Column({ type: 'text' })
  detail: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
