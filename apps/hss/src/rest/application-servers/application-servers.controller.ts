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
  ApplicationServerQueryDto,
  ApplicationServerView,
  CreateApplicationServerDto,
  UpdateApplicationServerDto,
} from './application-server.dto';
import { ApplicationServersService } from './application-servers.service';

/** Application servers (ISC), referenced by initial filter criteria. */
@ApiTags('application-servers')
@ApiBearerAuth()
@Controller('application-servers')
export class ApplicationServersController {
  constructor(private readonly service: ApplicationServersService) {}

  @Post()
  @ApiCreatedResponse({ type: ApplicationServerView })
  create(@Body() dto: CreateApplicationServerDto): Promise<ApplicationServerView> {
    return this.service.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: PageDto(ApplicationServerView, 'ApplicationServerPage') })
  list(@Query() q: ApplicationServerQueryDto) {
    return this.service.list(q);
  }

  @Get(':id')
  @ApiOkResponse({ type: ApplicationServerView })
  get(@Param('id', ParseIntPipe) id: number): Promise<ApplicationServerView> {
    return this.service.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ApplicationServerView })
  update(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: UpdateApplicationServerDto,
  ): Promise<ApplicationServerView> {
    return this.service.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseIntPipe) id: number): Promise<void> {
    return this.service.remove(id);
  }
}
