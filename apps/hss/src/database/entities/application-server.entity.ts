import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** TS 29.228 Annex B.2.3 DefaultHandling: what the S-CSCF does when the AS does not answer. */
export enum DefaultHandling {
  SESSION_CONTINUED = 0,
  SESSION_TERMINATED = 1,
}

/** An application server reached over ISC (TS 29.228 Annex B.2.3 ApplicationServer). */
@Entity({ name: 'application_servers' })
export class ApplicationServer {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 255, unique: true })
  name: string;

  /** ServerName: the SIP URI of the AS. */
  @Column({ name: 'server_name', type: 'varchar', length: 255 })
  serverName: string;

  @Column({ name: 'default_handling', type: 'integer', default: DefaultHandling.SESSION_CONTINUED })
  defaultHandling: DefaultHandling;

  /** ServiceInfo: opaque text passed to the AS in the third-party REGISTER body. */
  @Column({ name: 'service_info', type: 'text', nullable: true })
  serviceInfo: string | null;

  @Column({ name: 'include_register_request', type: 'boolean', default: false })
  includeRegisterRequest: boolean;

  @Column({ name: 'include_register_response', type: 'boolean', default: false })
  includeRegisterResponse: boolean;
}
