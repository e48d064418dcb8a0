import { Injectable } from '@nestjs/common';
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
  constructor(private readonly dataSource: DataSource) {}

  async findImpi(impi: string): Promise<ImpiRecord | null> {
    const row = await this.dataSource.getRepository(PrivateIdentity).findOne({
      where: { impi },
      relations: { publicIdentities: true },
    });
    if (!row) return null;
    return {
      id: row.id,
      impi: row.impi,
      authScheme: row.authScheme,
      k: row.k,
      opc: row.opc,
      amf: row.amf ?? '8000',
      sqn: Number(row.sqn ?? 0),
      password: row.password ?? null,
      publicIdentities: (row.publicIdentities ?? []).map(toImpu),
    };
  }

  async findImpu(impu: string): Promise<ImpuRecord | null> {
    const row = await this.dataSource.getRepository(PublicIdentity).findOne({ where: { impu } });
    return row ? toImpu(row) : null;
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

  async readSqn(impiId: number): Promise<number> {
    const row = await this.dataSource
      .getRepository(PrivateIdentity)
      .findOne({ where: { id: impiId }, select: { id: true, sqn: true } });
    return Number(row?.sqn ?? 0);
  }

  /**
   * Compare-and-set of SQN_HE: writes `next` only if the stored value is still `expected`.
   * One UPDATE statement, atomic on SQLite and PostgreSQL alike; false when another
   * request advanced SQN first (the caller re-reads and retries).
   */
  async compareAndSetSqn(impiId: number, expected: number, next: number): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(PrivateIdentity)
      .set({ sqn: next } as Record<string, unknown>)
      .where('id = :id AND sqn = :expected', { id: impiId, expected })
      .execute();
    return (result.affected ?? 0) === 1;
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
    const row = await this.dataSource.getRepository(PrivateIdentity).findOne({
      where: { id: impiId },
      relations: { subscription: { privateIdentities: true } },
    });
    return (row?.subscription?.privateIdentities ?? []).map((p) => p.impi);
  }
}
