import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { PageDto } from '../common';
import { DeregisterDto, DeregisterResultView } from '../notifications';
import {
  CreatePublicIdentityDto,
  PublicIdentityQueryDto,
  PublicIdentityView,
  UpdatePublicIdentityDto,
} from './public-identity.dto';
import { PublicIdentitiesService } from './public-identities.service';

const REF = { name: 'ref', description: 'numeric id or the IMPU (URL-encoded)' };

/** Public identities (IMPU, TS 23.003 §13.4) grouped in implicit registration sets. */
@ApiTags('public-identities')
@ApiBearerAuth()
@Controller('public-identities')
export class PublicIdentitiesController {
  constructor(private readonly service: PublicIdentitiesService) {}

  @Post()
  @ApiCreatedResponse({ type: PublicIdentityView })
  create(@Body() dto: CreatePublicIdentityDto): Promise<PublicIdentityView> {
    return this.service.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: PageDto(PublicIdentityView, 'PublicIdentityPage') })
  list(@Query() q: PublicIdentityQueryDto) {
    return this.service.list(q);
  }

  @Get(':ref')
  @ApiParam(REF)
  @ApiOkResponse({ type: PublicIdentityView })
  get(@Param('ref') ref: string): Promise<PublicIdentityView> {
    return this.service.get(ref);
  }

  @Patch(':ref')
  @ApiParam(REF)
  @ApiOkResponse({ type: PublicIdentityView })
  update(
    @Param('ref') ref: string,
    @Body() dto: UpdatePublicIdentityDto,
  ): Promise<PublicIdentityView> {
    return this.service.update(ref, dto);
  }

  @Delete(':ref')
  @ApiParam(REF)
  @HttpCode(204)
  remove(@Param('ref') ref: string): Promise<void> {
    return this.service.remove(ref);
  }

  /** Operator-initiated de-registration of the IMPU's implicit set (RTR to its S-CSCF). */
  @Post(':ref/deregister')
  @ApiParam(REF)
  @HttpCode(202)
  @ApiAcceptedResponse({ type: DeregisterResultView })
  deregister(@Param('ref') ref: string, @Body() dto: DeregisterDto): Promise<DeregisterResultView> {
    return this.service.deregister(ref, dto.reason ?? 'PERMANENT_TERMINATION');
  }
}
