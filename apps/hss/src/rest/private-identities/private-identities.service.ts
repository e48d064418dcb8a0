import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { PrivateIdentity, PublicIdentity, Subscription } from '../../database/entities';
import { alreadyExists, likePrefix, notFound, Page, pageWindow } from '../common';
import { RegistrationNotifier } from '../notifications';
import { resolveAuthData } from './auth-data.dto';
import {
  CreatePrivateIdentityDto,
  PrivateIdentityQueryDto,
  PrivateIdentityView,
  toPrivateIdentityView,
  UpdatePrivateIdentityDto,
} from './private-identity.dto';

/** Private identities (IMPI) and their auth data; `ref` is the numeric id or the IMPI. */
@Injectable()
export class PrivateIdentitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifier: RegistrationNotifier,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(PrivateIdentity);
  }

  async create(dto: CreatePrivateIdentityDto): Promise<PrivateIdentityView> {
    const auth = resolveAuthData(dto);
    if (!(await this.dataSource.getRepository(Subscription).existsBy({ id: dto.subscriptionId }))) {
      throw notFound('subscription', dto.subscriptionId);
    }
    if (await this.repo.existsBy({ impi: dto.impi }))
      throw alreadyExists('private identity', dto.impi);
    const id = await this.dataSource.transaction(async (em) => {
      const saved = await em
        .getRepository(PrivateIdentity)
        .save(
          em
            .getRepository(PrivateIdentity)
            .create({ impi: dto.impi, subscriptionId: dto.subscriptionId, ...auth }),
        );
      if (dto.publicIdentities?.length) {
        const impus = await publicIdentitiesOf(em, dto.publicIdentities, dto.subscriptionId);
        await em
          .createQueryBuilder()
          .relation(PrivateIdentity, 'publicIdentities')
          .of(saved.id)
          .add(impus);
      }
      return saved.id;
    });
    if (dto.publicIdentities?.length) await this.notifyLinked(id);
    return this.get(id);
  }

  async list(q: PrivateIdentityQueryDto): Promise<Page<PrivateIdentityView>> {
    const { page, limit, skip } = pageWindow(q);
    const qb = this.repo.createQueryBuilder('p').orderBy('p.id', 'ASC').skip(skip).take(limit);
    if (q.impi) qb.andWhere(`p.impi LIKE :impi ESCAPE '\\'`, { impi: likePrefix(q.impi) });
    if (q.subscriptionId !== undefined)
      qb.andWhere('p.subscriptionId = :sid', { sid: q.subscriptionId });
    if (q.authScheme) qb.andWhere('p.authScheme = :scheme', { scheme: q.authScheme });
    const [rows, total] = await qb.getManyAndCount();
    const full = rows.length
      ? await this.repo.find({
          where: { id: In(rows.map((r) => r.id)) },
          relations: { publicIdentities: true },
          order: { id: 'ASC' },
        })
      : [];
    return { items: full.map(toPrivateIdentityView), total, page, limit };
  }

  async get(ref: string | number): Promise<PrivateIdentityView> {
    return toPrivateIdentityView(await this.find(ref));
  }

  async update(ref: string, dto: UpdatePrivateIdentityDto): Promise<PrivateIdentityView> {
    const current = await this.find(ref);
    const auth = resolveAuthData(dto, current);
    const before = current.publicIdentities.map((p) => p.id);
    await this.dataSource.transaction(async (em) => {
      await em.getRepository(PrivateIdentity).update(current.id, auth);
      if (dto.publicIdentities !== undefined) {
        const impus = await publicIdentitiesOf(em, dto.publicIdentities, current.subscriptionId);
        await em
          .createQueryBuilder()
          .relation(PrivateIdentity, 'publicIdentities')
          .of(current.id)
          .addAndRemove(
            impus.filter((i) => !before.includes(i.id)),
            before.filter((id) => !impus.some((i) => i.id === id)),
          );
      }
    });
    if (dto.publicIdentities !== undefined) {
      const after = (await this.find(current.id)).publicIdentities.map((p) => p.id);
      await this.notifier.profileChanged([...new Set([...before, ...after])]);
    }
    return this.get(current.id);
  }

  /** Deletes the IMPI; registrations through it are ended at the S-CSCF (RTR). */
  async remove(ref: string): Promise<void> {
    const p = await this.find(ref);
    const assigned = await this.notifier.assigned(p.publicIdentities.map((i) => i.id));
    await this.repo.delete(p.id);
    this.notifier.deregister(assigned, 'PERMANENT_TERMINATION', p.impi);
  }

  async find(ref: string | number): Promise<PrivateIdentity> {
    const where =
      typeof ref === 'number' || /^\d+$/.test(ref) ? { id: Number(ref) } : { impi: ref };
    const p = await this.repo.findOne({ where, relations: { publicIdentities: true } });
    if (!p) throw notFound('private identity', ref);
    return p;
  }

  private async notifyLinked(id: number): Promise<void> {
    const p = await this.find(id);
    await this.notifier.profileChanged(p.publicIdentities.map((i) => i.id));
  }
}

/** The IMPUs named, all of which must exist in `subscriptionId` (TS 23.228 §4.3.3.1). */
export async function publicIdentitiesOf(
  em: EntityManager,
  impus: string[],
  subscriptionId: number,
): Promise<PublicIdentity[]> {
  const unique = [...new Set(impus)];
  const rows = unique.length
    ? await em.getRepository(PublicIdentity).findBy({ impu: In(unique) })
    : [];
  for (const impu of unique) {
    const row = rows.find((r) => r.impu === impu);
    if (!row) throw notFound('public identity', impu);
    if (row.subscriptionId !== subscriptionId) {
      throw new ConflictException(`public identity ${impu} belongs to another subscription`);
    }
  }
  return rows;
}
