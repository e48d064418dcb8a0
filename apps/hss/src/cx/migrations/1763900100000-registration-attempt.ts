import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates `registration_attempts` (entity RegistrationAttempt): the Cx trace behind
 * `GET /subscribers/:imsi/attempts`. Portable SQL; the primary key and timestamp types are
 * chosen per driver, as in the initial schema.
 */
export class RegistrationAttempt1763900100000 implements MigrationInterface {
  name = 'RegistrationAttempt1763900100000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    const pk = postgres ? 'SERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
    const ts = postgres ? 'TIMESTAMP' : 'DATETIME';
    await q.query(`CREATE TABLE registration_attempts (
      id ${pk},
      impi VARCHAR(255),
      impu VARCHAR(255),
      command VARCHAR(3) NOT NULL,
      result_code INTEGER NOT NULL,
      experimental BOOLEAN NOT NULL DEFAULT FALSE,
      origin_host VARCHAR(255) NOT NULL,
      detail TEXT NOT NULL,
      created_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP
    )`);
    await q.query(`CREATE INDEX idx_registration_attempts_impi ON registration_attempts (impi)`);
    await q.query(`CREATE INDEX idx_registration_attempts_impu ON registration_attempts (impu)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE registration_attempts`);
  }
}
