import {
  BadRequestException,
  ConflictException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { DataSource, In, QueryFailedError, Repository } from 'typeorm';
import { deriveIdentities } from '@lib/ims';
import { hssConfig, type HssConfig } from '../../config';
import {
  PrivateIdentity,
  PublicIdentity,
  ServiceProfile,
  Subscription,
} from '../../database/entities';
import { DeregistrationReasonCode } from '../../events';
import { likePrefix, notFound, Page, pageWindow } from '../common';
import { DeregisterResultView, RegistrationNotifier } from '../notifications';
import { authDataProblems, resolveAuthDataUnchecked } from '../private-identities/auth-data.dto';
import { BulkImportResultView, BulkRowErrorView } from './bulk-import.dto';
import { CreateSubscriberDto, quickSubscriber, SubscriberQueryDto } from './create-subscriber.dto';
import { CsvError, parseCsv } from './csv';
import { insertSubscribers, SubscriberRow } from './subscriber-writer';
import { SubscriberView, toSubscriberView } from './subscriber.view';

/** The service profile a subscriber gets when none is named. */
export const DEFAULT_SERVICE_PROFILE = 'default';

/** Most row errors listed in a rejected bulk import (all are counted). */
const MAX_LISTED_ERRORS = 1000;

/** The CSV columns a bulk import understands (the CreateSubscriberDto fields). */
export const CSV_COLUMNS = [
  'imsi',
  'msisdn',
  'k',
  'op',
  'opc',
  'amf',
  'sqn',
  'authScheme',
  'password',
  'serviceProfile',
];

interface RawRow {
  row: number;
  line?: number;
  data: unknown;
}

interface BulkRow {
  raw: RawRow;
  dto: CreateSubscriberDto;
  impi: string;
  impus: string[];
}

/**
 * Subscribers as operators think of them: IMSI + MSISDN + keys in, TS 23.003 identities and
 * an implicit registration set out. One at a time or thousands in one transaction.
 */
@Injectable()
export class SubscribersService {
  private readonly logger = new Logger('Subscribers');

  constructor(
    private readonly dataSource: DataSource,
    private readonly notifier: RegistrationNotifier,
    @Inject(hssConfig.KEY) private readonly config: HssConfig,
  ) {}

  async create(dto: CreateSubscriberDto): Promise<SubscriberView> {
    const problems = authDataProblems(dto);
    if (problems.length) throw new BadRequestException(problems);
    const ids = deriveIdentities({
      imsi: dto.imsi,
      msisdn: dto.msisdn,
      domain: this.config.imsDomain,
    });
    const existingImpi = await this.dataSource
      .getRepository(PrivateIdentity)
      .findOneBy({ impi: ids.impi });
    if (existingImpi) throw new ConflictException(`private identity ${ids.impi} already exists`);
    const existingImpu = await this.dataSource
      .getRepository(PublicIdentity)
      .findOneBy({ impu: In(ids.impus) });
    if (existingImpu)
      throw new ConflictException(`public identity ${existingImpu.impu} already exists`);
    await this.dataSource.transaction(async (em) => {
      const profileId = await this.serviceProfileId(
        em.getRepository(ServiceProfile),
        dto.serviceProfile,
      );
      await insertSubscribers(em, [this.row(dto, ids.impi, ids.impus, profileId)]);
    });
    this.logger.log(`subscriber ${dto.imsi} created: ${ids.impi} [${ids.impus.join(', ')}]`);
    return this.get(dto.imsi);
  }

  async list(q: SubscriberQueryDto): Promise<Page<SubscriberView>> {
    const { page, limit, skip } = pageWindow(q);
    const qb = this.dataSource
      .getRepository(PrivateIdentity)
      .createQueryBuilder('p')
      .orderBy('p.id', 'ASC')
      .skip(skip)
      .take(limit);
    if (q.imsi) qb.andWhere(`p.impi LIKE :imsi ESCAPE '\\'`, { imsi: likePrefix(q.imsi) });
    if (q.msisdn) {
      qb.andWhere(
        `EXISTS (SELECT 1 FROM public_identities m WHERE m.subscription_id = p.subscription_id AND m.impu LIKE :tel ESCAPE '\\')`,
        { tel: likePrefix(`tel:+${q.msisdn.replace(/^\+/, '')}`) },
      );
    }
    if (q.impu) {
      qb.andWhere(
        `EXISTS (SELECT 1 FROM private_public_identities l JOIN public_identities u ON u.id = l.public_identity_id
                 WHERE l.private_identity_id = p.id AND u.impu LIKE :impu ESCAPE '\\')`,
        { impu: likePrefix(q.impu) },
      );
    }
    const [rows, total] = await qb.getManyAndCount();
    const full = rows.length
      ? await this.dataSource.getRepository(PrivateIdentity).find({
          where: { id: In(rows.map((r) => r.id)) },
          relations: { publicIdentities: true },
          order: { id: 'ASC' },
        })
      : [];
    return { items: full.map(toSubscriberView), total, page, limit };
  }

  async get(imsi: string): Promise<SubscriberView> {
    return toSubscriberView(await this.find(imsi));
  }

  /**
   * Deletes the subscriber's subscription with every identity in it; registered IMPUs are
   * de-registered at their S-CSCF (RTR, PERMANENT_TERMINATION).
   */
  async remove(imsi: string): Promise<void> {
    const p = await this.find(imsi);
    const impus = await this.dataSource
      .getRepository(PublicIdentity)
      .find({ select: { id: true }, where: { subscriptionId: p.subscriptionId } });
    const assigned = await this.notifier.assigned(impus.map((i) => i.id));
    await this.dataSource.getRepository(Subscription).delete(p.subscriptionId);
    // The whole subscription goes: every IMPI registered through it is told (one RTR each).
    this.notifier.deregister(assigned, 'PERMANENT_TERMINATION');
    this.logger.log(`subscriber ${imsi} deleted`);
  }

  /** Operator de-registration of every registered IMPU of the subscriber (RTR, TS 29.228 §6.1.3). */
  async deregister(imsi: string, reason: DeregistrationReasonCode): Promise<DeregisterResultView> {
    const p = await this.find(imsi);
    const sets = [...new Set(p.publicIdentities.map((i) => i.implicitSetId))];
    const members = sets.length
      ? await this.dataSource
          .getRepository(PublicIdentity)
          .find({ select: { id: true }, where: { implicitSetId: In(sets) } })
      : [];
    const ids = [...new Set([...p.publicIdentities.map((i) => i.id), ...members.map((m) => m.id)])];
    const assigned = await this.notifier.assigned(ids);
    if (assigned.length === 0) throw new ConflictException(`subscriber ${imsi} is not registered`);
    return { reason, deregistrations: this.notifier.deregister(assigned, reason, p.impi) };
  }

  /**
   * Bulk import (JSON array or CSV with a header line): every row is validated, identities
   * derived and checked against the file and the database first; one bad row rejects the
   * whole file (400, or 409 when only duplicates) naming row and field. A good file is stored
   * in one transaction with multi-row INSERTs.
   */
  async bulk(body: unknown): Promise<BulkImportResultView> {
    const started = Date.now();
    const raws = this.readBody(body);
    const errors: BulkRowErrorView[] = [];
    const rows = this.validateRows(raws, errors);
    checkDuplicatesInFile(rows, errors);
    const profiles = await this.resolveProfiles(rows, errors);
    if (errors.length) throw rejection(errors, raws.length, false);

    try {
      await this.dataSource.transaction(async (em) => {
        const defaultId = rows.some((r) => !r.dto.serviceProfile)
          ? await this.serviceProfileId(em.getRepository(ServiceProfile), undefined)
          : 0;
        const stored = rows.map((r) =>
          this.row(
            r.dto,
            r.impi,
            r.impus,
            r.dto.serviceProfile ? profiles.get(r.dto.serviceProfile)! : defaultId,
          ),
        );
        await insertSubscribers(em, stored);
      });
    } catch (err) {
      // The unique indexes caught an identity that already exists: the transaction is rolled
      // back; now find which rows, so the answer names them (cheaper than checking first).
      if (!(err instanceof QueryFailedError)) throw err;
      await this.checkDuplicatesInDatabase(rows, errors);
      if (errors.length) throw rejection(errors, raws.length, true);
      throw err;
    }
    this.logger.log(`bulk import: ${rows.length} subscribers in ${Date.now() - started} ms`);
    return { imported: rows.length, rows: raws.length };
  }

  /** Each row through the DTO rules (fast path first, class-validator for the rest). */
  private validateRows(raws: RawRow[], errors: BulkRowErrorView[]): BulkRow[] {
    const rows: BulkRow[] = [];
    for (const raw of raws) {
      const bad = (field: string, message: string) =>
        errors.push({ row: raw.row, line: raw.line, field, message });
      if (typeof raw.data !== 'object' || raw.data === null || Array.isArray(raw.data)) {
        bad('row', 'must be an object');
        continue;
      }
      let dto = quickSubscriber(raw.data as Record<string, unknown>);
      if (!dto) {
        dto = plainToInstance(CreateSubscriberDto, raw.data);
        const failures = validateSync(dto, {
          whitelist: true,
          forbidNonWhitelisted: true,
          validationError: { target: false, value: false },
        });
        if (failures.length) {
          for (const f of flatten(failures)) bad(f.field, f.message);
          continue;
        }
      }
      const problems = authDataProblems(dto);
      if (problems.length) {
        for (const m of problems) bad(m.split(' ')[0], m);
        continue;
      }
      const ids = deriveIdentities({
        imsi: dto.imsi,
        msisdn: dto.msisdn,
        domain: this.config.imsDomain,
      });
      rows.push({ raw, dto, impi: ids.impi, impus: ids.impus });
    }
    return rows;
  }

  /** Service profiles named in the file (by name or id) must exist. */
  private async resolveProfiles(
    rows: BulkRow[],
    errors: BulkRowErrorView[],
  ): Promise<Map<string, number>> {
    const repo = this.dataSource.getRepository(ServiceProfile);
    const named = [
      ...new Set(rows.map((r) => r.dto.serviceProfile).filter((n): n is string => !!n)),
    ];
    const profiles = new Map<string, number>();
    for (const chunk of chunks(named, 500)) {
      for (const p of await repo.findBy({ name: In(chunk) })) profiles.set(p.name, p.id);
      const ids = chunk.filter((n) => /^\d+$/.test(n) && !profiles.has(n)).map(Number);
      if (ids.length)
        for (const p of await repo.findBy({ id: In(ids) })) profiles.set(String(p.id), p.id);
    }
    for (const r of rows) {
      if (r.dto.serviceProfile && !profiles.has(r.dto.serviceProfile)) {
        errors.push({
          row: r.raw.row,
          line: r.raw.line,
          field: 'serviceProfile',
          message: `service profile ${r.dto.serviceProfile} not found`,
        });
      }
    }
    return profiles;
  }

  /** Rows whose IMPI or an IMPU is already in the database. */
  private async checkDuplicatesInDatabase(
    rows: BulkRow[],
    errors: BulkRowErrorView[],
  ): Promise<void> {
    const rowOfImpi = new Map(rows.map((r) => [r.impi, r]));
    for (const chunk of chunks([...rowOfImpi.keys()], 500)) {
      const found = await this.dataSource
        .getRepository(PrivateIdentity)
        .find({ select: { impi: true }, where: { impi: In(chunk) } });
      for (const p of found) {
        const r = rowOfImpi.get(p.impi)!;
        errors.push({
          row: r.raw.row,
          line: r.raw.line,
          field: 'imsi',
          message: `private identity ${p.impi} already exists`,
        });
      }
    }
    const rowOfImpu = new Map(rows.flatMap((r) => r.impus.map((impu) => [impu, r] as const)));
    for (const chunk of chunks([...rowOfImpu.keys()], 500)) {
      const found = await this.dataSource
        .getRepository(PublicIdentity)
        .find({ select: { impu: true }, where: { impu: In(chunk) } });
      for (const p of found) {
        const r = rowOfImpu.get(p.impu)!;
        const field = p.impu.startsWith(`sip:${r.dto.imsi}@`) ? 'imsi' : 'msisdn';
        errors.push({
          row: r.raw.row,
          line: r.raw.line,
          field,
          message: `public identity ${p.impu} already exists`,
        });
      }
    }
  }

  private readBody(body: unknown): RawRow[] {
    if (typeof body === 'string') {
      try {
        const { header, records } = parseCsv(body);
        const unknown = header.filter((h) => !CSV_COLUMNS.includes(h));
        if (unknown.length) {
          throw new BadRequestException(
            `CSV header: unknown column(s) ${unknown.join(', ')}; known: ${CSV_COLUMNS.join(', ')}`,
          );
        }
        if (!header.includes('imsi'))
          throw new BadRequestException('CSV header: the imsi column is required');
        return records.map((r, i) => ({ row: i + 1, line: r.line, data: csvRecord(r.fields) }));
      } catch (err) {
        if (err instanceof CsvError) throw new BadRequestException(`CSV ${err.message}`);
        throw err;
      }
    }
    const list = Array.isArray(body) ? body : (body as { subscribers?: unknown })?.subscribers;
    if (!Array.isArray(list)) {
      throw new BadRequestException(
        'body must be a JSON array of subscribers (or { "subscribers": [...] }) or text/csv',
      );
    }
    return list.map((data, i) => ({ row: i + 1, data }));
  }

  private row(
    dto: CreateSubscriberDto,
    impi: string,
    impus: string[],
    serviceProfileId: number,
  ): SubscriberRow {
    return {
      imsi: dto.imsi,
      impi,
      impus,
      implicitSetId: `irs-${dto.imsi}`,
      auth: resolveAuthDataUnchecked(dto),
      serviceProfileId,
    };
  }

  /** The named profile (name, or id), 404 when missing; the default one, created when missing. */
  private async serviceProfileId(
    profiles: Repository<ServiceProfile>,
    ref: string | undefined,
  ): Promise<number> {
    if (ref === undefined) {
      const found = await profiles.findOneBy({ name: DEFAULT_SERVICE_PROFILE });
      return (found ?? (await profiles.save(profiles.create({ name: DEFAULT_SERVICE_PROFILE }))))
        .id;
    }
    const found = /^\d+$/.test(ref)
      ? ((await profiles.findOneBy({ name: ref })) ??
        (await profiles.findOneBy({ id: Number(ref) })))
      : await profiles.findOneBy({ name: ref });
    if (!found) throw notFound('service profile', ref);
    return found.id;
  }

  private async find(imsi: string): Promise<PrivateIdentity> {
    const impi = `${imsi}@${this.config.imsDomain}`;
    const p = await this.dataSource
      .getRepository(PrivateIdentity)
      .findOne({ where: { impi }, relations: { publicIdentities: true } });
    if (!p) throw notFound('subscriber', imsi);
    return p;
  }
}

/** Two rows of one file naming the same IMPI or IMPU. */
function checkDuplicatesInFile(rows: BulkRow[], errors: BulkRowErrorView[]): void {
  const seenImpi = new Map<string, number>();
  const seenImpu = new Map<string, number>();
  for (const r of rows) {
    const first = seenImpi.get(r.impi);
    if (first !== undefined) {
      errors.push({
        row: r.raw.row,
        line: r.raw.line,
        field: 'imsi',
        message: `imsi ${r.dto.imsi} repeats row ${first}`,
      });
    } else seenImpi.set(r.impi, r.raw.row);
    for (const impu of r.impus.slice(1)) {
      const other = seenImpu.get(impu);
      if (other !== undefined && other !== r.raw.row) {
        errors.push({
          row: r.raw.row,
          line: r.raw.line,
          field: 'msisdn',
          message: `${impu} repeats row ${other}`,
        });
      } else seenImpu.set(impu, r.raw.row);
    }
  }
}

/** The refusal of a whole file: 409 when only duplicates, else 400; nothing was imported. */
function rejection(
  errors: BulkRowErrorView[],
  rowCount: number,
  duplicatesOnly: boolean,
): HttpException {
  errors.sort((a, b) => a.row - b.row);
  const status = duplicatesOnly ? HttpStatus.CONFLICT : HttpStatus.BAD_REQUEST;
  const badRows = new Set(errors.map((e) => e.row)).size;
  const first = errors[0];
  return new HttpException(
    {
      statusCode: status,
      message:
        `bulk import rejected, nothing imported: ${badRows} bad row(s) of ${rowCount}, ` +
        `first at row ${first.row} (${first.field}: ${first.message})`,
      imported: 0,
      errorCount: errors.length,
      errors: errors
        .slice(0, MAX_LISTED_ERRORS)
        .map((e) =>
          e.line === undefined ? { row: e.row, field: e.field, message: e.message } : e,
        ),
    },
    status,
  );
}

/** CSV cells are text: SQN becomes a number when it is one (else validation names it). */
function csvRecord(fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  if (typeof fields.sqn === 'string' && /^\d+$/.test(fields.sqn)) out.sqn = Number(fields.sqn);
  return out;
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** class-validator errors as (field path, message) pairs. */
function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}
