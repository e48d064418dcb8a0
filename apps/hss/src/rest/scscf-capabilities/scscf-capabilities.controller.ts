import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PageDto } from '../common';
import { ScscfCapabilitiesService } from './scscf-capabilities.service';
import {
  CreateScscfCapabilityDto,
  ScscfCapabilityQueryDto,
  ScscfCapabilityView,
  UpdateScscfCapabilityDto,
} from './scscf-capability.dto';

/** S-CSCF capability sets the HSS returns in UAA/LIA Server-Capabilities (TS 29.229 §6.3.5). */
@ApiTags('scscf-capabilities')
@ApiBearerAuth()
@Controller('scscf-capabilities')
export class ScscfCapabilitiesController {
  constructor(private readonly service: ScscfCapabilitiesService) {}

  @Post()
  @ApiCreatedResponse({ type: ScscfCapabilityView })
  create(@Body() dto: CreateScscfCapabilityDto): Promise<ScscfCapabilityView> {
    return this.service.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: PageDto(ScscfCapabilityView, 'ScscfCapabilityPage') })
  list(@Query() q: ScscfCapabilityQueryDto) {
    return this.service.list(q);
  }

  @Get(':id')
  @ApiOkResponse({ type: ScscfCapabilityView })
  get(@Param('id', ParseIntPipe) id: number): Promise<ScscfCapabilityView> {
    return this.service.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ScscfCapabilityView })
  update(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: UpdateScscfCapabilityDto,
  ): Promise<ScscfCapabilityView> {
    return this.service.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseIntPipe) id: number): Promise<void> {
    return this.service.remove(id);
  }
}
