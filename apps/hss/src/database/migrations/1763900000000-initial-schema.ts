import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The initial HSS schema, written by hand: the IMS subscription model of TS 23.228 §4.3.3.1
 * (subscription -> IMPIs <-> IMPUs -> service profile -> iFCs -> application servers) and the
 * S-CSCF capability sets. The SQL is portable between sqlite and PostgreSQL except for the
 * auto-increment primary key and the timestamp type, chosen per driver below.
 */
export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    const pk = postgres ? 'SERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
    const ts = postgres ? 'TIMESTAMP' : 'DATETIME';

    await q.query(`CREATE TABLE subscriptions (
      id ${pk},
      name VARCHAR(255),
      created_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP
    )`);

    await q.query(`CREATE TABLE service_profiles (
      id ${pk},
      name VARCHAR(255) NOT NULL,
      CONSTRAINT uq_service_profiles_name UNIQUE (name)
    )`);

    await q.query(`CREATE TABLE application_servers (
      id ${pk},
      name VARCHAR(255) NOT NULL,
      server_name VARCHAR(255) NOT NULL,
      default_handling INTEGER NOT NULL DEFAULT 0,
      service_info TEXT,
      include_register_request BOOLEAN NOT NULL DEFAULT FALSE,
      include_register_response BOOLEAN NOT NULL DEFAULT FALSE,
      CONSTRAINT uq_application_servers_name UNIQUE (name)
    )`);

    await q.query(`CREATE TABLE private_identities (
      id ${pk},
      impi VARCHAR(255) NOT NULL,
      subscription_id INTEGER NOT NULL,
      auth_scheme VARCHAR(32) NOT NULL DEFAULT 'Digest-AKAv1-MD5',
      k VARCHAR(32),
      opc VARCHAR(32),
      op_type VARCHAR(3),
      op VARCHAR(32),
      amf VARCHAR(4) NOT NULL DEFAULT '8000',
      sqn BIGINT NOT NULL DEFAULT 0,
      password VARCHAR(255),
      created_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
      CONSTRAINT uq_private_identities_impi UNIQUE (impi),
      CONSTRAINT fk_private_identities_subscription FOREIGN KEY (subscription_id)
        REFERENCES subscriptions (id) ON DELETE CASCADE
    )`);
    await q.query(
      `CREATE INDEX idx_private_identities_subscription ON private_identities (subscription_id)`,
    );

    await q.query(`CREATE TABLE public_identities (
      id ${pk},
      impu VARCHAR(255) NOT NULL,
      subscription_id INTEGER NOT NULL,
      identity_type VARCHAR(32) NOT NULL DEFAULT 'public-user-identity',
      barred BOOLEAN NOT NULL DEFAULT FALSE,
      implicit_set_id VARCHAR(64) NOT NULL,
      is_default BOOLEAN NOT NULL DEFAULT FALSE,
      display_name VARCHAR(255),
      service_profile_id INTEGER,
      registration_state VARCHAR(16) NOT NULL DEFAULT 'NOT_REGISTERED',
      scscf_name VARCHAR(255),
      scscf_diameter_host VARCHAR(255),
      CONSTRAINT uq_public_identities_impu UNIQUE (impu),
      CONSTRAINT fk_public_identities_subscription FOREIGN KEY (subscription_id)
        REFERENCES subscriptions (id) ON DELETE CASCADE,
      CONSTRAINT fk_public_identities_service_profile FOREIGN KEY (service_profile_id)
        REFERENCES service_profiles (id) ON DELETE RESTRICT
    )`);
    await q.query(
      `CREATE INDEX idx_public_identities_subscription ON public_identities (subscription_id)`,
    );
    await q.query(
      `CREATE INDEX idx_public_identities_implicit_set ON public_identities (implicit_set_id)`,
    );
    await q.query(
      `CREATE INDEX idx_public_identities_service_profile ON public_identities (service_profile_id)`,
    );

    await q.query(`CREATE TABLE private_public_identities (
      private_identity_id INTEGER NOT NULL,
      public_identity_id INTEGER NOT NULL,
      PRIMARY KEY (private_identity_id, public_identity_id),
      CONSTRAINT fk_ppi_private FOREIGN KEY (private_identity_id)
        REFERENCES private_identities (id) ON DELETE CASCADE,
      CONSTRAINT fk_ppi_public FOREIGN KEY (public_identity_id)
        REFERENCES public_identities (id) ON DELETE CASCADE
    )`);
    await q.query(`CREATE INDEX idx_ppi_public ON private_public_identities (public_identity_id)`);

    await q.query(`CREATE TABLE initial_filter_criteria (
      id ${pk},
      name VARCHAR(255) NOT NULL,
      priority INTEGER NOT NULL,
      trigger_point TEXT,
      application_server_id INTEGER NOT NULL,
      service_profile_id INTEGER NOT NULL,
      profile_part_indicator INTEGER,
      CONSTRAINT fk_ifc_application_server FOREIGN KEY (application_server_id)
        REFERENCES application_servers (id) ON DELETE RESTRICT,
      CONSTRAINT fk_ifc_service_profile FOREIGN KEY (service_profile_id)
        REFERENCES service_profiles (id) ON DELETE CASCADE
    )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_ifc_profile_priority ON initial_filter_criteria (service_profile_id, priority)`,
    );
    await q.query(
      `CREATE INDEX idx_ifc_application_server ON initial_filter_criteria (application_server_id)`,
    );

    await q.query(`CREATE TABLE scscf_capabilities (
      id ${pk},
      server_name VARCHAR(255) NOT NULL,
      mandatory TEXT NOT NULL,
      optional TEXT NOT NULL,
      CONSTRAINT uq_scscf_capabilities_server_name UNIQUE (server_name)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'scscf_capabilities',
      'initial_filter_criteria',
      'private_public_identities',
      'public_identities',
      'private_identities',
      'application_servers',
      'service_profiles',
      'subscriptions',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
