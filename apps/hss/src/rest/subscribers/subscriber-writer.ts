import type { EntityManager } from 'typeorm';
import type { AuthColumns } from '../private-identities/auth-data.dto';

/** A subscriber ready to store: identities derived, auth data resolved, profile known. */
export interface SubscriberRow {
  imsi: string;
  impi: string;
  /** The implicit registration set, default IMPU first. */
  impus: string[];
  implicitSetId: string;
  auth: AuthColumns;
  serviceProfileId: number;
}

/** Subscribers per INSERT statement: 500 x 3 IMPUs x 7 columns stays far below the bind limits. */
export const INSERT_BATCH = 500;

/**
 * Stores subscribers with multi-row INSERTs (one statement per table per batch, inside the
 * caller's transaction): subscription, IMPI, IMPUs, IMPI<->IMPU links. Plain SQL with
 * RETURNING (sqlite >= 3.35 and PostgreSQL), the ids mapped back by natural key.
 */
export async function insertSubscribers(em: EntityManager, rows: SubscriberRow[]): Promise<void> {
  const postgres = em.connection.options.type === 'postgres';
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    await insertBatch(em, rows.slice(i, i + INSERT_BATCH), postgres);
  }
}

async function insertBatch(
  em: EntityManager,
  rows: SubscriberRow[],
  postgres: boolean,
): Promise<void> {
  const sql = new InsertBuilder(postgres);

  // Subscriptions are named after the IMSI, unique inside a batch: the key to map ids back.
  const subscriptions: { id: number; name: string }[] = await em.query(
    `INSERT INTO subscriptions (name) VALUES ${sql.rows(rows.map((r) => [r.imsi]))} RETURNING id, name`,
    sql.params,
  );
  const subscriptionId = new Map(subscriptions.map((s) => [s.name, Number(s.id)]));

  sql.reset();
  const privates: { id: number; impi: string }[] = await em.query(
    `INSERT INTO private_identities (impi, subscription_id, auth_scheme, k, opc, op_type, op, amf, sqn, password)
     VALUES ${sql.rows(
       rows.map((r) => [
         r.impi,
         subscriptionId.get(r.imsi)!,
         r.auth.authScheme,
         r.auth.k,
         r.auth.opc,
         r.auth.opType,
         r.auth.op,
         r.auth.amf,
         r.auth.sqn,
         r.auth.password,
       ]),
     )} RETURNING id, impi`,
    sql.params,
  );
  const privateId = new Map(privates.map((p) => [p.impi, Number(p.id)]));

  sql.reset();
  const impuRows = rows.flatMap((r) =>
    r.impus.map((impu, n) => [
      impu,
      subscriptionId.get(r.imsi)!,
      r.implicitSetId,
      n === 0,
      r.serviceProfileId,
    ]),
  );
  const publics: { id: number; impu: string }[] = await em.query(
    `INSERT INTO public_identities (impu, subscription_id, implicit_set_id, is_default, service_profile_id)
     VALUES ${sql.rows(impuRows)} RETURNING id, impu`,
    sql.params,
  );
  const publicId = new Map(publics.map((p) => [p.impu, Number(p.id)]));

  sql.reset();
  const links = rows.flatMap((r) =>
    r.impus.map((impu) => [privateId.get(r.impi)!, publicId.get(impu)!]),
  );
  await em.query(
    `INSERT INTO private_public_identities (private_identity_id, public_identity_id) VALUES ${sql.rows(links)}`,
    sql.params,
  );
}

/** Builds `(?, ?), (?, ?)` (sqlite) or `($1, $2), ($3, $4)` (PostgreSQL) and collects the values. */
class InsertBuilder {
  params: unknown[] = [];

  constructor(private readonly postgres: boolean) {}

  reset(): void {
    this.params = [];
  }

  rows(values: unknown[][]): string {
    return values
      .map((row) => {
        const marks = row.map((v) => {
          this.params.push(typeof v === 'boolean' && !this.postgres ? Number(v) : v);
          return this.postgres ? `$${this.params.length}` : '?';
        });
        return `(${marks.join(', ')})`;
      })
      .join(', ');
  }
}
