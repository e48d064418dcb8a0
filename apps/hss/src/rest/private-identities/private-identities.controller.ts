import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { PageDto } from '../common';
import {
  CreatePrivateIdentityDto,
  PrivateIdentityQueryDto,
  PrivateIdentityView,
  UpdatePrivateIdentityDto,
} from './private-identity.dto';
import { PrivateIdentitiesService } from './private-identities.service';

const REF = { name: 'ref', description: 'numeric id or the IMPI' };

/** Private identities (IMPI, TS 23.003 §13.3) with their write-only auth data. */
@ApiTags('private-identities')
@ApiBearerAuth()
@Controller('private-identities')
export class PrivateIdentitiesController {
  constructor(private readonly service: PrivateIdentitiesService) {}

  @Post()
  @ApiCreatedResponse({ type: PrivateIdentityView })
  create(@Body() dto: CreatePrivateIdentityDto): Promise<PrivateIdentityView> {
    return this.service.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: PageDto(PrivateIdentityView, 'PrivateIdentityPage') })
  list(@Query() q: PrivateIdentityQueryDto) {
    return this.service.list(q);
  }

  @Get(':ref')
  @ApiParam(REF)
  @ApiOkResponse({ type: PrivateIdentityView })
  get(@Param('ref') ref: string): Promise<PrivateIdentityView> {
    return this.service.get(ref);
  }

  @Patch(':ref')
  @ApiParam(REF)
  @ApiOkResponse({ type: PrivateIdentityView })
  update(
    @Param('ref') ref: string,
    @Body() dto: UpdatePrivateIdentityDto,
  ): Promise<PrivateIdentityView> {
    return this.service.update(ref, dto);
  }

  @Delete(':ref')
  @ApiParam(REF)
  @HttpCode(204)
  remove(@Param('ref') ref: string): Promise<void> {
    return this.service.remove(ref);
  }
}
