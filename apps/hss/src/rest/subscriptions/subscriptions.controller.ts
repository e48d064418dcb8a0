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
  CreateSubscriptionDto,
  SubscriptionQueryDto,
  SubscriptionView,
  UpdateSubscriptionDto,
} from './subscription.dto';
import { SubscriptionsService } from './subscriptions.service';

/** IMS subscriptions (TS 23.228 §4.3.3.1): the owners of private and public identities. */
@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(private readonly service: SubscriptionsService) {}

  @Post()
  @ApiCreatedResponse({ type: SubscriptionView })
  create(@Body() dto: CreateSubscriptionDto): Promise<SubscriptionView> {
    return this.service.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: PageDto(SubscriptionView, 'SubscriptionPage') })
  list(@Query() q: SubscriptionQueryDto) {
    return this.service.list(q);
  }

  @Get(':id')
  @ApiOkResponse({ type: SubscriptionView })
  get(@Param('id', ParseIntPipe) id: number): Promise<SubscriptionView> {
    return this.service.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: SubscriptionView })
  update(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: UpdateSubscriptionDto,
  ): Promise<SubscriptionView> {
    return this.service.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseIntPipe) id: number): Promise<void> {
    return this.service.remove(id);
  }
}
