import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApplicationServer, InitialFilterCriteria } from '../../database/entities';
import { alreadyExists, likePrefix, notFound, Page, pageWindow } from '../common';
import { RegistrationNotifier } from '../notifications';
import {
  ApplicationServerQueryDto,
  ApplicationServerView,
  CreateApplicationServerDto,
  toApplicationServerView,
  UpdateApplicationServerDto,
} from './application-server.dto';

@Injectable()
export class ApplicationServersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifier: RegistrationNotifier,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(ApplicationServer);
  }

  async create(dto: CreateApplicationServerDto): Promise<ApplicationServerView> {
    if (await this.repo.existsBy({ name: dto.name }))
      throw alreadyExists('application server', dto.name);
    const saved = await this.repo.save(this.repo.create(dto));
    return toApplicationServerView(saved);
  }

  async list(q: ApplicationServerQueryDto): Promise<Page<ApplicationServerView>> {
    const { page, limit, skip } = pageWindow(q);
    const qb = this.repo.createQueryBuilder('a').orderBy('a.id', 'ASC').skip(skip).take(limit);
    if (q.name) qb.andWhere(`a.name LIKE :name ESCAPE '\\'`, { name: likePrefix(q.name) });
    if (q.serverName)
      qb.andWhere(`a.serverName LIKE :sn ESCAPE '\\'`, { sn: likePrefix(q.serverName) });
    const [rows, total] = await qb.getManyAndCount();
    return { items: rows.map(toApplicationServerView), total, page, limit };
  }

  async get(id: number): Promise<ApplicationServerView> {
    return toApplicationServerView(await this.find(id));
  }

  async update(id: number, dto: UpdateApplicationServerDto): Promise<ApplicationServerView> {
    const as = await this.find(id);
    if (dto.name && dto.name !== as.name && (await this.repo.existsBy({ name: dto.name }))) {
      throw alreadyExists('application server', dto.name);
    }
    const saved = await this.repo.save(this.repo.merge(as, dto));
    await this.notifier.serviceProfilesChanged(await this.profilesUsing(id));
    return toApplicationServerView(saved);
  }

  async remove(id: number): Promise<void> {
    await this.find(id);
    const used = await this.dataSource
      .getRepository(InitialFilterCriteria)
      .countBy({ applicationServerId: id });
    if (used > 0)
      throw new ConflictException(
        `application server ${id} is used by ${used} initial filter criteria`,
      );
    await this.repo.delete(id);
  }

  private async find(id: number): Promise<ApplicationServer> {
    const as = await this.repo.findOneBy({ id });
    if (!as) throw notFound('application server', id);
    return as;
  }

  private async profilesUsing(id: number): Promise<number[]> {
    const ifcs = await this.dataSource
      .getRepository(InitialFilterCriteria)
      .find({ select: { serviceProfileId: true }, where: { applicationServerId: id } });
    return [...new Set(ifcs.map((i) => i.serviceProfileId))];
  }
}
