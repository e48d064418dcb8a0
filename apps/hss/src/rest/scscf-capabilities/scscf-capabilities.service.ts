import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ScscfCapability } from '../../database/entities';
import { alreadyExists, likePrefix, notFound, Page, pageWindow } from '../common';
import {
  CreateScscfCapabilityDto,
  ScscfCapabilityQueryDto,
  ScscfCapabilityView,
  toScscfCapabilityView,
  UpdateScscfCapabilityDto,
} from './scscf-capability.dto';

@Injectable()
export class ScscfCapabilitiesService {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ScscfCapability);
  }

  async create(dto: CreateScscfCapabilityDto): Promise<ScscfCapabilityView> {
    if (await this.repo.existsBy({ serverName: dto.serverName }))
      throw alreadyExists('S-CSCF', dto.serverName);
    const saved = await this.repo.save(
      this.repo.create({
        serverName: dto.serverName,
        mandatory: dto.mandatory ?? [],
        optional: dto.optional ?? [],
      }),
    );
    return toScscfCapabilityView(saved);
  }

  async list(q: ScscfCapabilityQueryDto): Promise<Page<ScscfCapabilityView>> {
    const { page, limit, skip } = pageWindow(q);
    const qb = this.repo.createQueryBuilder('c').orderBy('c.id', 'ASC').skip(skip).take(limit);
    if (q.serverName)
      qb.andWhere(`c.serverName LIKE :sn ESCAPE '\\'`, { sn: likePrefix(q.serverName) });
    const [rows, total] = await qb.getManyAndCount();
    return { items: rows.map(toScscfCapabilityView), total, page, limit };
  }

  async get(id: number): Promise<ScscfCapabilityView> {
    return toScscfCapabilityView(await this.find(id));
  }

  async update(id: number, dto: UpdateScscfCapabilityDto): Promise<ScscfCapabilityView> {
    const c = await this.find(id);
    if (
      dto.serverName &&
      dto.serverName !== c.serverName &&
      (await this.repo.existsBy({ serverName: dto.serverName }))
    ) {
      throw alreadyExists('S-CSCF', dto.serverName);
    }
    return toScscfCapabilityView(await this.repo.save(this.repo.merge(c, dto)));
  }

  async remove(id: number): Promise<void> {
    await this.find(id);
    await this.repo.delete(id);
  }

  private async find(id: number): Promise<ScscfCapability> {
    const c = await this.repo.findOneBy({ id });
    if (!c) throw notFound('S-CSCF capability set', id);
    return c;
  }
}
