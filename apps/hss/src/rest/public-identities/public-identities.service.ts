import { ConflictException, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import {
  PrivateIdentity,
  PublicIdentity,
  ServiceProfile,
  Subscription,
} from '../../database/entities';
import { DeregistrationReasonCode } from '../../events';
import { alreadyExists, likePrefix, notFound, Page, pageWindow } from '../common';
import { DeregisterResultView, RegistrationNotifier } from '../notifications';
import {
  CreatePublicIdentityDto,
  PublicIdentityQueryDto,
  PublicIdentityView,
  toPublicIdentityView,
  UpdatePublicIdentityDto,
} from './public-identity.dto';

/** Public identities (IMPU) and implicit registration sets; `ref` is the numeric id or the IMPU. */
@Injectable()
export class PublicIdentitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifier: RegistrationNotifier,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(PublicIdentity);
  }

  async create(dto: CreatePublicIdentityDto): Promise<PublicIdentityView> {
    if (!(await this.dataSource.getRepository(Subscription).existsBy({ id: dto.subscriptionId }))) {
      throw notFound('subscription', dto.subscriptionId);
    }
    if (await this.repo.existsBy({ impu: dto.impu }))
      throw alreadyExists('public identity', dto.impu);
    await this.checkServiceProfile(dto.serviceProfileId);
    const id = await this.dataSource.transaction(async (em) => {
      const repo = em.getRepository(PublicIdentity);
      const implicitSetId = dto.implicitSetId ?? `irs-${randomUUID()}`;
      const setHasDefault = await repo.existsBy({ implicitSetId, isDefault: true });
      const isDefault = dto.isDefault ?? !setHasDefault;
      if (isDefault && setHasDefault)
        await repo.update({ implicitSetId, isDefault: true }, { isDefault: false });
      const saved = await repo.save(
        repo.create({
          impu: dto.impu,
          subscriptionId: dto.subscriptionId,
          identityType: dto.identityType ?? 'public-user-identity',
          barred: dto.barred ?? false,
          implicitSetId,
          isDefault,
          displayName: dto.displayName ?? null,
          serviceProfileId: dto.serviceProfileId ?? null,
        }),
      );
      if (dto.privateIdentities?.length) {
        const impis = await privateIdentitiesOf(em, dto.privateIdentities, dto.subscriptionId);
        await em
          .createQueryBuilder()
          .relation(PublicIdentity, 'privateIdentities')
          .of(saved.id)
          .add(impis);
      }
      return saved.id;
    });
    return this.get(id);
  }

  async list(q: PublicIdentityQueryDto): Promise<Page<PublicIdentityView>> {
    const { page, limit, skip } = pageWindow(q);
    const qb = this.repo.createQueryBuilder('p').orderBy('p.id', 'ASC').skip(skip).take(limit);
    if (q.impu) qb.andWhere(`p.impu LIKE :impu ESCAPE '\\'`, { impu: likePrefix(q.impu) });
    if (q.subscriptionId !== undefined)
      qb.andWhere('p.subscriptionId = :sid', { sid: q.subscriptionId });
    if (q.implicitSetId) qb.andWhere('p.implicitSetId = :set', { set: q.implicitSetId });
    if (q.registrationState)
      qb.andWhere('p.registrationState = :state', { state: q.registrationState });
    if (q.barred !== undefined) qb.andWhere('p.barred = :barred', { barred: q.barred });
    if (q.serviceProfileId !== undefined)
      qb.andWhere('p.serviceProfileId = :sp', { sp: q.serviceProfileId });
    const [rows, total] = await qb.getManyAndCount();
    const full = rows.length
      ? await this.repo.find({
          where: { id: In(rows.map((r) => r.id)) },
          relations: { privateIdentities: true },
          order: { id: 'ASC' },
        })
      : [];
    return { items: full.map(toPublicIdentityView), total, page, limit };
  }

  async get(ref: string | number): Promise<PublicIdentityView> {
    return toPublicIdentityView(await this.find(ref));
  }

  /** Changes reach the S-CSCF of a registered IMPU as a profile update (PPR, TS 29.228 §6.1.6). */
  async update(ref: string, dto: UpdatePublicIdentityDto): Promise<PublicIdentityView> {
    const p = await this.find(ref);
    await this.checkServiceProfile(dto.serviceProfileId);
    const touched = new Set<number>([p.id]);
    await this.dataSource.transaction(async (em) => {
      const repo = em.getRepository(PublicIdentity);
      const implicitSetId = dto.implicitSetId ?? p.implicitSetId;
      const changes: Partial<PublicIdentity> = {};
      if (dto.identityType !== undefined) changes.identityType = dto.identityType;
      if (dto.barred !== undefined) changes.barred = dto.barred;
      if (dto.displayName !== undefined) changes.displayName = dto.displayName;
      if (dto.serviceProfileId !== undefined) changes.serviceProfileId = dto.serviceProfileId;
      if (dto.implicitSetId !== undefined) changes.implicitSetId = dto.implicitSetId;
      if (dto.isDefault === true) {
        const others = await repo.findBy({ implicitSetId, isDefault: true, id: Not(p.id) });
        others.forEach((o) => touched.add(o.id));
        await repo.update({ implicitSetId, isDefault: true }, { isDefault: false });
        changes.isDefault = true;
      } else if (dto.isDefault === false) {
        changes.isDefault = false;
      }
      if (Object.keys(changes).length) await repo.update(p.id, changes);
      if (dto.privateIdentities !== undefined) {
        const impis = await privateIdentitiesOf(em, dto.privateIdentities, p.subscriptionId);
        const before = p.privateIdentities.map((i) => i.id);
        await em
          .createQueryBuilder()
          .relation(PublicIdentity, 'privateIdentities')
          .of(p.id)
          .addAndRemove(
            impis.filter((i) => !before.includes(i.id)),
            before.filter((id) => !impis.some((i) => i.id === id)),
          );
      }
    });
    await this.notifier.profileChanged([...touched]);
    return this.get(p.id);
  }

  /** Deletes the IMPU; when registered, its S-CSCF is told first (RTR, PERMANENT_TERMINATION). */
  async remove(ref: string): Promise<void> {
    const p = await this.find(ref);
    const assigned = await this.notifier.assigned([p.id]);
    await this.repo.delete(p.id);
    this.notifier.deregister(assigned, 'PERMANENT_TERMINATION');
  }

  /**
   * Network-initiated de-registration (TS 29.228 §6.1.3): the IMPU and the rest of its
   * implicit registration set (TS 23.228 §4.3.3.3) are de-registered at their S-CSCF by RTR.
   * 409 when nothing of the set has an S-CSCF assigned.
   */
  async deregister(ref: string, reason: DeregistrationReasonCode): Promise<DeregisterResultView> {
    const p = await this.find(ref);
    const set = await this.repo.find({
      select: { id: true },
      where: { implicitSetId: p.implicitSetId },
    });
    const assigned = await this.notifier.assigned(set.map((s) => s.id));
    if (assigned.length === 0)
      throw new ConflictException(`public identity ${p.impu} is not registered`);
    return { reason, deregistrations: this.notifier.deregister(assigned, reason) };
  }

  async find(ref: string | number): Promise<PublicIdentity> {
    const where =
      typeof ref === 'number' || /^\d+$/.test(ref) ? { id: Number(ref) } : { impu: ref };
    const p = await this.repo.findOne({ where, relations: { privateIdentities: true } });
    if (!p) throw notFound('public identity', ref);
    return p;
  }

  private async checkServiceProfile(id: number | undefined): Promise<void> {
    if (
      id !== undefined &&
      !(await this.dataSource.getRepository(ServiceProfile).existsBy({ id }))
    ) {
      throw notFound('service profile', id);
    }
  }
}

/** The IMPIs named, all of which must exist in `subscriptionId`. */
export async function privateIdentitiesOf(
  em: EntityManager,
  impis: string[],
  subscriptionId: number,
): Promise<PrivateIdentity[]> {
  const unique = [...new Set(impis)];
  const rows = unique.length
    ? await em.getRepository(PrivateIdentity).findBy({ impi: In(unique) })
    : [];
  for (const impi of unique) {
    const row = rows.find((r) => r.impi === impi);
    if (!row) throw notFound('private identity', impi);
    if (row.subscriptionId !== subscriptionId) {
      throw new ConflictException(`private identity ${impi} belongs to another subscription`);
    }
  }
  return rows;
}
