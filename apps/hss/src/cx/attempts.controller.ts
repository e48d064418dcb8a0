import {
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  Query,
  DefaultValuePipe,
  Inject,
} from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DataSource, In } from 'typeorm';
import { PrivateIdentity } from '../database/entities';
import { RegistrationAttemptView } from './attempt.dto';
import { AttemptRecorder } from './attempt-recorder.service';
import { CX_SETTINGS, CxSettings } from './cx-settings';
import { RegistrationAttempt } from './registration-attempt.entity';

const MAX_LIMIT = 1000;

/**
 * The Cx trace of one subscriber, newest first: every UAR/MAR/SAR/LIR served and RTR/PPR
 * sent for its IMPI or any of its IMPUs.
 */
@ApiTags('subscribers')
@Controller('subscribers')
export class AttemptsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recorder: AttemptRecorder,
    @Inject(CX_SETTINGS) private readonly settings: CxSettings,
  ) {}

  @Get(':imsi/attempts')
  @ApiQuery({
    name: 'limit',
    required: false,
    description: 'at most this many lines (default 50, max 1000)',
  })
  @ApiOkResponse({
    type: [RegistrationAttemptView],
    description: 'Cx requests and outcomes, newest first',
  })
  @ApiNotFoundResponse({ description: 'no subscriber with this IMSI and no trace for it' })
  async attempts(
    @Param('imsi') imsi: string,
    @Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number,
  ): Promise<RegistrationAttemptView[]> {
    if (!/^\d{6,15}$/.test(imsi)) throw new NotFoundException(`no subscriber with IMSI ${imsi}`);
    const take = Math.min(Math.max(1, limit), MAX_LIMIT);
    const impi = `${imsi}@${this.settings.imsDomain}`;
    const pi = await this.dataSource
      .getRepository(PrivateIdentity)
      .findOne({ where: { impi }, relations: { publicIdentities: true } });
    const impus = (pi?.publicIdentities ?? []).map((p) => p.impu);
    await this.recorder.flush();
    const repo = this.dataSource.getRepository(RegistrationAttempt);
    const rows = await repo.find({
      where: impus.length ? [{ impi }, { impu: In(impus) }] : [{ impi }],
      order: { id: 'DESC' },
      take,
    });
    if (!pi && !rows.length) throw new NotFoundException(`no subscriber with IMSI ${imsi}`);
    return rows.map((r) => ({
      id: r.id,
      createdAt: new Date(r.createdAt).toISOString(),
      command: r.command,
      impi: r.impi,
      impu: r.impu,
      resultCode: r.resultCode,
      experimental: !!r.experimental,
      originHost: r.originHost,
      detail: r.detail,
    }));
  }
}
