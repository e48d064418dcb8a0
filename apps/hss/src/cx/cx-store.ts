import { Injectable } from '@nestjs/common';
import { normalizeImpu } from '@lib/ims';
import { DataSource, In } from 'typeorm';
import { PrivateIdentity, PublicIdentity, ScscfCapability } from '../database/entities';

/** TS 29.228 §6.1.2 registration states of a Public User Identity. */
export type RegistrationState = 'NOT_REGISTERED' | 'REGISTERED' | 'UNREGISTERED';

/** What the Cx handlers need of a Public User Identity. */
export interface ImpuRecord {
  id: number;
  impu: string;
  barred: boolean;
  implicitSetId: string;
  registrationState: RegistrationState;
  scscfName: string | null;
  scscfDiameterHost: string | null;
}

/** What the Cx handlers need of a Private User Identity. */
export interface ImpiRecord {
  id: number;
  impi: string;
  authScheme: string;
  k: string | null;
  opc: string | null;
  amf: string;
  sqn: number;
  password: string | null;
  publicIdentities: ImpuRecord[];
}

/** Fields the handlers change on Public User Identities. */
export interface RegistrationPatch {
  registrationState?: RegistrationState;
  scscfName?: string | null;
  scscfDiameterHost?: string | null;
}

/** The capability sets the HSS offers an I-CSCF for S-CSCF selection (TS 29.228 §6.7). */
export interface ServerCapabilitiesView {
  mandatory: number[];
  optional: number[];
  serverNames: string[];
}

/** `normalizeImpu`, or undefined for text that is no SIP/tel URI. */
export function canonicalImpu(impu: string): string | undefined {
  try {
    return normalizeImpu(impu);
  } catch {
    return undefined;
  }
}

/** The IMPU of `impi` that `impu` denotes: the same text, or the same canonical form. */
export function ownImpu(impi: ImpiRecord, impu: string): ImpuRecord | undefined {
  const exact = impi.publicIdentities.find((p) => p.impu === impu);
  if (exact) return exact;
  const canonical = canonicalImpu(impu);
  return canonical === undefined
    ? undefined
    : impi.publicIdentities.find((p) => canonicalImpu(p.impu) === canonical);
}

/** The part of better-sqlite3's API the store uses. */
interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}
interface SqliteDatabase {
  prepare(text: string): SqliteStatement;
}

/** better-sqlite3 binds no booleans: 1/0 as TypeORM does. */
function sqliteParams(params: unknown[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

/** An ImpuRecord from a row of `public_identities` (snake_case columns). */
function impuFromRow(r: Record<string, unknown>): ImpuRecord {
  return {
    id: Number(r.id),
    impu: String(r.impu),
    barred: r.barred === true || r.barred === 1 || r.barred === '1',
    implicitSetId: String(r.implicit_set_id),
    registrationState: (r.registration_state ?? 'NOT_REGISTERED') as RegistrationState,
    scscfName: (r.scscf_name as string | null) ?? null,
    scscfDiameterHost: (r.scscf_diameter_host as string | null) ?? null,
  };
}

function toImpu(p: PublicIdentity): ImpuRecord {
  return {
    id: p.id,
    impu: p.impu,
    barred: !!p.barred,
    implicitSetId: String(p.implicitSetId),
    registrationState: (p.registrationState ?? 'NOT_REGISTERED') as RegistrationState,
    scscfName: p.scscfName ?? null,
    scscfDiameterHost: p.scscfDiameterHost ?? null,
  };
}

/**
 * The Cx view of the subscriber database: reads identities, moves registration state and
 * advances SQN. Every query here is by an indexed column (impi, impu, id, implicitSetId) so
 * a MAR costs two lookups and one conditional UPDATE.
 */
@Injectable()
export class CxStore {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * One query: the IMPI with the IMPUs it may use (the MAR/UAR hot path, hence plain SQL
   * with a fixed text so the prepared statement is reused).
   */
  async findImpi(impi: string): Promise<ImpiRecord | null> {
    const rows = await this.sql<Record<string, unknown>>(
      `SELECT pi.id, pi.impi, pi.auth_scheme, pi.k, pi.opc, pi.amf, pi.sqn, pi.password,
              pu.id AS pu_id, pu.impu, pu.barred, pu.implicit_set_id, pu.registration_state,
              pu.scscf_name, pu.scscf_diameter_host
         FROM private_identities pi
         LEFT JOIN private_public_identities ppi ON ppi.private_identity_id = pi.id
         LEFT JOIN public_identities pu ON pu.id = ppi.public_identity_id
        WHERE pi.impi = ?
        ORDER BY pu.id`,
      [impi],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return {
      id: Number(r.id),
      impi: String(r.impi),
      authScheme: String(r.auth_scheme ?? 'Digest-AKAv1-MD5'),
      k: (r.k as string | null) ?? null,
      opc: (r.opc as string | null) ?? null,
      amf: String(r.amf ?? '8000'),
      sqn: Number(r.sqn ?? 0),
      password: (r.password as string | null) ?? null,
      publicIdentities: rows
        .filter((x) => x.pu_id !== null && x.pu_id !== undefined)
        .map((x) => impuFromRow({ ...x, id: x.pu_id })),
    };
  }

  /**
   * The IMPU as stored, else its canonical form (TS 23.228 §4.3.3.2 AoR comparison via
   * libs/ims `normalizeImpu`: `sip:+1-555@D;user=phone` finds `sip:+1555@d`).
   */
  async findImpu(impu: string): Promise<ImpuRecord | null> {
    const exact = await this.impuRow(impu);
    if (exact) return exact;
    const canonical = canonicalImpu(impu);
    return canonical && canonical !== impu ? this.impuRow(canonical) : null;
  }

  private async impuRow(impu: string): Promise<ImpuRecord | null> {
    const rows = await this.sql<Record<string, unknown>>(
      `SELECT id, impu, barred, implicit_set_id, registration_state, scscf_name, scscf_diameter_host
         FROM public_identities WHERE impu = ?`,
      [impu],
    );
    return rows.length ? impuFromRow(rows[0]) : null;
  }

  /** The Private User Identities a Public User Identity is shared by. */
  async impisOf(impu: string): Promise<string[]> {
    const row = await this.dataSource.getRepository(PublicIdentity).findOne({
      where: { impu },
      relations: { privateIdentities: true },
    });
    return (row?.privateIdentities ?? []).map((p) => p.impi);
  }

  /**
   * The implicit registration set of each given IMPU (TS 29.228 §6.5: the HSS registers,
   * de-registers and reports all of them together), without duplicates.
   */
  async implicitSets(impus: ImpuRecord[]): Promise<ImpuRecord[]> {
    const setIds = [...new Set(impus.map((i) => i.implicitSetId))];
    if (!setIds.length) return [];
    const rows = await this.dataSource
      .getRepository(PublicIdentity)
      .find({ where: { implicitSetId: In(setIds) }, order: { id: 'ASC' } });
    return rows.map(toImpu);
  }

  async updateImpus(ids: number[], patch: RegistrationPatch): Promise<void> {
    if (!ids.length) return;
    await this.dataSource
      .createQueryBuilder()
      .update(PublicIdentity)
      .set(patch as Record<string, unknown>)
      .where({ id: In(ids) })
      .execute();
  }

  /** Assigns (or clears) the S-CSCF of one implicit registration set, state unchanged. */
  async assignScscf(
    implicitSetId: string,
    scscfName: string | null,
    scscfDiameterHost: string | null,
  ): Promise<void> {
    await this.execute(
      'UPDATE public_identities SET scscf_name = ?, scscf_diameter_host = ? WHERE implicit_set_id = ?',
      [scscfName, scscfDiameterHost, implicitSetId],
    );
  }

  async readSqn(impiId: number): Promise<number> {
    const rows = await this.sql<{ sqn: unknown }>(
      'SELECT sqn FROM private_identities WHERE id = ?',
      [impiId],
    );
    return Number(rows[0]?.sqn ?? 0);
  }

  /**
   * Compare-and-set of SQN_HE: writes `next` only if the stored value is still `expected`.
   * One UPDATE statement, atomic on SQLite and PostgreSQL alike; false when another
   * request advanced SQN first (the caller re-reads and retries).
   */
  async compareAndSetSqn(impiId: number, expected: number, next: number): Promise<boolean> {
    const affected = await this.execute(
      'UPDATE private_identities SET sqn = ? WHERE id = ? AND sqn = ?',
      [next, impiId, expected],
    );
    return affected === 1;
  }

  /**
   * Whether the IMPU has services for the unregistered state: an iFC of its service profile
   * with a Service Point Trigger on SessionCase 2 (TERMINATING_UNREGISTERED, TS 29.228
   * Annex B.2.2) that is not negated.
   */
  async hasUnregisteredServices(impuId: number): Promise<boolean> {
    const row = await this.dataSource.getRepository(PublicIdentity).findOne({
      where: { id: impuId },
      relations: { serviceProfile: { ifcs: true } },
    });
    const ifcs = row?.serviceProfile?.ifcs ?? [];
    return ifcs.some((ifc) =>
      (ifc.triggerPoint?.spts ?? []).some(
        (spt: { sessionCase?: number; conditionNegated?: boolean }) =>
          spt.sessionCase === 2 && !spt.conditionNegated,
      ),
    );
  }

  /**
   * Server-Capabilities for S-CSCF selection: the ScscfCapability rows when the operator
   * provisioned some, else the configured S-CSCF names.
   */
  async serverCapabilities(fallbackNames: string[]): Promise<ServerCapabilitiesView> {
    const rows = await this.dataSource
      .getRepository(ScscfCapability)
      .find({ order: { id: 'ASC' } });
    if (!rows.length) return { mandatory: [], optional: [], serverNames: fallbackNames };
    const mandatory = new Set<number>();
    const optional = new Set<number>();
    for (const r of rows) {
      (r.mandatory ?? []).forEach((c: number) => mandatory.add(Number(c)));
      (r.optional ?? []).forEach((c: number) => optional.add(Number(c)));
    }
    return {
      mandatory: [...mandatory],
      optional: [...optional].filter((c) => !mandatory.has(c)),
      serverNames: rows.map((r) => r.serverName),
    };
  }

  /**
   * Everything the IMSSubscription User-Data of one IMPI is built from: its Public User
   * Identities with their service profiles, iFCs and application servers.
   */
  async subscriptionOf(impi: string): Promise<PrivateIdentity | null> {
    return this.dataSource.getRepository(PrivateIdentity).findOne({
      where: { impi },
      relations: {
        subscription: { privateIdentities: true },
        publicIdentities: { serviceProfile: { ifcs: { applicationServer: true } } },
      },
    });
  }

  /** Every Private User Identity of the IMS subscription the given IMPI belongs to. */
  async impisOfSubscription(impiId: number): Promise<string[]> {
    const rows = await this.sql<{ impi: string }>(
      `SELECT other.impi AS impi FROM private_identities me
         JOIN private_identities other ON other.subscription_id = me.subscription_id
        WHERE me.id = ? ORDER BY other.id`,
      [impiId],
    );
    return rows.map((r) => r.impi);
  }

  /** A SELECT with `?` placeholders (rewritten to $n for PostgreSQL); the rows. */
  async sql<T>(text: string, params: unknown[]): Promise<T[]> {
    const stmt = this.sqliteStatement(text);
    if (stmt) return stmt.all(...sqliteParams(params)) as T[];
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = await runner.query(this.placeholders(text), params, true);
      return (result.records ?? []) as T[];
    } finally {
      await runner.release();
    }
  }

  /** An INSERT/UPDATE/DELETE with `?` placeholders; the number of rows it changed. */
  async execute(text: string, params: unknown[]): Promise<number> {
    const stmt = this.sqliteStatement(text);
    if (stmt) return stmt.run(...sqliteParams(params)).changes;
    const runner = this.dataSource.createQueryRunner();
    try {
      const result = await runner.query(this.placeholders(text), params, true);
      return Number(result.affected ?? 0);
    } finally {
      await runner.release();
    }
  }

  /**
   * On SQLite the Cx hot path talks to better-sqlite3 directly: each SQL text is prepared
   * once on the DataSource's own connection (so it shares its transactions) and run
   * synchronously, skipping TypeORM's per-query overhead. Other databases go through TypeORM.
   */
  private sqliteStatement(text: string): SqliteStatement | undefined {
    if (this.dataSource.options.type !== 'better-sqlite3') return undefined;
    let stmt = this.statements.get(text);
    if (!stmt) {
      const db = (this.dataSource.driver as unknown as { databaseConnection?: SqliteDatabase })
        .databaseConnection;
      if (!db) return undefined;
      stmt = db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }

  private placeholders(text: string): string {
    if (this.dataSource.options.type !== 'postgres') return text;
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  }
}
