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
import { CreateIfcDto, IfcQueryDto, IfcView, UpdateIfcDto } from './ifc.dto';
import { IfcsService } from './ifcs.service';

/** Initial filter criteria (TS 29.228 Annex B.2.2) of a service profile, pointing at an AS. */
@ApiTags('ifcs')
@ApiBearerAuth()
@Controller('ifcs')
export class IfcsController {
  constructor(private readonly service: IfcsService) {}

  @Post()
  @ApiCreatedResponse({ type: IfcView })
  create(@Body() dto: CreateIfcDto): Promise<IfcView> {
    return this.service.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: PageDto(IfcView, 'IfcPage') })
  list(@Query() q: IfcQueryDto) {
    return this.service.list(q);
  }

  @Get(':id')
  @ApiOkResponse({ type: IfcView })
  get(@Param('id', ParseIntPipe) id: number): Promise<IfcView> {
    return this.service.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: IfcView })
  update(@Param('id', ParseIntPipe) id: number, @Body() dto: UpdateIfcDto): Promise<IfcView> {
    return this.service.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseIntPipe) id: number): Promise<void> {
    return this.service.remove(id);
  }
}
