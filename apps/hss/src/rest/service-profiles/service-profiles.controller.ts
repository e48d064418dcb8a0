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
import {
  CreateServiceProfileDto,
  ServiceProfileQueryDto,
  ServiceProfileView,
  UpdateServiceProfileDto,
} from './service-profile.dto';
import { ServiceProfilesService } from './service-profiles.service';

/** Service profiles (TS 29.228 Annex B.2.2): public identities point at one; iFCs belong to one. */
@ApiTags('service-profiles')
@ApiBearerAuth()
@Controller('service-profiles')
export class ServiceProfilesController {
  constructor(private readonly service: ServiceProfilesService) {}

  @Post()
  @ApiCreatedResponse({ type: ServiceProfileView })
  create(@Body() dto: CreateServiceProfileDto): Promise<ServiceProfileView> {
    return this.service.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: PageDto(ServiceProfileView, 'ServiceProfilePage') })
  list(@Query() q: ServiceProfileQueryDto) {
    return this.service.list(q);
  }

  @Get(':id')
  @ApiOkResponse({ type: ServiceProfileView })
  get(@Param('id', ParseIntPipe) id: number): Promise<ServiceProfileView> {
    return this.service.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ServiceProfileView })
  update(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: UpdateServiceProfileDto,
  ): Promise<ServiceProfileView> {
    return this.service.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseIntPipe) id: number): Promise<void> {
    return this.service.remove(id);
  }
}
