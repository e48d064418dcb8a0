import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApplicationServer, InitialFilterCriteria, ServiceProfile } from '../../database/entities';
import { alreadyExists, likePrefix, notFound, Page, pageWindow } from '../common';
import { RegistrationNotifier } from '../notifications';
import {
  CreateIfcDto,
  IfcQueryDto,
  IfcView,
  toIfcView,
  toTriggerPoint,
  UpdateIfcDto,
} from './ifc.dto';

/** Initial filter criteria: every change reaches the S-CSCFs of registered users (PPR). */
@Injectable()
export class IfcsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifier: RegistrationNotifier,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(InitialFilterCriteria);
  }

  async create(dto: CreateIfcDto): Promise<IfcView> {
    await this.checkReferences(dto.serviceProfileId, dto.applicationServerId);
    await this.checkPriority(dto.serviceProfileId, dto.priority);
    const saved = await this.repo.save(
      this.repo.create({
        name: dto.name,
        priority: dto.priority,
        triggerPoint: toTriggerPoint(dto.triggerPoint),
        applicationServerId: dto.applicationServerId,
        serviceProfileId: dto.serviceProfileId,
        profilePartIndicator: dto.profilePartIndicator ?? null,
      }),
    );
    await this.notifier.serviceProfilesChanged([saved.serviceProfileId]);
    return toIfcView(saved);
  }

  async list(q: IfcQueryDto): Promise<Page<IfcView>> {
    const { page, limit, skip } = pageWindow(q);
    const qb = this.repo
      .createQueryBuilder('i')
      .orderBy('i.serviceProfileId', 'ASC')
      .addOrderBy('i.priority', 'ASC');
    if (q.serviceProfileId !== undefined)
      qb.andWhere('i.serviceProfileId = :sp', { sp: q.serviceProfileId });
    if (q.applicationServerId !== undefined)
      qb.andWhere('i.applicationServerId = :as', { as: q.applicationServerId });
    if (q.name) qb.andWhere(`i.name LIKE :name ESCAPE '\\'`, { name: likePrefix(q.name) });
    const [rows, total] = await qb.skip(skip).take(limit).getManyAndCount();
    return { items: rows.map(toIfcView), total, page, limit };
  }

  async get(id: number): Promise<IfcView> {
    return toIfcView(await this.find(id));
  }

  async update(id: number, dto: UpdateIfcDto): Promise<IfcView> {
    const ifc = await this.find(id);
    const before = ifc.serviceProfileId;
    const serviceProfileId = dto.serviceProfileId ?? ifc.serviceProfileId;
    const priority = dto.priority ?? ifc.priority;
    await this.checkReferences(
      serviceProfileId,
      dto.applicationServerId ?? ifc.applicationServerId,
    );
    if (serviceProfileId !== ifc.serviceProfileId || priority !== ifc.priority) {
      await this.checkPriority(serviceProfileId, priority);
    }
    if (dto.name !== undefined) ifc.name = dto.name;
    if (dto.triggerPoint !== undefined) ifc.triggerPoint = toTriggerPoint(dto.triggerPoint);
    if (dto.applicationServerId !== undefined) ifc.applicationServerId = dto.applicationServerId;
    if (dto.profilePartIndicator !== undefined) ifc.profilePartIndicator = dto.profilePartIndicator;
    ifc.serviceProfileId = serviceProfileId;
    ifc.priority = priority;
    const { applicationServer: _a, serviceProfile: _s, ...columns } = ifc;
    await this.repo.update(id, columns);
    await this.notifier.serviceProfilesChanged([...new Set([before, serviceProfileId])]);
    return toIfcView(ifc);
  }

  async remove(id: number): Promise<void> {
    const ifc = await this.find(id);
    await this.repo.delete(id);
    await this.notifier.serviceProfilesChanged([ifc.serviceProfileId]);
  }

  private async find(id: number): Promise<InitialFilterCriteria> {
    const ifc = await this.repo.findOneBy({ id });
    if (!ifc) throw notFound('initial filter criteria', id);
    return ifc;
  }

  private async checkReferences(
    serviceProfileId: number,
    applicationServerId: number,
  ): Promise<void> {
    if (!(await this.dataSource.getRepository(ServiceProfile).existsBy({ id: serviceProfileId }))) {
      throw notFound('service profile', serviceProfileId);
    }
    if (
      !(await this.dataSource
        .getRepository(ApplicationServer)
        .existsBy({ id: applicationServerId }))
    ) {
      throw notFound('application server', applicationServerId);
    }
  }

  private async checkPriority(serviceProfileId: number, priority: number): Promise<void> {
    if (await this.repo.existsBy({ serviceProfileId, priority })) {
      throw alreadyExists(
        `initial filter criteria of service profile ${serviceProfileId} with priority`,
        priority,
      );
    }
  }
}
