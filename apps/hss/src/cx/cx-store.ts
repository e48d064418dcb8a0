import { Injectable } from '@nestjs/common';
import { normalizeImpu } from '@lib/ims';
import { DataSource } from 'typeorm';
import type { TriggerPoint } from '../database/entities';
import { CxIdentityCache } from './cx-cache';

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

/** An initial filter criterion with its application server, as the User-Data needs it. */
export interface UserDataIfc {
  priority: number;
  triggerPoint: TriggerPoint | null;
  profilePartIndicator: number | null;
  applicationServer: {
    serverName: string;
    defaultHandling: number;
    serviceInfo: string | null;
    includeRegisterRequest: boolean;
    includeRegisterResponse: boolean;
  };
}

/** A Public User Identity with its service profile, as the User-Data needs it. */
export interface UserDataImpu {
  id: number;
  impu: string;
  barred: boolean;
  isDefault: boolean;
  identityType: string;
  displayName: string | null;
  serviceProfile: { id: number; ifcs: UserDataIfc[] } | null;
}

/** Everything the IMSSubscription of one IMPI is built from (TS 29.228 Annex B). */
export interface SubscriptionView {
  impi: string;
  publicIdentities: UserDataImpu[];
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

/** Booleans come back as 1/0 from SQLite and as true/false from PostgreSQL. */
function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

/** A simple-json column's value (TypeORM stores JSON text); null when empty. */
function parseJson<T>(text: string | null | undefined): T | null {
  if (text === null || text === undefined || text === '') return null;
  return typeof text === 'string' ? (JSON.parse(text) as T) : (text as T);
}

/** `?, ?, ?` for `n` parameters. */
function marks(n: number): string {
  return new Array<string>(n).fill('?').join(', ');
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
    barred: bool(r.barred),
    implicitSetId: String(r.implicit_set_id),
    registrationState: (r.registration_state ?? 'NOT_REGISTERED') as RegistrationState,
    scscfName: (r.scscf_name as string | null) ?? null,
    scscfDiameterHost: (r.scscf_diameter_host as string | null) ?? null,
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
  /**
   * The identity cache (see CxIdentityCache for its rules), on SQLite only: there one HSS
   * process owns the file. Several HSS processes may share a PostgreSQL database, and one
   * could not see the others' writes.
   */
  private readonly cache: CxIdentityCache | undefined;

  constructor(private readonly dataSource: DataSource) {
    this.cache = dataSource.options.type === 'better-sqlite3' ? new CxIdentityCache() : undefined;
  }

  /** Forgets every cached row: called on each provisioning change (CxCacheInvalidator). */
  invalidate(): void {
    this.cache?.clear();
  }

  /**
   * The IMPI with the IMPUs it may use (the UAR/MAR/SAR hot path): from the identity cache,
   * else one query (plain SQL with a fixed text so the prepared statement is reused).
   */
  async findImpi(impi: string): Promise<ImpiRecord | null> {
    const cached = this.cache?.getImpi(impi);
    if (cached) return cached;
    const record = await this.readImpi(impi);
    if (record) this.cache?.putImpi(impi, record);
    return record;
  }

  private async readImpi(impi: string): Promise<ImpiRecord | null> {
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
    const rows = await this.sql<{ impi: string }>(
      `SELECT pi.impi FROM public_identities pu
         JOIN private_public_identities ppi ON ppi.public_identity_id = pu.id
         JOIN private_identities pi ON pi.id = ppi.private_identity_id
        WHERE pu.impu = ? ORDER BY pi.id`,
      [impu],
    );
    return rows.map((r) => String(r.impi));
  }

  /**
   * The implicit registration set of each given IMPU (TS 29.228 §6.5: the HSS registers,
   * de-registers and reports all of them together), without duplicates.
   */
  async implicitSets(impus: ImpuRecord[]): Promise<ImpuRecord[]> {
    const setIds = [...new Set(impus.map((i) => i.implicitSetId))];
    if (!setIds.length) return [];
    const rows = await this.sql<Record<string, unknown>>(
      `SELECT id, impu, barred, implicit_set_id, registration_state, scscf_name, scscf_diameter_host
         FROM public_identities WHERE implicit_set_id IN (${marks(setIds.length)}) ORDER BY id`,
      setIds,
    );
    return rows.map(impuFromRow);
  }

  /**
   * One UPDATE of the given IMPUs (the implicit set of a SAR). The SQL text depends only on
   * which fields the patch sets and how many ids there are, so its prepared statement is reused.
   */
  async updateImpus(ids: number[], patch: RegistrationPatch): Promise<void> {
    if (!ids.length) return;
    const sets: string[] = [];
    const params: unknown[] = [];
    if (patch.registrationState !== undefined) {
      sets.push('registration_state = ?');
      params.push(patch.registrationState);
    }
    if (patch.scscfName !== undefined) {
      sets.push('scscf_name = ?');
      params.push(patch.scscfName);
    }
    if (patch.scscfDiameterHost !== undefined) {
      sets.push('scscf_diameter_host = ?');
      params.push(patch.scscfDiameterHost);
    }
    if (!sets.length) return;
    await this.execute(
      `UPDATE public_identities SET ${sets.join(', ')} WHERE id IN (${marks(ids.length)})`,
      [...params, ...ids],
    );
    this.cache?.patchImpus(ids, patch);
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
    this.cache?.patchImplicitSet(implicitSetId, { scscfName, scscfDiameterHost });
  }

  async readSqn(impiId: number): Promise<number> {
    const rows = await this.sql<{ sqn: unknown }>(
      'SELECT sqn FROM private_identities WHERE id = ?',
      [impiId],
    );
    const sqn = Number(rows[0]?.sqn ?? 0);
    this.cache?.setSqn(impiId, sqn);
    return sqn;
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
    // Write-through on success; on failure the cached value was stale: dropped.
    if (affected === 1) this.cache?.setSqn(impiId, next);
    else this.cache?.forgetImpiId(impiId);
    return affected === 1;
  }

  /**
   * Whether the IMPU has services for the unregistered state: an iFC of its service profile
   * with a Service Point Trigger on SessionCase 2 (TERMINATING_UNREGISTERED, TS 29.228
   * Annex B.2.2) that is not negated.
   */
  async hasUnregisteredServices(impuId: number): Promise<boolean> {
    const rows = await this.sql<{ trigger_point: string | null }>(
      `SELECT ifc.trigger_point FROM public_identities pu
         JOIN initial_filter_criteria ifc ON ifc.service_profile_id = pu.service_profile_id
        WHERE pu.id = ?`,
      [impuId],
    );
    return rows.some((r) =>
      (parseJson<TriggerPoint>(r.trigger_point)?.spts ?? []).some(
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
    const key = fallbackNames.join('\n');
    const cached = this.cache?.serverCapabilities(key);
    if (cached) return cached;
    const view = await this.readServerCapabilities(fallbackNames);
    this.cache?.putServerCapabilities(key, view);
    return view;
  }

  private async readServerCapabilities(fallbackNames: string[]): Promise<ServerCapabilitiesView> {
    const rows = await this.sql<{ server_name: string; mandatory: string; optional: string }>(
      'SELECT server_name, mandatory, optional FROM scscf_capabilities ORDER BY id',
      [],
    );
    if (!rows.length) return { mandatory: [], optional: [], serverNames: fallbackNames };
    const mandatory = new Set<number>();
    const optional = new Set<number>();
    for (const r of rows) {
      (parseJson<number[]>(r.mandatory) ?? []).forEach((c) => mandatory.add(Number(c)));
      (parseJson<number[]>(r.optional) ?? []).forEach((c) => optional.add(Number(c)));
    }
    return {
      mandatory: [...mandatory],
      optional: [...optional].filter((c) => !mandatory.has(c)),
      serverNames: rows.map((r) => String(r.server_name)),
    };
  }

  /**
   * Everything the IMSSubscription User-Data of one IMPI is built from: its Public User
   * Identities with their service profiles, iFCs and application servers.
   */
  async subscriptionOf(impi: string): Promise<SubscriptionView | null> {
    // Two fixed SQL texts (identities, then the iFCs of each service profile) instead of one
    // TypeORM relation load, whose query building cost more than the SAR itself.
    const rows = await this.sql<Record<string, unknown>>(
      `SELECT pi.impi, pu.id, pu.impu, pu.barred, pu.is_default, pu.identity_type,
              pu.display_name, pu.service_profile_id
         FROM private_identities pi
         LEFT JOIN private_public_identities ppi ON ppi.private_identity_id = pi.id
         LEFT JOIN public_identities pu ON pu.id = ppi.public_identity_id
        WHERE pi.impi = ?
        ORDER BY pu.id`,
      [impi],
    );
    if (!rows.length) return null;
    const profiles = new Map<number, { id: number; ifcs: UserDataIfc[] }>();
    const publicIdentities: UserDataImpu[] = [];
    for (const r of rows) {
      if (r.id === null || r.id === undefined) continue;
      let serviceProfile: { id: number; ifcs: UserDataIfc[] } | null = null;
      if (r.service_profile_id !== null && r.service_profile_id !== undefined) {
        const spId = Number(r.service_profile_id);
        serviceProfile = profiles.get(spId) ?? null;
        if (!serviceProfile) {
          serviceProfile = { id: spId, ifcs: await this.ifcsOfProfile(spId) };
          profiles.set(spId, serviceProfile);
        }
      }
      publicIdentities.push({
        id: Number(r.id),
        impu: String(r.impu),
        barred: bool(r.barred),
        isDefault: bool(r.is_default),
        identityType: String(r.identity_type ?? 'public-user-identity'),
        displayName: (r.display_name as string | null) ?? null,
        serviceProfile,
      });
    }
    return { impi: String(rows[0].impi), publicIdentities };
  }

  private async ifcsOfProfile(serviceProfileId: number): Promise<UserDataIfc[]> {
    const rows = await this.sql<Record<string, unknown>>(
      `SELECT ifc.priority, ifc.trigger_point, ifc.profile_part_indicator,
              a.server_name, a.default_handling, a.service_info,
              a.include_register_request, a.include_register_response
         FROM initial_filter_criteria ifc
         JOIN application_servers a ON a.id = ifc.application_server_id
        WHERE ifc.service_profile_id = ?
        ORDER BY ifc.priority, ifc.id`,
      [serviceProfileId],
    );
    return rows.map((r) => ({
      priority: Number(r.priority),
      triggerPoint: parseJson<TriggerPoint>(r.trigger_point as string | null),
      profilePartIndicator:
        r.profile_part_indicator === null || r.profile_part_indicator === undefined
          ? null
          : Number(r.profile_part_indicator),
      applicationServer: {
        serverName: String(r.server_name),
        defaultHandling: Number(r.default_handling ?? 0),
        serviceInfo: (r.service_info as string | null) ?? null,
        includeRegisterRequest: bool(r.include_register_request),
        includeRegisterResponse: bool(r.include_register_response),
      },
    }));
  }

  /** Every Private User Identity of the IMS subscription the given IMPI belongs to. */
  async impisOfSubscription(impiId: number): Promise<string[]> {
    const cached = this.cache?.subscriptionImpis(impiId);
    if (cached) return cached;
    const rows = await this.sql<{ impi: string }>(
      `SELECT other.impi AS impi FROM private_identities me
         JOIN private_identities other ON other.subscription_id = me.subscription_id
        WHERE me.id = ? ORDER BY other.id`,
      [impiId],
    );
    const impis = rows.map((r) => r.impi);
    this.cache?.putSubscriptionImpis(impiId, impis);
    return impis;
  }

  /** The User-Data XML cached with the IMPI's identity rows, if any (see UserDataService). */
  cachedUserData(impi: string): string | undefined {
    return this.cache?.userData(impi);
  }

  /** Keeps `xml` with the IMPI's cached identity rows (dropped with them). */
  cacheUserData(impi: string, xml: string): void {
    this.cache?.putUserData(impi, xml);
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
