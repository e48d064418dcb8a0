import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { PageDto } from '../common';
import { DeregisterDto, DeregisterResultView } from '../notifications';
import { BulkImportRejectedView, BulkImportResultView } from './bulk-import.dto';
import { CreateSubscriberDto, SubscriberQueryDto } from './create-subscriber.dto';
import { SubscriberView } from './subscriber.view';
import { SubscribersService } from './subscribers.service';

const IMSI = { name: 'imsi', description: 'IMSI; the IMPI is <imsi>@<IMS_DOMAIN>' };

/** The one-call subscriber shortcut of DESIGN.md, its list, bulk import and de-registration. */
@ApiTags('subscribers')
@ApiBearerAuth()
@Controller('subscribers')
export class SubscribersController {
  constructor(private readonly service: SubscribersService) {}

  @Post()
  @ApiCreatedResponse({ type: SubscriberView })
  @ApiConflictResponse({ description: 'the IMPI or an IMPU already exists' })
  create(@Body() dto: CreateSubscriberDto): Promise<SubscriberView> {
    return this.service.create(dto);
  }

  /**
   * Imports many subscribers in one transaction: a JSON array of the POST /subscribers body,
   * or text/csv with a header line (imsi,msisdn,k,opc|op,amf,sqn,authScheme,password,serviceProfile).
   */
  @Post('bulk')
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    description: 'JSON array of subscribers, or CSV text with a header line',
    schema: {
      oneOf: [
        { type: 'array', items: { $ref: '#/components/schemas/CreateSubscriberDto' } },
        {
          type: 'string',
          example:
            'imsi,msisdn,k,opc\n001010000000001,15550001,465b5ce8b199b49faa5f0a2ee238a6bc,cd63cb71954a9f4e48a5994e37a02baf',
        },
      ],
    },
  })
  @ApiCreatedResponse({ type: BulkImportResultView })
  @ApiBadRequestResponse({
    type: BulkImportRejectedView,
    description: 'bad rows: nothing imported',
  })
  @ApiConflictResponse({
    type: BulkImportRejectedView,
    description: 'duplicates only: nothing imported',
  })
  bulk(@Body() body: unknown): Promise<BulkImportResultView> {
    return this.service.bulk(body);
  }

  @Get()
  @ApiOkResponse({ type: PageDto(SubscriberView, 'SubscriberPage') })
  list(@Query() q: SubscriberQueryDto) {
    return this.service.list(q);
  }

  @Get(':imsi')
  @ApiParam(IMSI)
  @ApiOkResponse({ type: SubscriberView })
  get(@Param('imsi') imsi: string): Promise<SubscriberView> {
    return this.service.get(imsi);
  }

  @Delete(':imsi')
  @ApiParam(IMSI)
  @HttpCode(204)
  remove(@Param('imsi') imsi: string): Promise<void> {
    return this.service.remove(imsi);
  }

  /** Network-initiated de-registration (RTR to the S-CSCF, TS 29.228 §6.1.3). 409 when not registered. */
  @Post(':imsi/deregister')
  @ApiParam(IMSI)
  @HttpCode(202)
  @ApiAcceptedResponse({ type: DeregisterResultView })
  deregister(
    @Param('imsi') imsi: string,
    @Body() dto: DeregisterDto,
  ): Promise<DeregisterResultView> {
    return this.service.deregister(imsi, dto.reason ?? 'PERMANENT_TERMINATION');
  }
}
