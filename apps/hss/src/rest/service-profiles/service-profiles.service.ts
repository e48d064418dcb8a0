import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PublicIdentity, ServiceProfile } from '../../database/entities';
import { alreadyExists, likePrefix, notFound, Page, pageWindow } from '../common';
import {
  CreateServiceProfileDto,
  ServiceProfileQueryDto,
  ServiceProfileView,
  toServiceProfileView,
  UpdateServiceProfileDto,
} from './service-profile.dto';

@Injectable()
export class ServiceProfilesService {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ServiceProfile);
  }

  async create(dto: CreateServiceProfileDto): Promise<ServiceProfileView> {
    if (await this.repo.existsBy({ name: dto.name }))
      throw alreadyExists('service profile', dto.name);
    return toServiceProfileView(await this.repo.save(this.repo.create(dto)), []);
  }

  async list(q: ServiceProfileQueryDto): Promise<Page<ServiceProfileView>> {
    const { page, limit, skip } = pageWindow(q);
    const qb = this.repo.createQueryBuilder('p').orderBy('p.id', 'ASC').skip(skip).take(limit);
    if (q.name) qb.andWhere(`p.name LIKE :name ESCAPE '\\'`, { name: likePrefix(q.name) });
    const [rows, total] = await qb.getManyAndCount();
    const withIfcs = rows.length
      ? await this.repo.find({
          where: rows.map((r) => ({ id: r.id })),
          relations: { ifcs: true },
          order: { id: 'ASC' },
        })
      : [];
    return { items: withIfcs.map((p) => toServiceProfileView(p)), total, page, limit };
  }

  async get(id: number): Promise<ServiceProfileView> {
    return toServiceProfileView(await this.find(id));
  }

  async update(id: number, dto: UpdateServiceProfileDto): Promise<ServiceProfileView> {
    const p = await this.find(id);
    if (dto.name && dto.name !== p.name && (await this.repo.existsBy({ name: dto.name }))) {
      throw alreadyExists('service profile', dto.name);
    }
    p.name = dto.name ?? p.name;
    await this.repo.update(id, { name: p.name });
    return toServiceProfileView(p);
  }

  async remove(id: number): Promise<void> {
    await this.find(id);
    const used = await this.dataSource
      .getRepository(PublicIdentity)
      .countBy({ serviceProfileId: id });
    if (used > 0)
      throw new ConflictException(`service profile ${id} is used by ${used} public identities`);
    await this.repo.delete(id);
  }

  /** A profile by id, or by name when `ref` is not a number; 404 otherwise. */
  async resolve(ref: string | number): Promise<ServiceProfile> {
    const p =
      typeof ref === 'number' || /^\d+$/.test(ref)
        ? await this.repo.findOneBy({ id: Number(ref) })
        : await this.repo.findOneBy({ name: ref });
    if (!p) throw notFound('service profile', ref);
    return p;
  }

  /** The profile named `name`, created empty when missing (the subscriber shortcut's default). */
  async getOrCreate(name: string): Promise<ServiceProfile> {
    return (
      (await this.repo.findOneBy({ name })) ?? (await this.repo.save(this.repo.create({ name })))
    );
  }

  private async find(id: number): Promise<ServiceProfile> {
    const p = await this.repo.findOne({ where: { id }, relations: { ifcs: true } });
    if (!p) throw notFound('service profile', id);
    return p;
  }
}
