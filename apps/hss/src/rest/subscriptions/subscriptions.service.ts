import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { PublicIdentity, Subscription } from '../../database/entities';
import { likePrefix, notFound, Page, pageWindow } from '../common';
import { RegistrationNotifier } from '../notifications';
import {
  CreateSubscriptionDto,
  SubscriptionQueryDto,
  SubscriptionView,
  toSubscriptionView,
  UpdateSubscriptionDto,
} from './subscription.dto';

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifier: RegistrationNotifier,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(Subscription);
  }

  async create(dto: CreateSubscriptionDto): Promise<SubscriptionView> {
    const saved = await this.repo.save(this.repo.create({ name: dto.name ?? null }));
    return this.get(saved.id);
  }

  async list(q: SubscriptionQueryDto): Promise<Page<SubscriptionView>> {
    const { page, limit, skip } = pageWindow(q);
    const qb = this.repo.createQueryBuilder('s').orderBy('s.id', 'ASC').skip(skip).take(limit);
    if (q.name) qb.andWhere(`s.name LIKE :name ESCAPE '\\'`, { name: likePrefix(q.name) });
    const [rows, total] = await qb.getManyAndCount();
    const full = rows.length
      ? await this.repo.find({
          where: { id: In(rows.map((r) => r.id)) },
          relations: { privateIdentities: true, publicIdentities: true },
          order: { id: 'ASC' },
        })
      : [];
    return { items: full.map(toSubscriptionView), total, page, limit };
  }

  async get(id: number): Promise<SubscriptionView> {
    const s = await this.repo.findOne({
      where: { id },
      relations: { privateIdentities: true, publicIdentities: true },
    });
    if (!s) throw notFound('subscription', id);
    return toSubscriptionView(s);
  }

  async update(id: number, dto: UpdateSubscriptionDto): Promise<SubscriptionView> {
    if (!(await this.repo.existsBy({ id }))) throw notFound('subscription', id);
    if (dto.name !== undefined) await this.repo.update(id, { name: dto.name });
    return this.get(id);
  }

  /**
   * Deletes the subscription with all its identities. Registered IMPUs are de-registered at
   * their S-CSCF first (RTR, PERMANENT_TERMINATION, TS 29.228 §6.1.3).
   */
  async remove(id: number): Promise<void> {
    if (!(await this.repo.existsBy({ id }))) throw notFound('subscription', id);
    const impus = await this.dataSource
      .getRepository(PublicIdentity)
      .find({ select: { id: true }, where: { subscriptionId: id } });
    const assigned = await this.notifier.assigned(impus.map((p) => p.id));
    await this.repo.delete(id);
    this.notifier.deregister(assigned, 'PERMANENT_TERMINATION');
  }
}
